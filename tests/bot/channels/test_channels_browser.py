"""The web chat in headless Chromium, driven over the DevTools protocol, with real clicks."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from tests.helpers.channel_fakes import WAIT_TIMEOUT, FakeRasa
from websockets.client import WebSocketClientProtocol, connect

from bot import payloads

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=390,844",  # a phone
    "--remote-debugging-port=0",
]
SENDER_KEY = "tro-ly-tthc.sender"
LOOKUP_PAYLOAD = '/chon_loai_ho_so{"loai": "ho_tich"}'


class DevTools:
    """A minimal Chrome DevTools Protocol client for one page (flattened session)."""

    def __init__(self, socket: WebSocketClientProtocol) -> None:
        self._socket = socket
        self._ids = itertools.count(1)
        self._replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._events: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())
        self.session_id: str | None = None

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self._ids)
        reply = self._replies[call_id] = asyncio.get_running_loop().create_future()
        message = {"id": call_id, "method": method, "params": params}
        if self.session_id and not method.startswith("Target."):
            message["sessionId"] = self.session_id
        await self._socket.send(json.dumps(message))
        result = await asyncio.wait_for(reply, WAIT_TIMEOUT)
        if "error" in result:
            raise RuntimeError(f"{method}: {result['error']}")
        return result["result"]

    def expect_event(self, method: str) -> asyncio.Future[dict[str, Any]]:
        """Register before causing the event, then await the returned future."""
        future = self._events[method] = asyncio.get_running_loop().create_future()
        return future

    async def evaluate(self, expression: str) -> Any:
        result = await self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str) -> Any:
        """The truthy value of `expression`, awaited through a MutationObserver (no polling)."""
        script = f"""new Promise(resolve => {{
            const check = () => {{
                const value = ({expression});
                if (value) {{ observer.disconnect(); resolve(value); }}
            }};
            const observer = new MutationObserver(check);
            observer.observe(document.body, {{
                childList: true, subtree: true, characterData: true, attributes: true
            }});
            check();
        }})"""
        return await asyncio.wait_for(self.evaluate(script), WAIT_TIMEOUT)

    async def click(self, element_expression: str) -> None:
        """A real mouse click (move, press, release) in the middle of the element."""
        point = await self.evaluate(f"""(() => {{
            const element = {element_expression};
            element.scrollIntoView({{block: "center"}});
            const box = element.getBoundingClientRect();
            return {{x: box.left + box.width / 2, y: box.top + box.height / 2}};
        }})()""")
        await self.call("Input.dispatchMouseEvent", type="mouseMoved", x=point["x"], y=point["y"])
        for kind in ("mousePressed", "mouseReleased"):
            await self.call(
                "Input.dispatchMouseEvent",
                type=kind,
                x=point["x"],
                y=point["y"],
                button="left",
                clickCount=1,
            )

    async def type_and_press_enter(self, text: str) -> None:
        await self.call("Input.insertText", text=text)
        enter = {
            "key": "Enter",
            "code": "Enter",
            "windowsVirtualKeyCode": 13,
            "nativeVirtualKeyCode": 13,
        }
        await self.call("Input.dispatchKeyEvent", type="keyDown", text="\r", **enter)
        await self.call("Input.dispatchKeyEvent", type="keyUp", **enter)

    async def close(self) -> None:
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)
        await self._socket.close()

    async def _read(self) -> None:
        async for raw in self._socket:
            message = json.loads(raw)
            if "id" in message and message["id"] in self._replies:
                self._replies.pop(message["id"]).set_result(message)
            elif message.get("method") in self._events:
                future = self._events.pop(message["method"])
                if not future.done():
                    future.set_result(message.get("params", {}))


@contextlib.asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[DevTools]:
    """Headless Chromium with a fresh profile; yields DevTools attached to a blank page."""
    process = await asyncio.create_subprocess_exec(
        str(CHROMIUM),
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    drain: asyncio.Task[None] | None = None
    try:
        browser_url = await asyncio.wait_for(_devtools_url(process), WAIT_TIMEOUT)
        drain = asyncio.create_task(_discard(process))  # a full stderr pipe would block Chromium
        async with connect(browser_url, max_size=None) as socket:
            devtools = DevTools(socket)
            target = await devtools.call("Target.createTarget", url="about:blank")
            attached = await devtools.call(
                "Target.attachToTarget", targetId=target["targetId"], flatten=True
            )
            devtools.session_id = attached["sessionId"]
            await devtools.call("Page.enable")
            await devtools.call("Runtime.enable")
            try:
                yield devtools
            finally:
                await devtools.close()
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except asyncio.TimeoutError:
                process.kill()
                await process.wait()
        # Read stderr to its end: a pipe left open is closed after the loop is gone (warning).
        await (drain or _discard(process))


async def _devtools_url(process: asyncio.subprocess.Process) -> str:
    assert process.stderr is not None
    async for line in process.stderr:
        found = re.search(rb"DevTools listening on (ws://\S+)", line)
        if found:
            return found.group(1).decode()
    raise RuntimeError(f"Chromium exited ({await process.wait()}) without opening DevTools")


async def _discard(process: asyncio.subprocess.Process) -> None:
    assert process.stderr is not None
    while await process.stderr.read(65536):
        pass


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(
            f"{CHROMIUM} is missing: install the Debian packages chromium and chromium-driver"
        )
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium chromium-driver)")


def _chip(title: str) -> str:
    """JS for the enabled chip with this title."""
    chips = "[...document.querySelectorAll('.chip')]"
    return f"{chips}.find(b => b.textContent === {json.dumps(title)} && !b.disabled)"


def _bubble(kind: str, text: str) -> str:
    """JS for the first bubble of this kind ("bot", "user") containing the text."""
    bubbles = f"[...document.querySelectorAll('.bubble-{kind}')]"
    return f"{bubbles}.find(b => b.textContent.includes({json.dumps(text)}))"


async def test_chat_in_a_real_browser(start_gateway, fake_rasa: FakeRasa, tmp_path: Path) -> None:
    _require_chromium()
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
