"""Rasa's input channel for the gateway (bot/channels/rasa_input.py), served by Sanic as
`rasa run` serves it, in front of a scripted agent (real HTTP, no model)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage

from bot import wording
from bot.channels.inputs import TOO_LONG_REPLY
from bot.channels.rasa_input import GatewayRestInput
from tests.helpers.channel_fakes import HOTLINE
from tests.helpers.rasa_channel_harness import FakeAgent, serve_channel

TOKEN = "gateway-token-1"
GOOD_HEADERS = {"X-Rasa-Channel-Token": TOKEN}


@pytest.fixture
def agent() -> FakeAgent:
    return FakeAgent()


@pytest.fixture
async def webhook(agent: FakeAgent) -> AsyncIterator[str]:
    async with serve_channel(GatewayRestInput(TOKEN, HOTLINE), agent) as url:
        yield url


async def _post(
    http: aiohttp.ClientSession, url: str, body: Any, headers: dict[str, str] = GOOD_HEADERS
) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with http.post(url, data=data, headers=headers) as response:
        return response.status, await response.json()


def _texts(answer: list[dict[str, Any]]) -> list[str]:
    return [message["text"] for message in answer]


async def test_message_reaches_rasa_cleaned_with_its_metadata(
    webhook: str, agent: FakeAgent, http: aiohttp.ClientSession
) -> None:
    metadata = {"channel": "web", "client_address": "203.0.113.7"}
    body = {"sender": "web:abc", "message": " Ca\u0301c  \x00bước\ud800 ", "metadata": metadata}
    status, answer = await _post(http, webhook, body)

    assert status == 200
    assert answer == [{"recipient_id": "web:abc", "text": "Rasa: Các bước\ufffd"}]
    [received] = agent.received
    assert (received.sender_id, received.input_channel) == ("web:abc", "rest")
    assert received.metadata == metadata


@pytest.mark.parametrize(
    "headers", [{}, {"X-Rasa-Channel-Token": "wrong"}, {"X-Rasa-Channel-Token": ""}]
)
async def test_without_the_gateway_token_nobody_speaks_as_a_user(
    webhook: str, agent: FakeAgent, http: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    status, answer = await _post(http, webhook, {"sender": "tg:1", "message": "hi"}, headers)
    assert status == 403 and "xác thực" in answer["error"]
    assert agent.received == []


async def test_without_a_configured_token_the_channel_is_open(
    agent: FakeAgent, http: aiohttp.ClientSession
) -> None:
    async with serve_channel(GatewayRestInput("", HOTLINE), agent) as url:
        status, answer = await _post(http, url, {"sender": "s", "message": "chào"}, headers={})
    assert (status, _texts(answer)) == (200, ["Rasa: chào"])


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"[]",
        b'[{"sender": "s", "message": "a"}]',
        b'"text"',
        b"42",
        b"null",
        b"{not json",
        b'{"sender": "s", "message": "\xff"}',
        b'{"a":' * 17 + b"1" + b"}" * 17,
        b"[" * 50_000,
        b'{"sender": "s", "message": "a", "metadata": ["x"]}',
    ],
    ids=[
        "empty",
        "blank",
        "empty-array",
        "array",
        "string",
        "number",
        "null",
        "broken",
        "not-utf8",
        "too-deep",
        "recursion",
        "metadata-not-object",
    ],
)
async def test_malformed_bodies_get_400_with_a_json_error(
    webhook: str, agent: FakeAgent, http: aiohttp.ClientSession, body: bytes
) -> None:
    status, answer = await _post(http, webhook, body)
    assert status == 400 and answer["error"]
    assert agent.received == []


async def test_an_oversized_body_gets_413(
    webhook: str, agent: FakeAgent, http: aiohttp.ClientSession
) -> None:
    status, answer = await _post(http, webhook, {"sender": "s", "message": "a" * 100_000})
    assert status == 413 and answer["error"]
    assert agent.received == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"sender": "s", "message": 1234}, wording.TEXT_ONLY),
        ({"sender": "s", "message": ["a"]}, wording.TEXT_ONLY),
        ({"sender": "s", "message": None}, wording.TEXT_ONLY),
        ({"sender": "s", "message": True}, wording.TEXT_ONLY),
        ({"sender": "s"}, wording.TEXT_ONLY),
        ({"sender": "s", "message": " \x00\u200b "}, wording.TEXT_ONLY),
        ({"sender": 5, "message": "a"}, wording.UNKNOWN_CONVERSATION),
        ({"sender": None, "message": "a"}, wording.UNKNOWN_CONVERSATION),
        ({"sender": "", "message": "a"}, wording.UNKNOWN_CONVERSATION),
        ({"sender": "a\x00b", "message": "a"}, wording.UNKNOWN_CONVERSATION),
        ({"sender": "x" * 257, "message": "a"}, wording.UNKNOWN_CONVERSATION),
        ({"sender": "s", "message": "câu hỏi " * 300}, TOO_LONG_REPLY),
    ],
    ids=[
        "number",
        "list",
        "null",
        "bool",
        "missing",
        "invisible",
        "sender-number",
        "sender-null",
        "sender-empty",
        "sender-control",
        "sender-long",
        "too-long",
    ],
)
async def test_unusable_messages_get_a_vietnamese_reply_before_the_nlu(
    webhook: str, agent: FakeAgent, http: aiohttp.ClientSession, body: Any, expected: str
) -> None:
    status, answer = await _post(http, webhook, body)
    assert (status, _texts(answer)) == (200, [expected])
    assert agent.received == []


@pytest.mark.parametrize(
    "payload",
    [
        '/ask_fee{"procedure": {"code": "1.001193"}}',
        '/ask_fee{"procedure": ["1.001193", "1.000001"]}',
        '/ask_fee{"procedure": ' + "[" * 950 + "]" * 950 + "}",
        '/ask_fee{"procedure": "1.001193"}}',
        "/ask_fee@0.9{[1]}",
    ],
    ids=["object-value", "list-value", "nested-too-deep", "broken", "not-an-object"],
)
async def test_a_button_payload_with_unusable_entities_is_refused(
    webhook: str, agent: FakeAgent, http: aiohttp.ClientSession, payload: str
) -> None:
    status, answer = await _post(http, webhook, {"sender": "s", "message": payload})
    assert (status, _texts(answer)) == (200, [wording.BUTTON_EXPIRED])
    assert agent.received == []


@pytest.mark.parametrize(
    "payload",
    [
        '/ask_documents{"procedure": "1.001193", "document_case": "2"}',
        '/ask_fee@0.9{"procedure": 1.5}',
        '/ask_fee{"procedure":',  # no entities for Rasa: it keeps the intent and warns
        "/greet",
        "/ nhắn gì đó {",
    ],
)
async def test_other_button_payloads_reach_rasa(
    webhook: str, agent: FakeAgent, http: aiohttp.ClientSession, payload: str
) -> None:
    status, answer = await _post(http, webhook, {"sender": "s", "message": payload})
    assert (status, _texts(answer)) == (200, [f"Rasa: {payload}"])


async def test_the_length_limit_counts_cleaned_characters(
    webhook: str, agent: FakeAgent, http: aiohttp.ClientSession
) -> None:
    at_limit = "a" * 1999 + "e\u0301"  # NFD: 2,001 code points, 2,000 once composed
    status, answer = await _post(http, webhook, {"sender": "s", "message": at_limit})
    assert status == 200 and _texts(answer) != [TOO_LONG_REPLY]
    assert len(agent.received[0].text) == 2000


async def _silent(message: UserMessage) -> None:
    """An action failed: Rasa logs it and the turn ends without a message."""


async def _raising(message: UserMessage) -> None:
    raise RuntimeError("lock store unavailable")


@pytest.mark.parametrize("behaviour", [_silent, _raising], ids=["no-message", "exception"])
async def test_a_turn_without_an_answer_gets_the_apology_with_the_hotline(
    webhook: str, agent: FakeAgent, http: aiohttp.ClientSession, behaviour: Any
) -> None:
    agent.behaviour = behaviour
    status, answer = await _post(http, webhook, {"sender": "tg:1", "message": "lệ phí"})
    assert (status, _texts(answer)) == (200, [wording.APOLOGY.format(hotline=HOTLINE)])
    assert HOTLINE in answer[0]["text"]
