"""`python -m bot gateway`: run the chat channels until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from telegram.error import InvalidToken, TelegramError

from bot import log_privacy
from bot.channels.config import ConfigError, load_config
from bot.channels.server import running_gateway
from bot.settings import Settings, env_file_path

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gateway",
        help="run the chat channels (Telegram, Zalo OA, web chat) in front of Rasa",
        description="Runs Telegram (if TELEGRAM_BOT_TOKEN is set), Zalo OA (if ZALO_APP_ID and "
        "ZALO_OA_SECRET_KEY are set) and the web chat; settings come from the environment "
        "and .env (see .env.example).",
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    logging.basicConfig(
        level=arguments.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request URL at INFO, and Telegram's URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        config = load_config(env_file=env_file_path())
    except ConfigError as error:
        print(f"LỖI cấu hình / configuration error: {error}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(config))
    except InvalidToken:
        print(
            "LỖI: Telegram từ chối TELEGRAM_BOT_TOKEN / Telegram rejected the bot token",
            file=sys.stderr,
        )
        return 1
    except (OSError, TelegramError) as error:
        message = log_privacy.redact(str(error))
        print(
            f"LỖI: không khởi động được gateway / gateway failed to start: {message}",
            file=sys.stderr,
        )
        return 1
    return 0


async def _serve(config: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running_gateway(config):
        log.info("Gateway running; Ctrl+C to stop")
        await stop.wait()
    log.info("Gateway stopped")
