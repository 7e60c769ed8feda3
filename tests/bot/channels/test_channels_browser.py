"""The web chat in headless Chromium, driven over the DevTools protocol, with real clicks."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from bot import payloads
from tests.helpers.browser import chromium, require_chromium
from tests.helpers.channel_fakes import WAIT_TIMEOUT, FakeRasa

pytestmark = pytest.mark.browser

SENDER_KEY = "tro-ly-tthc.sender"
LOOKUP_PAYLOAD = '/chon_loai_ho_so{"loai": "ho_tich"}'


def _chip(title: str) -> str:
    """JS for the enabled chip with this title."""
    chips = "[...document.querySelectorAll('.chip')]"
    return f"{chips}.find(b => b.textContent === {json.dumps(title)} && !b.disabled)"


def _bubble(kind: str, text: str) -> str:
    """JS for the first bubble of this kind ("bot", "user") containing the text."""
    bubbles = f"[...document.querySelectorAll('.bubble-{kind}')]"
    return f"{bubbles}.find(b => b.textContent.includes({json.dumps(text)}))"


async def test_chat_in_a_real_browser(start_gateway, fake_rasa: FakeRasa, tmp_path: Path) -> None:
    require_chromium()
    fake_rasa.reply(
        payloads.STATUS_LOOKUP_REQUEST,
        {
            "text": "Bạn muốn tra cứu loại hồ sơ nào?",
            "buttons": [{"title": "Hồ sơ hộ tịch", "payload": LOOKUP_PAYLOAD}],
        },
    )
    fake_rasa.reply(LOOKUP_PAYLOAD, {"text": "Mời bạn nhập mã hồ sơ."})
    fake_rasa.reply("HS-2024-000123", {"text": "Hồ sơ HS-2024-000123 đang được xử lý."})

    async with start_gateway() as running, chromium(tmp_path / "profile") as page:
        loaded = page.expect_event("Page.loadEventFired")
        await page.call("Page.navigate", url=f"http://127.0.0.1:{running.webchat_port}/")
        await asyncio.wait_for(loaded, WAIT_TIMEOUT)

        # The welcome arrives with its chips; clicking one sends its payload to Rasa.
        await page.wait_for(_chip("Tra cứu hồ sơ"))
        await page.click(_chip("Tra cứu hồ sơ"))
        [first] = await fake_rasa.received.wait_for(1)
        await page.wait_for(_chip("Hồ sơ hộ tịch"))
        assert await page.evaluate(f"Boolean({_bubble('user', 'Tra cứu hồ sơ')})")

        # A button from Rasa: its payload goes to Rasa, its title is shown as the user's words.
        await page.click(_chip("Hồ sơ hộ tịch"))
        _, second = await fake_rasa.received.wait_for(2)
        await page.wait_for(_bubble("bot", "Mời bạn nhập mã hồ sơ."))
        user_bubbles = await page.evaluate(
            "[...document.querySelectorAll('.bubble-user')].map(b => b.textContent)"
        )

        # Typing in the box and pressing Enter.
        await page.click("document.getElementById('message-input')")
        await page.type_and_press_enter("HS-2024-000123")
        *_, third = await fake_rasa.received.wait_for(3)
        await page.wait_for(_bubble("bot", "đang được xử lý"))
        sender_id = await page.evaluate(f"localStorage.getItem({json.dumps(SENDER_KEY)})")
        hotline = await page.evaluate("document.getElementById('hotline').textContent")

    metadata = {"channel": "web", "client_address": "127.0.0.1"}
    sent = {"sender": f"web:{sender_id}", "metadata": metadata}
    assert first == {**sent, "message": payloads.STATUS_LOOKUP_REQUEST}
    assert second == {**sent, "message": LOOKUP_PAYLOAD}
    assert third == {**sent, "message": "HS-2024-000123"}
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", sender_id
    )
    assert [text.split(": ", 1)[1] for text in user_bubbles] == ["Tra cứu hồ sơ", "Hồ sơ hộ tịch"]
    assert hotline == running.gateway.hotline_text
