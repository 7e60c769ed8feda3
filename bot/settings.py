"""Every setting of every process (gateway, Rasa, action server, command line), read in one place.

Values come from the process environment and from the project's `.env` file (another file
with `ASSISTANT_ENV_FILE`); the environment wins. `.env.example` documents each variable: a
field here is the lower-case name of one variable there. An empty value means "not set".

`get_settings()` is what the processes call; `load_settings()` builds settings from an
explicit mapping instead of the process environment (tests, `load_config`).

In production (`ASSISTANT_ENV=production`) a process refuses to start while a secret it
needs is missing, short, or the development hash salt (`startup_problems`).
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import BaseSettings, NonNegativeInt, ValidationError, conint, validator
from pydantic.fields import ModelField

from bot.office_hours import OfficeHours

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ENV_FILE = PROJECT_ROOT / ".env"
DEVELOPMENT_SALT = "tro-ly-tthc-development-salt"
DEFAULT_HOTLINE_TEXT = "Tổng đài Cổng Dịch vụ công quốc gia: 1800 1096"  # a real public number until HOTLINE_TEXT is set
DEFAULT_OFFICE_TEXT = (
    "Bộ phận Một cửa UBND xã/phường nơi bạn cư trú, giờ hành chính các ngày làm việc"
)
DEFAULT_OFFICE_HOURS = "mon-fri 07:30-11:30 13:30-17:00; sat 07:30-11:30"
SECRET_MIN_LENGTH = 16
LOOPBACK = "127.0.0.1"

if TYPE_CHECKING:  # pydantic 1 constrained types are values, not types, for mypy
    Port = int
else:
    Port = conint(ge=0, le=65535)  # 0 lets the system choose a free port (tests)


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    # --- shared ---
    assistant_env: Literal["development", "production"] = "development"
    database_url: str = ""
    assistant_hash_salt: str = ""
    hotline_text: str = DEFAULT_HOTLINE_TEXT
    office_text: str = DEFAULT_OFFICE_TEXT
    portal_url: str = "https://dichvucong.gov.vn"

    # --- Rasa server (python -m bot rasa) and the way to it ---
    rasa_url: str = "http://localhost:5005"
    rasa_host: str = LOOPBACK
    rasa_port: Port = 5005
    rasa_auth_token: str = ""
    rasa_jwt_secret: str = ""
    rasa_channel_token: str = ""

    # --- action server (python -m bot actions) ---
    action_server_url: str = ""
    action_server_host: str = LOOPBACK
    action_server_port: Port = 5055
    action_server_token: str = ""

    # --- endpoints.production.yml (handed to Rasa by python -m bot rasa) ---
    tracker_db_host: str = ""
    tracker_db_port: Port = 5432
    tracker_db_name: str = ""
    tracker_db_user: str = ""
    tracker_db_password: str = ""
    redis_host: str = ""
    redis_port: Port = 6379

    # --- gateway (python -m bot gateway) ---
    rasa_timeout_seconds: float = 30.0
    rate_limit_per_minute: int = 20
    redis_url: str = ""  # gateway state shared by several instances (duplicates, rate limit)
    gateway_host: str = "0.0.0.0"
    webchat_port: Port = 8080
    trusted_proxy_hops: NonNegativeInt = (
        0  # reverse proxies in front of the web chat whose X-Forwarded-For is believed
    )
    telegram_bot_token: str = ""
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    telegram_webhook_port: Port = 8443
    zalo_app_id: str = ""
    zalo_oa_secret_key: str = ""
    zalo_app_secret_key: str = ""
    zalo_access_token: str = ""
    zalo_refresh_token: str = ""
    zalo_token_file: Path = Path("data/zalo_tokens.json")
    zalo_api_base_url: str = "https://openapi.zalo.me"
    zalo_oauth_base_url: str = "https://oauth.zaloapp.com"
    zalo_webhook_port: Port = 8081
    zalo_signature_max_age_seconds: float = 300.0
    zalo_cs_window_hours: float = (
        48.0  # consultation messages only this long after the user's last message
    )
    zalo_transaction_url: str = ""  # OA transaction-message endpoint (default: ZALO_API_BASE_URL's)

    # --- dossier feed and notifications (python -m bot gateway) ---
    feed_token: str = ""  # the feed endpoint is off without it
    feed_port: Port = 8082
    notify_quiet_hours: str = "21-7"  # Vietnam time, "off" to send at any hour
    notify_poll_seconds: float = 2.0
    notify_worker: Literal["auto", "on", "off"] = "auto"  # auto: where the feed runs

    # --- staff console (python -m bot console) and human handoff ---
    console_host: str = LOOPBACK
    console_port: Port = 8090
    console_idle_minutes: float = 30.0  # a console session ends after this long without a request
    console_secure_cookies: bool = False  # set behind a TLS proxy (https requests get it anyway)
    office_hours: str = DEFAULT_OFFICE_HOURS  # Vietnam time; when staff answer handed-off chats
    handoff: Literal["on", "off"] = (
        "on"  # the gateway hands conversations to staff (needs the database)
    )

    class Config:
        env_file_encoding = "utf-8"
        case_sensitive = False
        validate_all = True  # defaults too (ZALO_TOKEN_FILE's is relative to the project)

    @validator("*", pre=True)
    def _blank_means_default(cls, value: Any, field: ModelField) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return field.default if value == "" else value
        return value

    @validator(
        "rasa_url",
        "portal_url",
        "telegram_api_base_url",
        "zalo_api_base_url",
        "zalo_oauth_base_url",
        "zalo_transaction_url",
    )
    def _http_url(cls, value: str, field: ModelField) -> str:
        if value == field.default == "":  # optional and not set
            return value
        if urlsplit(value).scheme not in ("http", "https"):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value.rstrip("/")

    @validator("notify_quiet_hours")
    def _quiet_hours(cls, value: str) -> str:
        if value.lower() != "off" and not re.fullmatch(r"(1?[0-9]|2[0-3])-(1?[0-9]|2[0-3])", value):
            raise ValueError(f"must be two hours like 21-7, or off; got {value!r}")
        return value.lower()

    @validator(
        "rasa_timeout_seconds",
        "rate_limit_per_minute",
        "zalo_signature_max_age_seconds",
        "zalo_cs_window_hours",
        "notify_poll_seconds",
        "console_idle_minutes",
    )
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError(f"must be positive, got {value!r}")
        return value

    @validator("office_hours")
    def _office_hours(cls, value: str) -> str:
        OfficeHours.parse(value)  # raises ValueError naming what is wrong
        return value

    @validator("zalo_token_file")
    def _inside_project_unless_absolute(cls, value: Path) -> Path:
        return value if value.is_absolute() else PROJECT_ROOT / value

    @validator("zalo_transaction_url")
    def _transaction_url_of_the_api(cls, value: str, values: dict[str, Any]) -> str:
        return value or f"{values.get('zalo_api_base_url', '')}/v3.0/oa/message/transaction"

    # --- what the gateway derives from its settings ---

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def telegram_webhook_path(self) -> str:
        """The path part of the public webhook URL, which the local server listens on."""
        return urlsplit(self.telegram_webhook_url).path or "/"

    @property
    def handoff_enabled(self) -> bool:
        return self.handoff == "on"

    @property
    def zalo_enabled(self) -> bool:
        return bool(self.zalo_app_id and self.zalo_oa_secret_key)

    @property
    def feed_enabled(self) -> bool:
        return bool(self.feed_token)

    @property
    def notify_worker_enabled(self) -> bool:
        """The delivery worker runs where asked ("on"), or with the feed ("auto")."""
        wanted = self.notify_worker == "on" or (self.notify_worker == "auto" and self.feed_enabled)
        return wanted and (self.telegram_enabled or self.zalo_enabled)

    @property
    def production(self) -> bool:
        return self.assistant_env == "production"

    @property
    def hash_salt(self) -> str:
        return self.assistant_hash_salt or DEVELOPMENT_SALT

    @property
    def rasa_api_enabled(self) -> bool:
        """Rasa's HTTP API (trackers, events, models) runs only behind a token or a JWT secret."""
        return bool(self.rasa_auth_token or self.rasa_jwt_secret)

    @property
    def action_endpoint_url(self) -> str:
        """Where Rasa calls the actions: `ACTION_SERVER_URL`, else this machine's action server."""
        if self.action_server_url:
            return self.action_server_url
        host = (
            LOOPBACK
            if self.action_server_host in ("0.0.0.0", "::", "")
            else self.action_server_host
        )
        return f"http://{host}:{self.action_server_port}/webhook"

    def secrets(self) -> list[str]:
        """Every configured secret value (what the log filter masks)."""
        values = [getattr(self, name) for name in SECRET_FIELDS]
        password = _url_password(self.database_url)
        return [value for value in [*values, password] if value]


SECRET_FIELDS = (
    "assistant_hash_salt",
    "rasa_auth_token",
    "rasa_jwt_secret",
    "rasa_channel_token",
    "action_server_token",
    "tracker_db_password",
    "telegram_bot_token",
    "telegram_webhook_secret",
    "zalo_oa_secret_key",
    "zalo_app_secret_key",
    "zalo_access_token",
    "zalo_refresh_token",
    "feed_token",
)
ENV_NAMES = tuple(name.upper() for name in Settings.__fields__)

# What each process needs before it may start. Always: the action server and Rasa cannot
# talk without the shared token (launchers generate one for a development run). In
# production also: the real hash salt where phone numbers are hashed, and the token the
# gateway shows Rasa's REST channel.
REQUIRED_ALWAYS: dict[str, tuple[str, ...]] = {
    "actions": ("action_server_token",),
    "rasa": ("action_server_token",),
}
REQUIRED_IN_PRODUCTION: dict[str, tuple[str, ...]] = {
    "actions": ("assistant_hash_salt", "action_server_token"),
    "rasa": ("action_server_token", "rasa_channel_token"),
    "gateway": ("rasa_channel_token",),
    "database": ("assistant_hash_salt",),
}


def env_file_path() -> Path:
    """The `.env` file to read: `ASSISTANT_ENV_FILE`, else the project's `.env`."""
    chosen = os.environ.get("ASSISTANT_ENV_FILE", "").strip()
    return Path(chosen) if chosen else DEFAULT_ENV_FILE


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = DEFAULT_ENV_FILE
) -> Settings:
    """Settings from `environ` (default: the process environment) over `env_file`.

    Raises `ConfigError` naming the first bad variable.
    """
    try:
        # BaseSettings' own `_env_file` argument, unknown to mypy: passed through a mapping
        source: dict[str, Any] = (
            {"_env_file": _existing(env_file)}
            if environ is None
            else {"_env_file": None, **_explicit_values(environ, env_file)}
        )
        return Settings(**source)
    except ValidationError as error:
        first = error.errors()[0]
        raise ConfigError(f"{str(first['loc'][0]).upper()}: {first['msg']}") from None


def get_settings() -> Settings:
    """The settings in force, read again only when the environment or the `.env` file changes."""
    env_file = env_file_path()
    try:
        modified: int | None = os.stat(env_file).st_mtime_ns
    except OSError:
        modified = None
    return _cached_settings(tuple(map(os.environ.get, ENV_NAMES)), env_file, modified)


@functools.lru_cache(maxsize=16)
def _cached_settings(
    _environment: tuple[str | None, ...], env_file: Path, _modified: int | None
) -> Settings:
    return load_settings(None, env_file)


def startup_problems(settings: Settings, process: str) -> list[str]:
    """Why `process` ("actions", "rasa", "gateway", "database") must not start; empty if fine."""
    required = REQUIRED_ALWAYS.get(process, ())
    if settings.production:
        required = REQUIRED_IN_PRODUCTION.get(process, ())
        if process == "gateway" and settings.feed_token:  # the dossier feed hashes phone numbers
            required = (*required, "assistant_hash_salt", "feed_token")
    problems = [f"{name.upper()} is not set" for name in required if not getattr(settings, name)]
    if not settings.production:
        return problems
    if "assistant_hash_salt" in required and settings.hash_salt == DEVELOPMENT_SALT:
        problems.append("ASSISTANT_HASH_SALT is the development salt")
    checked = [*required, *(("rasa_auth_token", "rasa_jwt_secret") if process == "rasa" else ())]
    problems += [
        f"{name.upper()} is shorter than {SECRET_MIN_LENGTH} characters"
        for name in checked
        if 0 < len(getattr(settings, name)) < SECRET_MIN_LENGTH
    ]
    return problems


def settings_for_startup(process: str) -> Settings:
    """The settings, or exit with code 2 and a message naming each problem for `process`."""
    try:
        settings = get_settings()
    except ConfigError as error:
        _refuse([str(error)])
    problems = startup_problems(settings, process)
    if problems:
        _refuse(problems)
    return settings


def _refuse(problems: list[str]) -> NoReturn:
    lines = "\n".join(f"  - {problem}" for problem in problems)
    print(
        f"LỖI cấu hình, không khởi động / configuration error, not starting:\n{lines}\n"
        "(xem / see .env.example)",
        file=sys.stderr,
    )
    raise SystemExit(2)


def _existing(env_file: Path | None) -> Path | None:
    return env_file if env_file is not None and env_file.is_file() else None


def _explicit_values(environ: Mapping[str, str], env_file: Path | None) -> dict[str, str]:
    """Every field given explicitly, so that the process environment is not consulted."""
    existing = _existing(env_file)
    given = {**(dotenv_values(existing) if existing else {}), **environ}
    return {name: given.get(name.upper()) or "" for name in Settings.__fields__}


def _url_password(url: str) -> str:
    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""
