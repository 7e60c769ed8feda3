"""The whole gateway: one Rasa client and one `Gateway`, shared by every configured channel,
plus the dossier feed and the notification delivery worker when configured."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.channels import feed, handoff, notify, telegram, webchat_server, zalo
from bot.channels.gateway import Gateway, GatewayState, RasaClient
from bot.channels.state import RedisState
from bot.db.engine import get_engine, is_up_to_date
from bot.db.models import vietnam_now
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunningGateway:
    """The bound ports (the config may ask for port 0); None for a channel not running."""

    gateway: Gateway
    webchat_port: int
    zalo_port: int | None
    telegram_webhook_port: int | None
    feed_port: int | None = None
    worker: notify.DeliveryWorker | None = None


@contextlib.asynccontextmanager
async def running_gateway(config: Settings) -> AsyncIterator[RunningGateway]:
    """Start every configured channel; stop them all (in reverse order) on exit."""
    async with contextlib.AsyncExitStack() as stack:
        session = await stack.enter_async_context(aiohttp.ClientSession())
        desk = _desk(config)
        gateway = Gateway(
            RasaClient(
                session, config.rasa_url, config.rasa_timeout_seconds, config.rasa_channel_token
            ),
            hotline_text=config.hotline_text,
            rate_limit_per_minute=config.rate_limit_per_minute,
            state=_shared_state(config, stack),
            desk=desk,
        )
        webchat_port = await stack.enter_async_context(
            webchat_server.running(config, gateway, desk)
        )
        log.info("Web chat on http://%s:%d/", config.gateway_host, webchat_port)
        zalo_client = None
        if config.zalo_enabled:
            zalo_client = zalo.ZaloClient(session, config, zalo.TokenStore(config.zalo_token_file))
        senders = _senders(config, session, zalo_client)
        worker = _worker(config, senders) if config.notify_worker_enabled else None
        if desk is not None and senders:
            relay = handoff.HandoffRelay(_engine(config), senders, config.notify_poll_seconds)
            await stack.enter_async_context(handoff.running(relay))
        zalo_port = None
        if zalo_client is not None:
            on_message = worker.note_inbound if worker else None
            zalo_port = await stack.enter_async_context(
                zalo.running(config, gateway, zalo_client, on_message)
            )
        telegram_port = None
        if config.telegram_enabled:
            telegram_port = await stack.enter_async_context(telegram.running(config, gateway))
        feed_port = None
        if config.feed_enabled:
            feed_port = await stack.enter_async_context(
                feed.running(
                    config.gateway_host,
                    config.feed_port,
                    config.feed_token,
                    _engine(config),
                    worker.wake if worker else _nothing,
                )
            )
        if worker is not None:
            await stack.enter_async_context(notify.running(worker))
            log.info("Dossier notifications: delivery worker running")
        yield RunningGateway(gateway, webchat_port, zalo_port, telegram_port, feed_port, worker)


def _shared_state(config: Settings, stack: contextlib.AsyncExitStack) -> GatewayState | None:
    """Redis when REDIS_URL is set (several gateway instances act as one), else None: the
    gateway keeps its state in this process."""
    if not config.redis_url:
        return None
    state = RedisState.from_url(config.redis_url, config.rate_limit_per_minute)
    stack.push_async_callback(state.close)
    log.info("Gateway state (duplicates, rate limit) shared in Redis")
    return state


def _desk(config: Settings) -> handoff.HandoffDesk | None:
    """The handoff desk, when on and the database has its tables (else said once, here)."""
    if not config.handoff_enabled:
        return None
    engine = _engine(config)
    try:
        migrated = is_up_to_date(engine)
    except SQLAlchemyError as error:
        log.warning("Human handoff off: database unreachable (%s)", type(error).__name__)
        return None
    if not migrated:
        log.warning("Human handoff off: run `python -m bot db upgrade` to enable it")
        return None
    return handoff.HandoffDesk(engine)


def _engine(config: Settings) -> Engine:
    return get_engine(config.database_url or None)


def _nothing() -> None:
    """No worker in this gateway to wake: another instance polls the outbox."""


def _senders(
    config: Settings, session: aiohttp.ClientSession, zalo_client: zalo.ZaloClient | None
) -> dict[str, notify.Sender]:
    """How this gateway pushes a message to a channel (status notifications, staff replies)."""
    senders: dict[str, notify.Sender] = {}
    if config.telegram_enabled:
        senders["telegram"] = notify.TelegramSender(
            session,
            config.telegram_api_base_url,
            config.telegram_bot_token,
            telegram.compact_callback_data,
        )
    if zalo_client is not None:
        senders["zalo"] = notify.ZaloSender(
            zalo_client, timedelta(hours=config.zalo_cs_window_hours), vietnam_now
        )
    return senders


def _worker(config: Settings, senders: dict[str, notify.Sender]) -> notify.DeliveryWorker:
    return notify.DeliveryWorker(
        _engine(config),
        senders,
        notify.QuietHours.parse(config.notify_quiet_hours),
        poll_seconds=config.notify_poll_seconds,
    )
