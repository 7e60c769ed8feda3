"""Configuration of the channel gateway: the project's settings (`bot.settings`), with the
checks only the gateway needs (a Telegram webhook needs https and a secret).

`.env.example` at the project root documents each variable. Real environment variables win
over the `.env` file, so a deployment can override it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from bot.settings import (  # noqa: F401  (ConfigError is part of this module's interface)
    DEFAULT_ENV_FILE,
    ConfigError,
    Settings,
    load_settings,
)

_TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def load_config(
    environ: Mapping[str, str] | None = None, env_file: Path | None = DEFAULT_ENV_FILE
) -> Settings:
    """The settings (`bot.settings`) checked for the gateway: `environ` (default: the process
    environment) over `env_file`."""
    config = load_settings(environ, env_file)
    _check_telegram_webhook(config)
    return config


def _check_telegram_webhook(config: Settings) -> None:
    if not (config.telegram_enabled and config.telegram_webhook_url):
        return
    if not config.telegram_webhook_url.startswith("https://"):
        raise ConfigError("TELEGRAM_WEBHOOK_URL must be an https:// URL")
    if not _TELEGRAM_SECRET.fullmatch(config.telegram_webhook_secret):
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET is required in webhook mode: 1-256 characters A-Z a-z 0-9 _ -"
        )
