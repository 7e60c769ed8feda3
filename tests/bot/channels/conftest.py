"""Fixtures for the channel tests: fake servers on loopback and a gateway wired to them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TypeVar

import aiohttp
import pytest

from bot.channels.config import load_config
from bot.channels.server import RunningGateway, running_gateway
from tests.helpers.channel_fakes import (
    HOTLINE,
    ZALO_APP_ID,
    ZALO_APP_SECRET,
    ZALO_OA_SECRET,
    FakeRasa,
    FakeTelegram,
    FakeZalo,
)

StartGateway = Callable[..., contextlib.AbstractAsyncContextManager[RunningGateway]]


FakeServer = TypeVar("FakeServer", FakeRasa, FakeTelegram, FakeZalo)


@contextlib.asynccontextmanager
async def _started(server: FakeServer) -> AsyncIterator[FakeServer]:
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    async with _started(FakeRasa()) as server:
        yield server


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with _started(FakeTelegram()) as server:
        yield server


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    zalo = FakeZalo(
        valid_access_token="access-1", refresh_token="refresh-1", app_secret_key=ZALO_APP_SECRET
    )
    async with _started(zalo) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def start_gateway(fake_rasa: FakeRasa) -> StartGateway:
    """`async with start_gateway(VAR=value, ...) as running:` runs the whole gateway.

    Only the web chat is on unless the Telegram or Zalo variables are given.
    """

    @contextlib.asynccontextmanager
    async def start(**env: str) -> AsyncIterator[RunningGateway]:
        environ = {
            "RASA_URL": fake_rasa.url,
            "RASA_TIMEOUT_SECONDS": "5",
            "HOTLINE_TEXT": HOTLINE,
            "GATEWAY_HOST": "127.0.0.1",
            "WEBCHAT_PORT": "0",
            "RATE_LIMIT_PER_MINUTE": "100",
            "HANDOFF": "off",  # no database here; tests/bot/console turns it on with one
            **env,
        }
        async with running_gateway(load_config(environ, env_file=None)) as running:
            yield running

    return start


@pytest.fixture
def telegram_env(fake_telegram: FakeTelegram) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": FakeTelegram.TOKEN, "TELEGRAM_API_BASE_URL": fake_telegram.url}


@pytest.fixture
def zalo_token_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "zalo_tokens.json"


@pytest.fixture
def zalo_env(fake_zalo: FakeZalo, zalo_token_file: Path) -> dict[str, str]:
    return {
        "ZALO_APP_ID": ZALO_APP_ID,
        "ZALO_OA_SECRET_KEY": ZALO_OA_SECRET,
        "ZALO_APP_SECRET_KEY": ZALO_APP_SECRET,
        "ZALO_ACCESS_TOKEN": "access-1",
        "ZALO_REFRESH_TOKEN": "refresh-1",
        "ZALO_API_BASE_URL": fake_zalo.url,
        "ZALO_OAUTH_BASE_URL": fake_zalo.url,
        "ZALO_WEBHOOK_PORT": "0",
        "ZALO_TOKEN_FILE": str(zalo_token_file),
    }
