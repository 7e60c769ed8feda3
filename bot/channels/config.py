"""Configuration of the channel gateway, read once from the environment (and `.env`).

Every setting lives here; `.env.example` at the project root documents each variable.
Real environment variables win over the `.env` file, so a deployment can override it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_HOTLINE_TEXT = "Đường dây nóng: 1900.xxxx (cấu hình HOTLINE_TEXT)"
_TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class ChannelsConfig:
    rasa_url: str = "http://localhost:5005"
    rasa_timeout: float = 30.0
    rasa_channel_token: str = ""
    hotline_text: str = DEFAULT_HOTLINE_TEXT
    rate_limit_per_minute: int = 20
    host: str = "0.0.0.0"
    webchat_port: int = 8080
    trusted_proxy_hops: int = 0

    telegram_token: str = ""
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    telegram_webhook_port: int = 8443

    zalo_app_id: str = ""
    zalo_oa_secret_key: str = ""
    zalo_app_secret_key: str = ""
    zalo_access_token: str = ""
    zalo_refresh_token: str = ""
    zalo_api_base_url: str = "https://openapi.zalo.me"
    zalo_oauth_base_url: str = "https://oauth.zaloapp.com"
    zalo_webhook_port: int = 8081
    zalo_token_file: Path = PROJECT_ROOT / "data" / "zalo_tokens.json"
    zalo_signature_max_age: float = 300.0

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_token)

    @property
    def telegram_webhook_path(self) -> str:
        """The path part of the public webhook URL, which the local server listens on."""
        return urlsplit(self.telegram_webhook_url).path or "/"

    @property
    def zalo_enabled(self) -> bool:
        return bool(self.zalo_app_id and self.zalo_oa_secret_key)


def parse_env_file(text: str) -> dict[str, str]:
    """Parse `KEY=value` lines; `#` comments, blank lines, `export ` and quotes allowed.

    Deliberately tiny (no interpolation, no multi-line values): enough for secrets and URLs.
    """
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def load_config(
    environ: Mapping[str, str] | None = None, env_file: Path | None = PROJECT_ROOT / ".env"
) -> ChannelsConfig:
    """Build the configuration from `env_file` (if it exists) overridden by `environ`."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update(parse_env_file(env_file.read_text(encoding="utf-8")))
    values.update(os.environ if environ is None else environ)
    settings = _Settings(values)
    config = ChannelsConfig(
        rasa_url=settings.url("RASA_URL", ChannelsConfig.rasa_url),
        rasa_timeout=settings.number("RASA_TIMEOUT_SECONDS", ChannelsConfig.rasa_timeout),
        rasa_channel_token=settings.text("RASA_CHANNEL_TOKEN"),
        hotline_text=settings.text("HOTLINE_TEXT", DEFAULT_HOTLINE_TEXT),
        rate_limit_per_minute=int(
            settings.number("RATE_LIMIT_PER_MINUTE", ChannelsConfig.rate_limit_per_minute)
        ),
        host=settings.text("GATEWAY_HOST", ChannelsConfig.host),
        webchat_port=settings.port("WEBCHAT_PORT", ChannelsConfig.webchat_port),
        trusted_proxy_hops=settings.count("TRUSTED_PROXY_HOPS", ChannelsConfig.trusted_proxy_hops),
        telegram_token=settings.text("TELEGRAM_BOT_TOKEN"),
        telegram_api_base_url=settings.url(
            "TELEGRAM_API_BASE_URL", ChannelsConfig.telegram_api_base_url
        ),
        telegram_webhook_url=settings.text("TELEGRAM_WEBHOOK_URL"),
        telegram_webhook_secret=settings.text("TELEGRAM_WEBHOOK_SECRET"),
        telegram_webhook_port=settings.port(
            "TELEGRAM_WEBHOOK_PORT", ChannelsConfig.telegram_webhook_port
        ),
        zalo_app_id=settings.text("ZALO_APP_ID"),
        zalo_oa_secret_key=settings.text("ZALO_OA_SECRET_KEY"),
        zalo_app_secret_key=settings.text("ZALO_APP_SECRET_KEY"),
        zalo_access_token=settings.text("ZALO_ACCESS_TOKEN"),
        zalo_refresh_token=settings.text("ZALO_REFRESH_TOKEN"),
        zalo_api_base_url=settings.url("ZALO_API_BASE_URL", ChannelsConfig.zalo_api_base_url),
        zalo_oauth_base_url=settings.url("ZALO_OAUTH_BASE_URL", ChannelsConfig.zalo_oauth_base_url),
        zalo_webhook_port=settings.port("ZALO_WEBHOOK_PORT", ChannelsConfig.zalo_webhook_port),
        zalo_token_file=settings.path("ZALO_TOKEN_FILE", ChannelsConfig.zalo_token_file),
        zalo_signature_max_age=settings.number(
            "ZALO_SIGNATURE_MAX_AGE_SECONDS", ChannelsConfig.zalo_signature_max_age
        ),
    )
    _check_telegram_webhook(config)
    return config


def _check_telegram_webhook(config: ChannelsConfig) -> None:
    if not (config.telegram_enabled and config.telegram_webhook_url):
        return
    if not config.telegram_webhook_url.startswith("https://"):
        raise ConfigError("TELEGRAM_WEBHOOK_URL must be an https:// URL")
    if not _TELEGRAM_SECRET.fullmatch(config.telegram_webhook_secret):
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET is required in webhook mode: 1-256 characters A-Z a-z 0-9 _ -"
        )


class _Settings:
    """Typed access to the raw values, raising `ConfigError` that names the variable."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def text(self, name: str, default: str = "") -> str:
        return self._values.get(name, "").strip() or default

    def url(self, name: str, default: str) -> str:
        value = self.text(name, default).rstrip("/")
        if urlsplit(value).scheme not in ("http", "https"):
            raise ConfigError(f"{name} must be an http(s) URL, got {value!r}")
        return value

    def number(self, name: str, default: float) -> float:
        raw = self.text(name)
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {raw!r}") from None
        if value <= 0:
            raise ConfigError(f"{name} must be positive, got {raw!r}")
        return value

    def count(self, name: str, default: int) -> int:
        raw = self.text(name)
        if not raw:
            return default
        if not raw.isdecimal():
            raise ConfigError(f"{name} must be a whole number (0 or more), got {raw!r}")
        return int(raw)

    def port(self, name: str, default: int) -> int:
        """A TCP port; 0 lets the system choose a free one (used by the tests)."""
        raw = self.text(name)
        if not raw:
            return default
        if not raw.isdigit() or int(raw) > 65535:
            raise ConfigError(f"{name} must be a port number (0-65535), got {raw!r}")
        return int(raw)

    def path(self, name: str, default: Path) -> Path:
        raw = self.text(name)
        path = Path(raw) if raw else default
        return path if path.is_absolute() else PROJECT_ROOT / path
