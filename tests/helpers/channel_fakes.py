"""Fake Telegram Bot API, Rasa REST channel and Zalo OpenAPI/OAuth servers, on loopback.

Each records what it receives in a `Recorder`, which tests await instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import time
from collections.abc import Callable
from typing import Any, ClassVar

import aiohttp
from aiohttp import web

Json = Any
WAIT_TIMEOUT = 15.0  # generous: a slow CI machine must not make the tests flaky
HOTLINE = "Đường dây nóng: 1900.0000"
ZALO_APP_ID = "zalo-app-1"
ZALO_OA_SECRET = "oa-secret-key"
ZALO_APP_SECRET = "app-secret-key"


class Recorder:
    """A list of records that tests can wait on."""

    def __init__(self) -> None:
        self.items: list[Json] = []
        self._changed = asyncio.Condition()

    async def add(self, item: Json) -> None:
        async with self._changed:
            self.items.append(item)
            self._changed.notify_all()

    async def wait_for(
        self, count: int, where: Callable[[Json], bool] = lambda _: True
    ) -> list[Json]:
        """The first `count` matching records, once there are that many."""

        def matching() -> list[Json]:
            return [item for item in self.items if where(item)]

        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(matching()) >= count)

        await asyncio.wait_for(enough(), WAIT_TIMEOUT)
        return matching()[:count]


class FakeServer:
    """An aiohttp app on 127.0.0.1, on a fixed port once chosen so it can restart there."""

    def __init__(self) -> None:
        self.app = web.Application()
        self.port = 0
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner:
            self.release_waiting_requests()
            await self._runner.cleanup()
            self._runner = None

    def release_waiting_requests(self) -> None:
        """Let held requests (long polling, a hanging Rasa) finish, so stopping is quick."""


class FakeRasa(FakeServer):
    """Rasa's REST channel with scripted replies; can error (500), answer `[]`, hang, or be
    stopped."""

    def __init__(self) -> None:
        super().__init__()
        self.received = Recorder()
        self.tokens: list[str | None] = []  # the gateway's token header on each request
        self.replies: dict[str, list[Json]] = {}
        self.mode = "ok"  # "ok" | "error" | "empty" | "slow"
        self.latency = 0.0  # simulated thinking time, in seconds
        self.max_in_flight = 0  # most requests seen at once
        self.max_in_flight_per_sender = 0  # most requests of one sender seen at once
        self._in_flight: dict[str, int] = {}
        self._release = asyncio.Event()
        self.app.router.add_post("/webhooks/rest/webhook", self._webhook)

    def reply(self, message: str, *replies: Json) -> None:
        self.replies[message] = list(replies)

    async def _webhook(self, request: web.Request) -> web.Response:
        data = await request.json()
        self.tokens.append(request.headers.get("X-Rasa-Channel-Token"))
        await self.received.add(data)
        if self.mode == "error":
            return web.json_response({"error": "boom"}, status=500)
        if self.mode == "empty":
            return web.json_response([])
        sender = data["sender"]
        self._in_flight[sender] = self._in_flight.get(sender, 0) + 1
        self.max_in_flight = max(self.max_in_flight, sum(self._in_flight.values()))
        self.max_in_flight_per_sender = max(self.max_in_flight_per_sender, self._in_flight[sender])
        try:
            if self.mode == "slow":
                await self._release.wait()
            await asyncio.sleep(self.latency)
        finally:
            self._in_flight[sender] -= 1
        default = [{"recipient_id": data["sender"], "text": f"Rasa nhận: {data['message']}"}]
        return web.json_response(self.replies.get(data["message"], default))

    def release_waiting_requests(self) -> None:
        self._release.set()


class FakeTelegram(FakeServer):
    """The Bot API methods PTB uses; serves queued updates through getUpdates."""

    TOKEN = "123456:TEST-telegram-token"
    BOT: ClassVar[Json] = {
        "id": 123456,
        "is_bot": True,
        "first_name": "Trợ lý",
        "username": "tro_ly_tthc_bot",
    }

    def __init__(self) -> None:
        super().__init__()
        self.calls = Recorder()  # {"method": ..., "params": {...}} for every call
        self._updates: list[Json] = []
        self._new_updates = asyncio.Event()
        self._closing = False
        self._ids = itertools.count(1)
        self.send_latency = 0.0  # seconds each sendMessage takes
        self.app.router.add_post(f"/bot{self.TOKEN}/{{method}}", self._method)

    @property
    def base_url(self) -> str:
        return self.url

    def push_update(self, update: Json) -> None:
        self._updates.append(update)
        self._new_updates.set()

    async def sent_messages(self, count: int, chat_id: int | None = None) -> list[Json]:
        calls = await self.calls.wait_for(
            count,
            lambda c: c["method"] == "sendMessage" and chat_id in (None, c["params"]["chat_id"]),
        )
        return [call["params"] for call in calls]

    def calls_to(self, method: str) -> list[Json]:
        return [call["params"] for call in self.calls.items if call["method"] == method]

    async def _method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = {key: _decode(key, value) for key, value in (await request.post()).items()}
        except ValueError:  # e.g. a chat id that is not a number, as the Bot API answers it
            error = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            return web.json_response(error, status=400)
        await self.calls.add({"method": method, "params": params})
        result: Json = True
        if method == "getMe":
            result = self.BOT
        elif method == "getUpdates":
            result = await self._get_updates(params)
        elif method == "sendMessage":
            if self.send_latency:
                await asyncio.sleep(self.send_latency)
            result = self._message(params)
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, params: Json) -> list[Json]:
        """Long polling: wait (bounded) for updates unless the client asked for none."""
        if not self._updates and float(params.get("timeout", 0)) > 0 and not self._closing:
            self._new_updates.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._new_updates.wait(), timeout=float(params["timeout"]))
        updates, self._updates = self._updates, []
        return updates

    def _message(self, params: Json) -> Json:
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": self.BOT,
            "text": params["text"],
        }

    def release_waiting_requests(self) -> None:
        self._closing = True
        self._new_updates.set()


class FakeZalo(FakeServer):
    """The OA v3 consultation message API and the OAuth v4 token refresh."""

    def __init__(self, valid_access_token: str, refresh_token: str, app_secret_key: str) -> None:
        super().__init__()
        self.valid_access_token = valid_access_token
        self.expected_refresh_token = refresh_token
        self.app_secret_key = app_secret_key
        self.messages = Recorder()  # {"access_token": ..., "body": {...}}, failed ones too
        self.refreshes = Recorder()  # {"secret_key": ..., "form": {...}}
        self._generation = itertools.count(2)
        self.app.router.add_post("/v3.0/oa/message/cs", self._send)
        self.app.router.add_post("/v3.0/oa/message/transaction", self._send)
        self.app.router.add_post("/v4/oa/access_token", self._refresh)

    async def delivered(self, count: int) -> list[Json]:
        """Bodies of the first `count` messages sent with a valid token."""
        records = await self.messages.wait_for(count, lambda r: r["accepted"])
        return [record["body"] for record in records]

    async def _send(self, request: web.Request) -> web.Response:
        token = request.headers.get("access_token", "")
        accepted = token == self.valid_access_token
        await self.messages.add(
            {
                "access_token": token,
                "body": await request.json(),
                "accepted": accepted,
                "path": request.path,
            }
        )
        if not accepted:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        return web.json_response({"error": 0, "message": "Success", "data": {"message_id": "m1"}})

    async def _refresh(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        await self.refreshes.add({"secret_key": request.headers.get("secret_key"), "form": form})
        valid = (
            request.headers.get("secret_key") == self.app_secret_key
            and form.get("grant_type") == "refresh_token"
            and form.get("refresh_token") == self.expected_refresh_token
        )
        if not valid:
            return web.json_response({"error": -14014, "error_name": "Invalid refresh token"})
        generation = next(self._generation)
        self.valid_access_token = f"access-{generation}"
        self.expected_refresh_token = f"refresh-{generation}"
        return web.json_response(
            {
                "access_token": self.valid_access_token,
                "refresh_token": self.expected_refresh_token,
                "expires_in": "90000",
            }
        )


def _decode(key: str, value: Any) -> Json:
    """PTB sends form fields: numbers as text, objects (reply_markup...) as JSON."""
    if key in ("chat_id", "offset"):
        return int(value)
    if key == "timeout":
        return float(value)
    if key in ("reply_markup", "commands", "allowed_updates"):
        return json.loads(value)
    return value


# --- Telegram updates, shaped like the Bot API's -------------------------------------------

USER = {"id": 4242, "is_bot": False, "first_name": "Lan", "language_code": "vi"}


def _tg_message(message_id: int, **content: Json) -> Json:
    chat = {"id": USER["id"], "type": "private", "first_name": USER["first_name"]}
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "from": USER,
        **content,
    }


def tg_text(update_id: int, text: str) -> Json:
    content: Json = {"text": text}
    if text.startswith("/"):
        command = text.split()[0]
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": update_id, "message": _tg_message(update_id, **content)}


def tg_photo(update_id: int) -> Json:
    photo = [{"file_id": "photo-1", "file_unique_id": "u1", "width": 90, "height": 90}]
    return {"update_id": update_id, "message": _tg_message(update_id, photo=photo)}


def tg_button_press(update_id: int, data: str, message_id: int = 1) -> Json:
    bot_message = _tg_message(message_id, text="…")
    bot_message["from"] = FakeTelegram.BOT
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"query-{update_id}",
            "from": USER,
            "chat_instance": "chat-instance-1",
            "data": data,
            "message": bot_message,
        },
    }


# --- Zalo webhook events --------------------------------------------------------------------


def zalo_event(
    name: str, user_id: str = "zalo-user-1", timestamp_ms: int | None = None, **fields: object
) -> dict:
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    person = {"follower" if name == "follow" else "sender": {"id": user_id}}
    return {"app_id": ZALO_APP_ID, "event_name": name, "timestamp": timestamp, **person, **fields}


def zalo_text(text: str, msg_id: str, **kwargs: Any) -> dict:
    return zalo_event("user_send_text", message={"msg_id": msg_id, "text": text}, **kwargs)


def zalo_signature(body: bytes, timestamp: str, secret: str = ZALO_OA_SECRET) -> str:
    return (
        "mac="
        + hashlib.sha256(
            ZALO_APP_ID.encode() + body + timestamp.encode() + secret.encode()
        ).hexdigest()
    )


async def post_zalo(
    http: aiohttp.ClientSession, port: int, event: dict, signature: str | None = "valid"
) -> int:
    """POST an event to the webhook, signed correctly unless another signature is given."""
    body = json.dumps(event, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "valid":
        signature = zalo_signature(body, event["timestamp"])
    if signature is not None:
        headers["X-ZEvent-Signature"] = signature
    async with http.post(
        f"http://127.0.0.1:{port}/zalo/webhook", data=body, headers=headers
    ) as response:
        return response.status
