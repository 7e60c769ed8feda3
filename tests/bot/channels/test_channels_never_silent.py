"""Every channel answers: an empty or failed Rasa turn and an over-long or blank message
each get a Vietnamese reply on the web chat, Telegram and Zalo; what the gateway tells
Rasa besides the text (metadata, token)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from bot import wording
from bot.channels.inputs import MAX_MESSAGE_CHARS, TOO_LONG_REPLY
from bot.channels.server import RunningGateway
from tests.helpers.channel_fakes import (
    HOTLINE,
    USER,
    FakeRasa,
    FakeTelegram,
    FakeZalo,
    post_zalo,
    tg_text,
    zalo_text,
)

WEB_SENDER = "3f2b8c1e-5d6a-4b7c-9e8f-0a1b2c3d4e5f"
Ask = Callable[[RunningGateway, str], Awaitable[str]]


async def _web_answer(
    http: aiohttp.ClientSession, port: int, text: str, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    url = f"http://127.0.0.1:{port}/api/message"
    body = {"sender": WEB_SENDER, "message": text}
    async with http.post(url, json=body, headers=headers or {}) as response:
        assert response.status == 200
        return (await response.json())["messages"]


@pytest.fixture
def channel_env(
    request: pytest.FixtureRequest, telegram_env: dict[str, str], zalo_env: dict[str, str]
) -> dict[str, str]:
    return {"web": {}, "telegram": telegram_env, "zalo": zalo_env}[request.param]


@pytest.fixture
def ask(
    request: pytest.FixtureRequest,
    http: aiohttp.ClientSession,
    fake_telegram: FakeTelegram,
    fake_zalo: FakeZalo,
) -> Ask:
    """Send one text through the channel named by the test's parameter; the answer's text."""

    async def web(running: RunningGateway, text: str) -> str:
        [answer] = await _web_answer(http, running.webchat_port, text)
        return answer["text"]

    async def telegram(running: RunningGateway, text: str) -> str:
        fake_telegram.push_update(tg_text(1, text))
        [sent] = await fake_telegram.sent_messages(1)
        return sent["text"]

    async def zalo(running: RunningGateway, text: str) -> str:
        assert running.zalo_port is not None
        assert await post_zalo(http, running.zalo_port, zalo_text(text, "msg-1")) == 200
        [sent] = await fake_zalo.delivered(1)
        return sent["message"]["text"]

    return {"web": web, "telegram": telegram, "zalo": zalo}[request.param]


CHANNELS = pytest.mark.parametrize(
    ("channel_env", "ask"), [(name, name) for name in ("web", "telegram", "zalo")],
    indirect=True, ids=["web", "telegram", "zalo"],
)  # fmt: skip


@CHANNELS
@pytest.mark.parametrize("mode", ["empty", "error"])
async def test_an_empty_or_failed_rasa_turn_gets_the_apology(
    start_gateway, channel_env: dict[str, str], ask: Ask, fake_rasa: FakeRasa, mode: str
) -> None:
    fake_rasa.mode = mode
    async with start_gateway(**channel_env) as running:
        answer = await ask(running, "lệ phí làm hộ chiếu")

    assert answer == wording.APOLOGY.format(hotline=HOTLINE) and HOTLINE in answer
    assert len(fake_rasa.received.items) == 1


@CHANNELS
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("câu hỏi " * (MAX_MESSAGE_CHARS // 8 + 1), TOO_LONG_REPLY),
        ("\x00\u200b\x07", wording.TEXT_ONLY),
    ],
    ids=["too-long", "invisible"],
)
async def test_a_message_rasa_cannot_read_is_refused_before_rasa(
    start_gateway,
    channel_env: dict[str, str],
    ask: Ask,
    fake_rasa: FakeRasa,
    text: str,
    expected: str,
) -> None:
    async with start_gateway(**channel_env) as running:
        assert await ask(running, text) == expected
    assert fake_rasa.received.items == []


async def test_the_length_limit_counts_characters_after_cleaning(
    start_gateway, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    at_limit = "a" * (MAX_MESSAGE_CHARS - 1) + "e\u0301" + "\x00"  # 2,000 once cleaned
    async with start_gateway() as running:
        await _web_answer(http, running.webchat_port, at_limit)
    assert len(fake_rasa.received.items[0]["message"]) == MAX_MESSAGE_CHARS


async def test_lone_surrogates_and_control_characters_never_reach_rasa(
    start_gateway, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    async with start_gateway() as running:
        await _web_answer(http, running.webchat_port, "tra\x1b cứu\ud800 hồ\u0000 sơ")
    assert fake_rasa.received.items[0]["message"] == "tra cứu\ufffd hồ sơ"


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        ("0", "203.0.113.9", "127.0.0.1"),  # no proxy configured: the header is ignored
        ("1", "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the proxy's own entry
        ("2", "198.51.100.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        ("1", "not-an-address", "127.0.0.1"),
        ("2", "203.0.113.9", "127.0.0.1"),  # fewer entries than proxies: not trusted
        ("1", "", "127.0.0.1"),
    ],
)
async def test_web_chat_tells_rasa_the_client_address(
    start_gateway,
    fake_rasa: FakeRasa,
    http: aiohttp.ClientSession,
    hops: str,
    forwarded: str,
    expected: str,
) -> None:
    async with start_gateway(TRUSTED_PROXY_HOPS=hops) as running:
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        await _web_answer(http, running.webchat_port, "xin chào", headers)
    [received] = fake_rasa.received.items
    assert received["metadata"] == {"channel": "web", "client_address": expected}


async def test_the_shared_token_goes_to_rasa_when_configured(
    start_gateway, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    async with start_gateway() as running:
        await _web_answer(http, running.webchat_port, "một")
    async with start_gateway(RASA_CHANNEL_TOKEN="s3cret") as running:
        await _web_answer(http, running.webchat_port, "hai")
    assert fake_rasa.tokens == [None, "s3cret"]


async def test_telegram_and_zalo_name_their_channel(
    start_gateway,
    telegram_env: dict[str, str],
    zalo_env: dict[str, str],
    fake_telegram: FakeTelegram,
    fake_rasa: FakeRasa,
    http: aiohttp.ClientSession,
) -> None:
    async with start_gateway(**telegram_env, **zalo_env) as running:
        fake_telegram.push_update(tg_text(1, "một"))
        await fake_rasa.received.wait_for(1)
        assert running.zalo_port is not None
        await post_zalo(http, running.zalo_port, zalo_text("hai", "msg-1"))
        await fake_rasa.received.wait_for(2)
    metadata = {item["sender"]: item["metadata"] for item in fake_rasa.received.items}
    assert metadata == {
        f"tg:{USER['id']}": {"channel": "telegram"},
        "zalo:zalo-user-1": {"channel": "zalo"},
    }
