"""The staff console and a handed-off web chat in headless Chromium (Debian's package, driven
over the DevTools protocol with real clicks and typing).

The gateway runs for real with the handoff on; Rasa is a stand-in whose only dialogue is the
real `action_request_human` (on Monday morning, in office hours) for "gặp cán bộ".
Screenshots go to `CONSOLE_SCREENSHOTS` when set (docs/screenshots/ for the README), else
to the test's temporary folder.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from rasa_sdk.executor import CollectingDispatcher

from actions import procedures
from actions.procedures import ActionRequestHuman
from bot.channels.config import load_config
from bot.channels.http import serve
from bot.channels.server import running_gateway
from tests.bot.console.conftest import MONDAY_MORNING, PASSWORDS, Console, ConsoleDb
from tests.helpers.actions import make_tracker, text_of
from tests.helpers.browser import DevTools, chromium, require_chromium

pytestmark = pytest.mark.browser
ASK_FOR_STAFF = "cho tôi gặp cán bộ"
CITIZEN_QUESTION = "Tôi làm căn cước cho mẹ 70 tuổi thì có cần đặt lịch không?"
STAFF_REPLY = "Chào bạn, bác nên đặt lịch trên VNeID để không phải chờ."


async def rasa_webhook(request: web.Request) -> web.Response:
    """Rasa's REST channel with one rule: "gặp cán bộ" runs the real action."""
    data = await request.json()
    if data["message"] != ASK_FOR_STAFF:
        return web.json_response([{"text": f"Rasa nhận: {data['message']}"}])
    dispatcher = CollectingDispatcher()
    ActionRequestHuman().run(
        dispatcher, make_tracker("request_human", ASK_FOR_STAFF, sender_id=data["sender"]), {}
    )
    return web.json_response([{"text": text_of(message)} for message in dispatcher.messages])


@contextlib.asynccontextmanager
async def gateway_with_handoff(database_url: str) -> AsyncIterator[int]:
    rasa = web.Application()
    rasa.router.add_post("/webhooks/rest/webhook", rasa_webhook)
    async with serve(rasa, "127.0.0.1", 0) as rasa_port:
        config = load_config(
            {
                "RASA_URL": f"http://127.0.0.1:{rasa_port}",
                "GATEWAY_HOST": "127.0.0.1",
                "WEBCHAT_PORT": "0",
                "RATE_LIMIT_PER_MINUTE": "100",
                "HANDOFF": "on",
                "DATABASE_URL": database_url,
            },
            env_file=None,
        )
        async with running_gateway(config) as running:
            yield running.webchat_port


def _text_of(selector: str, text: str) -> str:
    """JS: the first element matching `selector` whose text contains `text`."""
    elements = f"[...document.querySelectorAll({json.dumps(selector)})]"
    return f"{elements}.find(e => e.textContent.includes({json.dumps(text)}))"


# `wait_for` fails the test when nothing matches in time; an element comes back as {}.


async def _submit(page: DevTools, button: str) -> None:
    """Click a submit button and wait for the page it leads to."""
    loaded = page.expect_event("Page.loadEventFired")
    await page.click(button)
    await loaded


async def _type_into(page: DevTools, field: str, text: str) -> None:
    await page.click(field)
    await page.call("Input.insertText", text=text)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_staff_console_in_a_real_browser(
    console: Console, console_db: ConsoleDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_chromium()
    shots = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path / "shots")
    monkeypatch.setenv("DATABASE_URL", console_db.url)
    monkeypatch.setattr(procedures, "vietnam_now", lambda: MONDAY_MORNING)
    sample = console_db.seeded.samples[-1]
    async with (
        gateway_with_handoff(console_db.url) as chat_port,
        chromium(tmp_path / "staff", "1280,900") as staff,
        chromium(tmp_path / "citizen") as citizen,
    ):
        # Log in.
        await staff.open(f"{console.url}/")  # redirected to /login
        await staff.screenshot(shots / "console-login.png")
        await _type_into(staff, "document.querySelector('input[name=username]')", "lan")
        await _type_into(staff, "document.querySelector('input[name=password]')", PASSWORDS["lan"])
        await _submit(staff, "document.querySelector('main button[type=submit]')")
        await staff.wait_for(_text_of("header", "lan (giám sát)"))

        # Search as you type (no diacritics), open 1.014063.
        await _type_into(staff, "document.getElementById('q')", "cap doi can cuoc")
        await staff.wait_for("document.querySelector('#hits a[href=\"/procedures/1.014063\"]')")
        await staff.screenshot(shots / "console-lookup.png")
        await _submit(staff, "document.querySelector('#hits a[href=\"/procedures/1.014063\"]')")
        assert "Cấp đổi thẻ căn cước" in await staff.wait_for(
            "document.querySelector('h1').textContent"
        )
        assert "25.000 đồng" in await staff.evaluate(
            "document.getElementById('methods').textContent"
        )
        await staff.click("document.getElementById('copy-answer')")
        assert await staff.wait_for("document.getElementById('copy-status').textContent")
        await staff.screenshot(shots / "console-procedure.png")

        # A seeded dossier, and this very view in its audit log.
        await staff.open(f"{console.url}/dossiers")
        await _type_into(staff, "document.getElementById('code')", sample.code)
        await _submit(staff, "document.querySelector('main button[type=submit]')")
        await staff.wait_for(_text_of("#audit tbody tr", "lan"))
        assert f"***{sample.phone_last4}" in await staff.evaluate(
            "document.getElementById('dossier').textContent"
        )
        await staff.screenshot(shots / "console-dossier.png")

        # The survey dashboard's charts.
        await staff.open(f"{console.url}/surveys")
        bars = await staff.wait_for("document.querySelectorAll('svg.chart rect.bar').length")
        assert (
            await staff.evaluate("document.querySelectorAll('svg.chart').length") == 3
            and bars >= 10
        )
        await staff.screenshot(shots / "console-surveys.png")

        # A citizen asks for a person in the web chat; staff answer from the inbox.
        await citizen.open(f"http://127.0.0.1:{chat_port}/")
        await citizen.wait_for("document.querySelector('.chip')")
        await citizen.click("document.getElementById('message-input')")
        await citizen.type_and_press_enter(ASK_FOR_STAFF)
        await citizen.wait_for(_text_of(".bubble-bot", "chuyển cuộc trò chuyện cho cán bộ"))
        await citizen.type_and_press_enter(CITIZEN_QUESTION)
        await staff.open(f"{console.url}/inbox")
        await staff.wait_for(_text_of("#inbox-rows tr", CITIZEN_QUESTION))
        await _submit(staff, "document.querySelector('#inbox-rows a')")
        await _type_into(staff, "document.getElementById('reply-text')", STAFF_REPLY)
        await _submit(staff, "document.getElementById('send-reply')")
        await staff.wait_for(_text_of(".message-staff", STAFF_REPLY))
        await staff.screenshot(shots / "console-inbox.png")
        await citizen.wait_for(_text_of(".bubble-staff", STAFF_REPLY))
        await citizen.screenshot(shots / "webchat-staff-reply.png")
        citizen_bubbles = await citizen.evaluate(
            "[...document.querySelectorAll('.bubble')].map(b => b.textContent)"
        )
    assert not any("Rasa nhận" in text for text in citizen_bubbles)  # the bot stayed silent
