"""Seeded fuzzing of every HTTP entry point in-process: the web chat API, the Zalo and
Telegram webhooks (gateway in front of the fake Rasa) and Rasa's input channel (in front
of a scripted agent). The real Rasa server gets its share in test_channels_rasa.py.

For each target: no answer >= 500, no traceback in an answer or in the logs, no silent
200, and a normal question is still answered afterwards. `-s` prints the tallies.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

import aiohttp
import pytest

from bot.channels.rasa_input import GatewayRestInput
from tests.helpers.channel_fakes import (
    HOTLINE,
    FakeRasa,
    FakeTelegram,
    FakeZalo,
    tg_button_press,
    tg_photo,
    tg_text,
    zalo_event,
    zalo_signature,
    zalo_text,
)
from tests.helpers.fuzz_inputs import SEED, Fuzzer, Tally, check_rasa_answer, latin1, tracebacks_in
from tests.helpers.rasa_channel_harness import FakeAgent, serve_channel

CASES = {"web chat": 500, "Zalo webhook": 450, "Telegram webhook": 450, "Rasa channel": 300}
WEBHOOK_SECRET = "fuzz_Secret-1"
NORMAL_QUESTION = "lệ phí làm hộ chiếu"
ECHO = f"Rasa nhận: {NORMAL_QUESTION}"  # the fake Rasa's answer to it


@pytest.fixture(autouse=True)
def no_tracebacks_logged(caplog: pytest.LogCaptureFixture) -> Any:
    """After the test: no log record carried a traceback (warnings and errors are kept)."""
    caplog.set_level(logging.WARNING)
    yield
    records = caplog.get_records("call")
    assert [record.getMessage() for record in records if record.exc_info] == []
    assert tracebacks_in("\n".join(record.getMessage() for record in records)) == []


def _finish(tally: Tally) -> None:
    print(tally.summary())
    assert tally.cases >= CASES[tally.target]
    assert tally.problems == []


def _content_type(fuzzer: Fuzzer) -> dict[str, str]:
    kind = fuzzer.rng.choice(("application/json", "text/plain", "", "multipart/form-data"))
    return {"Content-Type": kind} if kind else {}


async def _post(
    http: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes]:
    sendable = {key: latin1(value) for key, value in headers.items()}
    async with http.post(url, data=body, headers=sendable) as response:
        return response.status, await response.read()


async def test_fuzz_web_chat(
    start_gateway, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    fuzzer, tally = Fuzzer(SEED + 1), Tally("web chat")
    senders = [str(uuid.UUID(int=fuzzer.rng.getrandbits(128))) for _ in range(20)]

    def valid() -> dict[str, Any]:
        return {"sender": fuzzer.rng.choice(senders), "message": fuzzer.text()}

    async with start_gateway(RATE_LIMIT_PER_MINUTE="100000", TRUSTED_PROXY_HOPS="1") as running:
        url = f"http://127.0.0.1:{running.webchat_port}/api/message"
        for _ in range(CASES[tally.target]):
            body = fuzzer.body(valid)
            headers = {**_content_type(fuzzer), "X-Forwarded-For": fuzzer.text()[:200]}
            status, answer = await _post(http, url, body, headers)
            tally.record(status, answer, body)
            if status == 200 and not _web_texts(answer):
                tally.problem("silent 200", body)
        normal_body = json.dumps({"sender": senders[0], "message": NORMAL_QUESTION}).encode()
        _, normal = await _post(http, url, normal_body, {})
    assert _web_texts(normal) == [ECHO]
    _finish(tally)


def _web_texts(answer: bytes) -> list[str]:
    return [message["text"] for message in json.loads(answer)["messages"] if message["text"]]


async def test_fuzz_zalo_webhook(
    start_gateway,
    zalo_env: dict[str, str],
    fake_zalo: FakeZalo,
    fake_rasa: FakeRasa,
    http: aiohttp.ClientSession,
) -> None:
    fuzzer, tally = Fuzzer(SEED + 2), Tally("Zalo webhook")
    msg_ids = iter(range(10**6))

    def valid() -> dict[str, Any]:
        user_id = f"zalo-user-{fuzzer.rng.randrange(20)}"
        if fuzzer.chance(0.8):
            return zalo_text(fuzzer.text(), f"msg-{next(msg_ids)}", user_id=user_id)
        name = fuzzer.rng.choice(("follow", "user_send_image", "user_send_sticker", "oa_send_text"))
        return zalo_event(name, user_id=user_id)

    async with start_gateway(RATE_LIMIT_PER_MINUTE="100000", **zalo_env) as running:
        url = f"http://127.0.0.1:{running.zalo_port}/zalo/webhook"
        for _ in range(CASES[tally.target]):
            body = fuzzer.body(valid)
            headers = {**_content_type(fuzzer), "X-ZEvent-Signature": _zalo_signature(fuzzer, body)}
            status, answer = await _post(http, url, body, headers)
            tally.record(status, answer, body)
        last = zalo_text(NORMAL_QUESTION, "msg-last", user_id="zalo-normal")
        body = json.dumps(last).encode()
        signature = zalo_signature(body, last["timestamp"])
        await _post(http, url, body, {"X-ZEvent-Signature": signature})
        await fake_zalo.messages.wait_for(1, lambda r: r["body"]["message"].get("text") == ECHO)
    _finish(tally)


def _zalo_signature(fuzzer: Fuzzer, body: bytes) -> str:
    """Mostly the right signature for the body's own timestamp, else junk."""
    if fuzzer.chance(0.15):
        return fuzzer.rng.choice(("", "mac=" + "0" * 64, "mac=", fuzzer.text()[:100]))
    try:
        timestamp = str(json.loads(body).get("timestamp", ""))
    except (ValueError, RecursionError, AttributeError):
        timestamp = str(int(time.time() * 1000))
    return zalo_signature(body, timestamp)


async def test_fuzz_telegram_webhook(
    start_gateway,
    telegram_env: dict[str, str],
    fake_telegram: FakeTelegram,
    fake_rasa: FakeRasa,
    http: aiohttp.ClientSession,
) -> None:
    fuzzer, tally = Fuzzer(SEED + 3), Tally("Telegram webhook")
    update_ids = iter(range(1, 10**6))

    def valid() -> dict[str, Any]:
        """A text (with odd entities), a button press or a photo; often with one value of
        the message or button press of another type (PTB does not check types)."""
        update_id, roll = next(update_ids), fuzzer.rng.random()
        if roll < 0.6:
            update = tg_text(update_id, fuzzer.text() or "x")
            update["message"]["entities"] = _entities(fuzzer, update["message"]["text"])
        elif roll < 0.85:
            data = fuzzer.rng.choice((fuzzer.slash_command(), "k:x", ""))
            update = tg_button_press(update_id, data)
        else:
            update = tg_photo(update_id)
        content = "callback_query" if "callback_query" in update else "message"
        if fuzzer.chance(0.4):
            update[content] = fuzzer.replace_one(update[content])
        return update

    env = {
        **telegram_env,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.gov.vn/telegram/hook",
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TELEGRAM_WEBHOOK_PORT": "0",
        "RATE_LIMIT_PER_MINUTE": "100000",
    }
    async with start_gateway(**env) as running:
        url = f"http://127.0.0.1:{running.telegram_webhook_port}/telegram/hook"
        for _ in range(CASES[tally.target]):
            body = fuzzer.body(valid)
            secret = WEBHOOK_SECRET if fuzzer.chance(0.9) else fuzzer.text()[:50]
            headers = {**_content_type(fuzzer), "X-Telegram-Bot-Api-Secret-Token": secret}
            status, answer = await _post(http, url, body, headers)
            tally.record(status, answer, body)
        last = tg_text(10**6, NORMAL_QUESTION)
        last["message"]["chat"]["id"] = 777
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        await _post(http, url, json.dumps(last).encode(), headers)
        await fake_telegram.calls.wait_for(1, lambda c: c["params"].get("text") == ECHO)
    _finish(tally)


def _entities(fuzzer: Fuzzer, text: str) -> list[dict[str, Any]]:
    """Message entities with offsets and lengths that may not fit the text."""
    rng = fuzzer.rng
    kinds = ("bot_command", "mention", "url", "text_link", "bold", "custom_emoji", "pre", "x")
    return [
        {
            "type": rng.choice(kinds),
            "offset": rng.choice((0, 0, 1, len(text), -1, rng.randrange(-5, len(text) + 5))),
            "length": rng.choice((0, 1, len(text), len(text) + 3, -1, 2**40)),
        }
        for _ in range(rng.randint(0, 3))
    ]


async def test_fuzz_rasa_input_channel(http: aiohttp.ClientSession) -> None:
    fuzzer, tally = Fuzzer(SEED + 4), Tally("Rasa channel")
    token = "fuzz-token"

    def valid() -> dict[str, Any]:
        metadata = {"channel": "web", "client_address": "203.0.113.7"}
        sender = fuzzer.rng.choice(("tg:1", "web:abc", "zalo:2", fuzzer.text()[:30]))
        return {"sender": sender, "message": fuzzer.text(), "metadata": metadata}

    async with serve_channel(GatewayRestInput(token, HOTLINE), FakeAgent()) as url:
        for _ in range(CASES[tally.target]):
            body = fuzzer.body(valid)
            headers = {**_content_type(fuzzer), "X-Rasa-Channel-Token": token}
            if fuzzer.chance(0.05):
                headers["X-Rasa-Channel-Token"] = fuzzer.text()[:40]
            status, answer = await _post(http, url, body, headers)
            tally.record(status, answer, body)
            check_rasa_answer(tally, status, answer, body)
        normal = json.dumps({"sender": "tg:1", "message": NORMAL_QUESTION}).encode()
        _, answer = await _post(http, url, normal, {"X-Rasa-Channel-Token": token})
    assert json.loads(answer) == [{"recipient_id": "tg:1", "text": f"Rasa: {NORMAL_QUESTION}"}]
    _finish(tally)
