"""Web chat channel: serves the static page in `webchat/` and its JSON API.

POST /api/message  {"sender": "<uuid from localStorage>", "message": "..."}
              ->   {"messages": [{"text": "...", "buttons": [{"title", "payload"}]}]}
GET /api/updates?sender=<uuid>  ->  {"messages": [...]}: staff replies of a handed-off chat
A malformed request gets 400 {"error": "<Vietnamese text>"}, a body over 32 KB 413.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from aiohttp import web

from bot import wording
from bot.channels.gateway import Gateway, Reply
from bot.channels.handoff import HandoffDesk
from bot.channels.http import serve
from bot.channels.inputs import MalformedRequest, parse_json_object
from bot.settings import Settings

STATIC_DIR = Path(__file__).parent / "webchat"
SENDER_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
GATEWAY_KEY = web.AppKey("gateway", Gateway)
PROXY_HOPS_KEY = web.AppKey("trusted_proxy_hops", int)
DESK_KEY = web.AppKey("handoff_desk", HandoffDesk)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_app(
    gateway: Gateway, trusted_proxy_hops: int = 0, desk: HandoffDesk | None = None
) -> web.Application:
    app = web.Application(client_max_size=32 * 1024, middlewares=[security_headers])
    app[GATEWAY_KEY] = gateway
    app[PROXY_HOPS_KEY] = trusted_proxy_hops
    if desk is not None:
        app[DESK_KEY] = desk
    app.router.add_get("/", index)
    app.router.add_get("/api/welcome", welcome)
    app.router.add_post("/api/message", message)
    app.router.add_get("/api/updates", updates)
    app.router.add_static("/static/", STATIC_DIR)
    return app


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.update(SECURITY_HEADERS)
    return response


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html")


async def welcome(request: web.Request) -> web.Response:
    gateway = request.app[GATEWAY_KEY]
    return web.json_response(
        {"messages": _as_json([gateway.welcome()]), "hotline": gateway.hotline_text}
    )


async def message(request: web.Request) -> web.Response:
    try:
        data = parse_json_object(await request.read())
    except MalformedRequest as error:
        return _error(400, str(error))
    sender, text = data.get("sender"), data.get("message")
    if not isinstance(sender, str) or not SENDER_ID.fullmatch(sender):
        return _error(400, wording.BAD_WEB_SESSION)
    if not isinstance(text, str):
        return _error(400, wording.NOT_TEXT)
    replies: list[Reply] = []

    async def collect(batch: Sequence[Reply]) -> None:
        replies.extend(batch)

    metadata = {"channel": "web", "client_address": client_address(request)}
    await request.app[GATEWAY_KEY].converse(f"web:{sender}", text, collect, metadata=metadata)
    return web.json_response({"messages": _as_json(replies)})


async def updates(request: web.Request) -> web.Response:
    """Staff replies waiting for this page's conversation (the page asks every few seconds)."""
    sender = request.query.get("sender", "")
    if not SENDER_ID.fullmatch(sender):
        return _error(400, "Phiên trò chuyện không hợp lệ, bạn vui lòng tải lại trang.")
    desk = request.app.get(DESK_KEY)
    replies = await desk.web_replies(f"web:{sender}") if desk is not None else []
    return web.json_response({"messages": _as_json(replies)})


def client_address(request: web.Request) -> str:
    """The citizen's network address: the connecting peer or, behind `trusted_proxy_hops`
    reverse proxies, the X-Forwarded-For entry the outermost proxy added (entries further
    left come from the client and can be forged)."""
    hops = request.app[PROXY_HOPS_KEY]
    forwarded = [
        entry.strip()
        for header in request.headers.getall("X-Forwarded-For", [])
        for entry in header.split(",")
    ]
    if hops and len(forwarded) >= hops:
        with contextlib.suppress(ValueError):
            return str(ipaddress.ip_address(forwarded[-hops]))
    return request.remote or "unknown"


def _as_json(replies: Sequence[Reply]) -> list[dict[str, object]]:
    return [asdict(reply) for reply in replies]


def _error(status: int, text: str) -> web.Response:
    return web.json_response({"error": text}, status=status)


@contextlib.asynccontextmanager
async def running(
    config: Settings, gateway: Gateway, desk: HandoffDesk | None = None
) -> AsyncIterator[int]:
    """Serve the web chat while the context is open; yields its port."""
    app = build_app(gateway, config.trusted_proxy_hops, desk)
    async with serve(app, config.gateway_host, config.webchat_port) as port:
        yield port
