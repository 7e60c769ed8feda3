"""Zalo Official Account channel: a signed webhook in, the OA v3 consultation API out.

Zalo expects the webhook to answer within about two seconds, so it is acknowledged at
once and the conversation runs in a background task. The access token lives about an
hour; when the API rejects it, the refresh token (single use: each refresh returns a new
one) buys a new pair, saved to `ZALO_TOKEN_FILE` so a restart does not lose it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot import wording
from bot.channels.gateway import Button, Gateway, Reply
from bot.channels.http import serve
from bot.channels.inputs import MalformedRequest, parse_json_object
from bot.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/zalo/webhook"
SIGNATURE_HEADER = "X-ZEvent-Signature"
TEXT_LIMIT = 2000
BUTTON_TITLE_LIMIT = 100
TOKEN_ERRORS = frozenset({-216, -124})  # access token invalid / expired
API_TIMEOUT = aiohttp.ClientTimeout(total=15)
DRAIN_TIMEOUT = 5.0  # seconds given to replies in flight when the gateway stops
METADATA = {"channel": "zalo"}  # sent to Rasa with each message (Zalo hides the address)
TIMESTAMP = re.compile(r"[0-9]{1,15}")  # milliseconds since 1970


class ZaloError(Exception):
    """The OpenAPI or OAuth server refused a call."""


@dataclass(frozen=True)
class ZaloTokens:
    access_token: str
    refresh_token: str


class TokenStore:
    """The current token pair in a JSON file, preferred over the values from the env."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, fallback: ZaloTokens) -> ZaloTokens:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return ZaloTokens(str(data["access_token"]), str(data["refresh_token"]))
        except FileNotFoundError:
            return fallback
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("Ignoring unreadable %s (%s); using the env tokens", self.path, error)
            return fallback

    def save(self, tokens: ZaloTokens) -> None:
        """Write atomically (temp file + rename), readable by the owner only."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump({**asdict(tokens), "updated_at": int(time.time())}, file)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise


class ZaloClient:
    """Sends consultation messages, refreshing the access token when Zalo rejects it."""

    def __init__(self, session: aiohttp.ClientSession, config: Settings, store: TokenStore) -> None:
        self._session = session
        self._config = config
        self._store = store
        self._tokens = store.load(ZaloTokens(config.zalo_access_token, config.zalo_refresh_token))
        self._refresh_lock = asyncio.Lock()

    async def send(self, user_id: str, replies: Sequence[Reply]) -> None:
        for reply in replies:
            *first, last = reply.chunks(TEXT_LIMIT)
            for chunk in first:
                await self._send_message(user_id, {"text": chunk})
            await self._send_message(user_id, _message(last, reply.buttons))

    async def send_transaction(self, user_id: str, reply: Reply) -> None:
        """A transaction message (`ZALO_TRANSACTION_URL`): Zalo delivers these outside the
        interaction window, where consultation messages are refused."""
        await self._send_message(
            user_id, _transaction_message(reply), self._config.zalo_transaction_url
        )

    async def _send_message(self, user_id: str, message: dict[str, Any], url: str = "") -> None:
        url = url or f"{self._config.zalo_api_base_url}/v3.0/oa/message/cs"
        body = {"recipient": {"user_id": user_id}, "message": message}
        token = self._tokens.access_token
        result = await self._post_message(url, body, token)
        if result.get("error") in TOKEN_ERRORS:
            await self._refresh(token)
            result = await self._post_message(url, body, self._tokens.access_token)
        if result.get("error", 0) != 0:
            raise ZaloError(f"send failed: error {result.get('error')} {result.get('message')!r}")

    async def _post_message(self, url: str, body: dict[str, Any], token: str) -> dict[str, Any]:
        async with self._session.post(
            url, json=body, headers={"access_token": token}, timeout=API_TIMEOUT
        ) as response:
            return await _json_object(response)

    async def _refresh(self, rejected_token: str) -> None:
        """Trade the refresh token for a new pair, once even if many sends failed together."""
        async with self._refresh_lock:
            if self._tokens.access_token != rejected_token:
                return  # another send refreshed while we waited
            if not (self._config.zalo_app_secret_key and self._tokens.refresh_token):
                raise ZaloError(
                    "access token rejected and no ZALO_APP_SECRET_KEY/refresh token to renew it"
                )
            async with self._session.post(
                f"{self._config.zalo_oauth_base_url}/v4/oa/access_token",
                data={
                    "refresh_token": self._tokens.refresh_token,
                    "app_id": self._config.zalo_app_id,
                    "grant_type": "refresh_token",
                },
                headers={"secret_key": self._config.zalo_app_secret_key},
                timeout=API_TIMEOUT,
            ) as response:
                result = await _json_object(response)
            if not (result.get("access_token") and result.get("refresh_token")):
                raise ZaloError(
                    f"token refresh failed: {result.get('error')} {result.get('error_name', '')}"
                )
            self._tokens = ZaloTokens(str(result["access_token"]), str(result["refresh_token"]))
            try:
                self._store.save(self._tokens)
            except OSError as error:  # keep serving: the new pair still works in memory
                log.error("Zalo tokens refreshed but NOT saved to %s: %s", self._store.path, error)
            else:
                log.info("Zalo access token refreshed; new tokens saved to %s", self._store.path)


async def _json_object(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        data = await response.json(content_type=None)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ZaloError(f"HTTP {response.status} without a JSON object")
    return data


def _message(text: str, buttons: Sequence[Button]) -> dict[str, Any]:
    """A text, or a text with a button template when Rasa offered buttons.

    `oa.query.show` makes Zalo post the payload back as the user's own text message.
    Rasa's `/intent{...}` payloads are not meant to be read, so those use `oa.query.hide`.
    """
    if not buttons:
        return {"text": text}
    return {
        "text": text,
        "attachment": {
            "type": "template",
            "payload": {
                "buttons": [
                    {
                        "title": _shorten(button.title, BUTTON_TITLE_LIMIT),
                        "type": "oa.query.hide"
                        if button.payload.startswith("/")
                        else "oa.query.show",
                        "payload": button.payload,
                    }
                    for button in buttons
                ]
            },
        },
    }


def _transaction_message(reply: Reply) -> dict[str, Any]:
    """The OA transaction template: a header and the text as a table-free paragraph, with the
    reply's buttons."""
    title, _, rest = reply.text.partition("\n")
    elements: list[dict[str, Any]] = [
        {"type": "header", "content": _shorten(title, BUTTON_TITLE_LIMIT), "align": "left"},
        {"type": "text", "content": _shorten(rest.strip() or title, TEXT_LIMIT), "align": "left"},
    ]
    payload: dict[str, Any] = {
        "template_type": "transaction_order",
        "language": "VI",
        "elements": elements,
    }
    if reply.buttons:
        payload["buttons"] = _message("", reply.buttons)["attachment"]["payload"]["buttons"]
    return {"attachment": {"type": "template", "payload": payload}}


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ZaloWebhook:
    """Checks each event's signature and age, answers 200 at once, replies in the background.

    A body that is not a JSON object gets 400; a wrong or stale signature 403.
    """

    def __init__(
        self,
        config: Settings,
        gateway: Gateway,
        client: ZaloClient,
        clock: Callable[[], float] = time.time,
        on_message: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._config = config
        self._gateway = gateway
        self._client = client
        self._clock = clock
        self._on_message = on_message  # told each sender that writes (the notification window)
        self._tasks: set[asyncio.Task[None]] = set()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=256 * 1024)
        app.router.add_post(WEBHOOK_PATH, self.receive)
        return app

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            event = parse_json_object(body)
        except MalformedRequest:
            return web.Response(status=400)
        if not self._authentic(body, event, request.headers.get(SIGNATURE_HEADER)):
            return web.Response(status=403)
        if not await self._gateway.is_duplicate(f"zalo:{_delivery_id(event)}"):
            self._spawn(self._handle(event))
        return web.json_response({"ok": True})

    def _authentic(self, body: bytes, event: dict[str, Any], signature: str | None) -> bool:
        """`mac=` + sha256(app_id + raw body + timestamp + OA secret key), and not stale."""
        timestamp = str(event.get("timestamp", ""))
        if not signature or not TIMESTAMP.fullmatch(timestamp):
            return False
        config = self._config
        signed = (
            config.zalo_app_id.encode()
            + body
            + timestamp.encode()
            + config.zalo_oa_secret_key.encode()
        )
        expected = "mac=" + hashlib.sha256(signed).hexdigest()
        given = signature.strip().lower().encode(errors="surrogateescape")
        if not hmac.compare_digest(given, expected.encode()):
            return False
        age = abs(self._clock() - int(timestamp) / 1000)
        return age <= config.zalo_signature_max_age_seconds

    async def _handle(self, event: dict[str, Any]) -> None:
        name = str(event.get("event_name", ""))
        user_id = _user_id(event)
        if not user_id:
            return
        sender = f"zalo:{user_id}"

        async def deliver(replies: Sequence[Reply]) -> None:
            await self._client.send(user_id, replies)

        if name.startswith("user_send_") and self._on_message is not None:
            await self._on_message(sender)
        text = _field(event, "message", "text")
        if name == "user_send_text" and isinstance(text, str):
            await self._gateway.converse(sender, text, deliver, metadata=METADATA)
        elif name == "follow":
            await self._gateway.say(sender, [self._gateway.welcome()], deliver)
        elif name.startswith("user_send_"):
            await self._gateway.say(sender, [Reply(wording.TEXT_ONLY)], deliver)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(_logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Let replies in flight finish (briefly), then cancel the rest."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=DRAIN_TIMEOUT)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)


async def _logged(work: Coroutine[Any, Any, None]) -> None:
    try:
        await work
    except (ZaloError, aiohttp.ClientError, asyncio.TimeoutError) as error:
        log.error("Zalo reply not delivered: %s", error)
    except Exception:
        log.exception("Zalo event handling failed")


def _field(event: dict[str, Any], section: str, key: str) -> Any:
    value = event.get(section)
    return value.get(key) if isinstance(value, dict) else None


def _user_id(event: dict[str, Any]) -> str:
    """The user: `follower` in follow events, `sender` in message events ("" if unusable)."""
    user_id = _field(event, "follower", "id") or _field(event, "sender", "id")
    return str(user_id) if isinstance(user_id, (str, int)) else ""


def _delivery_id(event: dict[str, Any]) -> str:
    """Zalo's msg_id; events without one (follow...) are identified by name, user and time."""
    msg_id = _field(event, "message", "msg_id")
    if msg_id:
        return f"msg:{msg_id}"
    return f"{event.get('event_name')}:{_user_id(event)}:{event.get('timestamp')}"


@contextlib.asynccontextmanager
async def running(
    config: Settings,
    gateway: Gateway,
    client: ZaloClient,
    on_message: Callable[[str], Awaitable[None]] | None = None,
) -> AsyncIterator[int]:
    """Serve the webhook while the context is open; yields its port. `client` is shared with
    the notification worker (one token pair per OA: a refresh token is single use)."""
    webhook = ZaloWebhook(config, gateway, client, on_message=on_message)
    try:
        async with serve(webhook.app(), config.gateway_host, config.zalo_webhook_port) as port:
            log.info("Zalo channel listening on port %d, path %s", port, WEBHOOK_PATH)
            yield port
    finally:
        await webhook.drain()
