"""Configuration of the channel gateway: its part of the project's settings (`bot.settings`).

`.env.example` at the project root documents each variable. Real environment variables win
over the `.env` file, so a deployment can override it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from bot.settings import (  # noqa: F401  (ConfigError is part of this module's interface)
    DEFAULT_ENV_FILE,
    DEFAULT_HOTLINE_TEXT,
    PROJECT_ROOT,
    ConfigError,
    load_settings,
)

_TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


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
    zalo_cs_window_hours: float = 48.0
    zalo_transaction_url: str = ""

    database_url: str = ""  # empty: bot.db.engine's default
    feed_token: str = ""
    feed_port: int = 8082
    notify_quiet_hours: str = "21-7"
    notify_poll_seconds: float = 2.0
    notify_worker: str = "auto"
    handoff: str = "on"

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_token)

    @property
    def telegram_webhook_path(self) -> str:
        """The path part of the public webhook URL, which the local server listens on."""
        return urlsplit(self.telegram_webhook_url).path or "/"

    @property
    def feed_enabled(self) -> bool:
        return bool(self.feed_token)

    @property
    def notify_worker_enabled(self) -> bool:
        """The delivery worker runs where asked ("on"), or with the feed ("auto")."""
        wanted = self.notify_worker == "on" or (self.notify_worker == "auto" and self.feed_enabled)
        return wanted and (self.telegram_enabled or self.zalo_enabled)

    @property
    def handoff_enabled(self) -> bool:
        return self.handoff == "on"

    @property
    def zalo_enabled(self) -> bool:
        return bool(self.zalo_app_id and self.zalo_oa_secret_key)


def load_config(
    environ: Mapping[str, str] | None = None, env_file: Path | None = DEFAULT_ENV_FILE
) -> ChannelsConfig:
    """The gateway's part of the settings (`bot.settings`): `environ` (default: the process
    environment) over `env_file`."""
    settings = load_settings(environ, env_file)
    config = ChannelsConfig(
        rasa_url=settings.rasa_url,
        rasa_timeout=settings.rasa_timeout_seconds,
        rasa_channel_token=settings.rasa_channel_token,
        hotline_text=settings.hotline_text,
        rate_limit_per_minute=settings.rate_limit_per_minute,
        host=settings.gateway_host,
        webchat_port=settings.webchat_port,
        trusted_proxy_hops=settings.trusted_proxy_hops,
        telegram_token=settings.telegram_bot_token,
        telegram_api_base_url=settings.telegram_api_base_url,
        telegram_webhook_url=settings.telegram_webhook_url,
        telegram_webhook_secret=settings.telegram_webhook_secret,
        telegram_webhook_port=settings.telegram_webhook_port,
        zalo_app_id=settings.zalo_app_id,
        zalo_oa_secret_key=settings.zalo_oa_secret_key,
        zalo_app_secret_key=settings.zalo_app_secret_key,
        zalo_access_token=settings.zalo_access_token,
        zalo_refresh_token=settings.zalo_refresh_token,
        zalo_api_base_url=settings.zalo_api_base_url,
        zalo_oauth_base_url=settings.zalo_oauth_base_url,
        zalo_webhook_port=settings.zalo_webhook_port,
        zalo_token_file=settings.zalo_token_file,
        zalo_signature_max_age=settings.zalo_signature_max_age_seconds,
        zalo_cs_window_hours=settings.zalo_cs_window_hours,
        zalo_transaction_url=settings.zalo_transaction_url
        or f"{settings.zalo_api_base_url}/v3.0/oa/message/transaction",
        database_url=settings.database_url,
        feed_token=settings.feed_token,
        feed_port=settings.feed_port,
        notify_quiet_hours=settings.notify_quiet_hours,
        notify_poll_seconds=settings.notify_poll_seconds,
        notify_worker=settings.notify_worker,
        handoff=settings.handoff,
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
