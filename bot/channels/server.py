"""The whole gateway: one Rasa client and one `Gateway`, shared by every configured channel."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import AsyncIterator

import aiohttp

from bot.channels import feed, telegram, webchat_server, zalo
from bot.channels.config import ChannelsConfig
from bot.channels.gateway import Gateway, RasaClient
from bot.db.engine import get_engine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunningGateway:
    """The bound ports (the config may ask for port 0); None for a channel not running."""

    gateway: Gateway
    webchat_port: int
    zalo_port: int | None
    telegram_webhook_port: int | None
    feed_port: int | None = None


@contextlib.asynccontextmanager
async def running_gateway(config: ChannelsConfig) -> AsyncIterator[RunningGateway]:
    """Start every configured channel; stop them all (in reverse order) on exit."""
    async with contextlib.AsyncExitStack() as stack:
        session = await stack.enter_async_context(aiohttp.ClientSession())
        gateway = Gateway(
            RasaClient(session, config.rasa_url, config.rasa_timeout, config.rasa_channel_token),
            hotline_text=config.hotline_text,
            rate_limit_per_minute=config.rate_limit_per_minute,
        )
        webchat_port = await stack.enter_async_context(webchat_server.running(config, gateway))
        log.info("Web chat on http://%s:%d/", config.host, webchat_port)
        zalo_port = None
        if config.zalo_enabled:
            zalo_port = await stack.enter_async_context(zalo.running(config, gateway, session))
        telegram_port = None
        if config.telegram_enabled:
            telegram_port = await stack.enter_async_context(telegram.running(config, gateway))
        feed_port = None
        if config.feed_enabled:
            engine = get_engine(config.database_url or None)
            feed_port = await stack.enter_async_context(
                feed.running(config.host, config.feed_port, config.feed_token, engine)
            )
        yield RunningGateway(gateway, webchat_port, zalo_port, telegram_port, feed_port)
