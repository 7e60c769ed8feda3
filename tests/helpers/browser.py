"""Headless Chromium from Debian's package, driven over the DevTools protocol (no browser
download, no driver): shared by the web chat and the staff console browser tests."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from websockets.client import WebSocketClientProtocol, connect

WAIT_TIMEOUT = 15.0  # generous: a slow CI machine must not make the tests flaky

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
    "--remote-debugging-port=0",
]


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

    async def screenshot(self, path: Path) -> None:
        """The page as a PNG file."""
        shot = await self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    async def open(self, url: str) -> None:
        """Navigate and wait for the load event."""
        loaded = self.expect_event("Page.loadEventFired")
        await self.call("Page.navigate", url=url)
        await asyncio.wait_for(loaded, WAIT_TIMEOUT)

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
async def chromium(profile: Path, window: str = "390,844") -> AsyncIterator[DevTools]:
    """Headless Chromium with a fresh profile; yields DevTools attached to a blank page.
    `window`: width,height (default a phone)."""
    process = await asyncio.create_subprocess_exec(
        str(CHROMIUM),
        *CHROMIUM_FLAGS,
        f"--window-size={window}",
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


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(
            f"{CHROMIUM} is missing: install the Debian packages chromium and chromium-driver"
        )
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium chromium-driver)")
