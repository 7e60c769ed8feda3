"""Web chat: the page and its JSON API, through the shared gateway logic (real HTTP)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from bot import payloads, wording
from bot.channels.gateway import greeting
from tests.helpers.channel_fakes import HOTLINE, FakeRasa

SENDER_ID = "3f2b8c1e-5d6a-4b7c-9e8f-0a1b2c3d4e5f"


async def _ask(
    http: aiohttp.ClientSession, port: int, message: Any, sender: Any = SENDER_ID
) -> tuple[int, dict]:
    url = f"http://127.0.0.1:{port}/api/message"
    async with http.post(url, json={"sender": sender, "message": message}) as response:
        return response.status, await response.json()


async def test_message_is_answered_with_text_and_buttons(
    start_gateway, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    fake_rasa.reply(
        "tra cứu hồ sơ",
        {"text": "Hồ sơ loại nào?", "buttons": [{"title": "Hộ tịch", "payload": "/ho_tich"}]},
    )
    async with start_gateway() as running:
        status, data = await _ask(http, running.webchat_port, "tra cứu   hồ sơ")

    assert status == 200
    assert data == {
        "messages": [
            {"text": "Hồ sơ loại nào?", "buttons": [{"title": "Hộ tịch", "payload": "/ho_tich"}]}
        ]
    }
    assert fake_rasa.received.items == [
        {
            "sender": f"web:{SENDER_ID}",
            "message": "tra cứu hồ sơ",
            "metadata": {"channel": "web", "client_address": "127.0.0.1"},
        }
    ]


async def test_rate_limit_warns_once_then_stays_silent(
    start_gateway, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    async with start_gateway(RATE_LIMIT_PER_MINUTE="3") as running:
        answers = [await _ask(http, running.webchat_port, f"câu {n}") for n in range(5)]
        _, other_user = await _ask(
            http, running.webchat_port, "người khác", sender="another-user-0001"
        )

    texts = [[m["text"] for m in data["messages"]] for _, data in answers]
    assert texts == [
        ["Rasa nhận: câu 0"],
        ["Rasa nhận: câu 1"],
        ["Rasa nhận: câu 2"],
        [wording.RATE_LIMITED],
        [],
    ]
    assert len(fake_rasa.received.items) == 4  # three of the first user, one of the other
    assert other_user["messages"][0]["text"] == "Rasa nhận: người khác"


async def test_rasa_error_and_timeout_give_the_apology(
    start_gateway, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    apology = wording.APOLOGY.format(hotline=HOTLINE)
    async with start_gateway(RASA_TIMEOUT_SECONDS="0.3") as running:
        fake_rasa.mode = "error"
        _, failed = await _ask(http, running.webchat_port, "một")
        fake_rasa.mode = "slow"
        _, timed_out = await _ask(http, running.webchat_port, "hai")
        fake_rasa.mode = "ok"
        _, recovered = await _ask(http, running.webchat_port, "ba")

    assert failed["messages"] == [{"text": apology, "buttons": []}]
    assert timed_out["messages"] == [{"text": apology, "buttons": []}]
    assert recovered["messages"][0]["text"] == "Rasa nhận: ba"


async def test_one_users_turns_go_to_rasa_one_at_a_time(
    start_gateway, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    fake_rasa.latency = 0.02
    async with start_gateway() as running:
        port = running.webchat_port
        same_user = [_ask(http, port, f"câu {n}") for n in range(5)]
        other_users = [_ask(http, port, "chào", sender=f"other-user-{n:04}") for n in range(3)]
        answers = await asyncio.gather(*same_user, *other_users)

    assert fake_rasa.max_in_flight > 1  # different users are served concurrently,
    assert fake_rasa.max_in_flight_per_sender == 1  # one user's turns one after the other
    assert [data["messages"][0]["text"] for _, data in answers[:5]] == [
        f"Rasa nhận: câu {n}" for n in range(5)
    ]


async def test_bad_requests_get_a_vietnamese_error(
    start_gateway, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    async with start_gateway() as running:
        url = f"http://127.0.0.1:{running.webchat_port}/api/message"
        results = [
            await _ask(http, running.webchat_port, "xin chào", sender="../../etc"),
            await _ask(http, running.webchat_port, None),
        ]
        bodies = [b"not json", b"", b"[]", b'"xin ch\xc3\xa0o"', b'{"a":' * 50 + b"1" + b"}" * 50]
        bodies.append(b"[" * 30_000)  # makes the JSON parser recurse too deep
        for body in bodies:
            async with http.post(
                url, data=body, headers={"Content-Type": "application/json"}
            ) as response:
                results.append((response.status, await response.json()))

    assert [status for status, _ in results] == [400] * 8
    assert all(data["error"] and "Traceback" not in data["error"] for _, data in results)
    assert "tải lại trang" in results[0][1]["error"]
    assert fake_rasa.received.items == []


async def test_page_and_welcome_are_served(start_gateway, http: aiohttp.ClientSession) -> None:
    async with start_gateway() as running:
        base = f"http://127.0.0.1:{running.webchat_port}"
        async with http.get(f"{base}/") as page:
            html, headers = await page.text(), page.headers
        async with http.get(f"{base}/static/app.js") as script:
            script_status = script.status
        async with http.get(f"{base}/api/welcome") as welcome:
            welcome_data = await welcome.json()

    assert '<html lang="vi">' in html and "/static/app.js" in html
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert script_status == 200
    assert welcome_data["hotline"] == HOTLINE
    assert welcome_data["messages"][0]["text"] == greeting().text
    assert [b["payload"] for b in welcome_data["messages"][0]["buttons"]] == [
        payloads.STATUS_LOOKUP_REQUEST,
        payloads.SURVEY_REQUEST,
    ]
