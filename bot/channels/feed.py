"""The dossier feed endpoint of the gateway: the one-stop system pushes status changes.

POST /api/v1/dossier-events on FEED_PORT, `Authorization: Bearer <FEED_TOKEN>` (401
otherwise; the server does not run without FEED_TOKEN). The body is one event or a JSON
list of at most `MAX_EVENTS` (see `bot.db.feed` for the fields and the rules). Answer 202:

    {"accepted": 2, "rejected": 1,
     "results": [{"index": 0, "code": "...", "result": "updated"}, ...,
                 {"index": 2, "code": "...", "result": "rejected", "reason": "status phải là số từ 1 đến 10"}]}

A body that is not JSON (or nests too deep, or has too many events) gets 400, a database
failure 503, each with {"error": "<Vietnamese text>"}.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import wording
from bot.channels.http import serve
from bot.channels.inputs import MAX_JSON_DEPTH, MalformedRequest, json_depth, parse_json
from bot.db.engine import run_transaction_in_thread
from bot.db.feed import Outcome, apply_events

log = logging.getLogger(__name__)

FEED_PATH = "/api/v1/dossier-events"
MAX_EVENTS = 5000
MAX_BODY_BYTES = 8 * 1024 * 1024
TOKEN_KEY = web.AppKey("feed_token", str)
ENGINE_KEY = web.AppKey("engine", Engine)
ON_UPDATE_KEY: web.AppKey[Callable[[], None]] = web.AppKey("on_update")


def build_app(
    token: str, engine: Engine, on_update: Callable[[], None] = lambda: None
) -> web.Application:
    """`on_update` is called when a status moved (the delivery worker looks at once)."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[TOKEN_KEY] = token
    app[ENGINE_KEY] = engine
    app[ON_UPDATE_KEY] = on_update
    app.router.add_post(FEED_PATH, receive)
    return app


async def receive(request: web.Request) -> web.Response:
    if not _authorized(request.headers.get("Authorization", ""), request.app[TOKEN_KEY]):
        return web.json_response(
            {"error": wording.BAD_FEED_TOKEN}, status=401, headers={"WWW-Authenticate": "Bearer"}
        )
    try:
        events = _events(await request.read())
    except MalformedRequest as error:
        return web.json_response({"error": str(error)}, status=400)
    engine = request.app[ENGINE_KEY]
    try:
        results = await run_transaction_in_thread(
            lambda session: apply_events(session, events), engine
        )
    except SQLAlchemyError as error:
        log.error("Dossier feed not stored: %s", type(error).__name__)
        return web.json_response({"error": wording.FEED_DATABASE_DOWN}, status=503)
    rejected = sum(result.outcome is Outcome.REJECTED for result in results)
    if any(result.notifications for result in results):
        request.app[ON_UPDATE_KEY]()
    log.info("Dossier feed: %d events, %d rejected", len(results), rejected)
    return web.json_response(
        {
            "accepted": len(results) - rejected,
            "rejected": rejected,
            "results": [r.as_dict() for r in results],
        },
        status=202,
    )


def _authorized(header: str, token: str) -> bool:
    """A Bearer token equal to FEED_TOKEN, compared in constant time."""
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(errors="surrogateescape"), token.encode()
    )


def _events(body: bytes) -> list[Any]:
    data = parse_json(body)
    events = data if isinstance(data, list) else [data]
    if json_depth(events) > MAX_JSON_DEPTH:
        raise MalformedRequest(wording.TOO_DEEP)
    if not events:
        raise MalformedRequest(wording.FEED_EMPTY)
    if len(events) > MAX_EVENTS:
        raise MalformedRequest(wording.FEED_TOO_MANY.format(limit=MAX_EVENTS))
    return events


@contextlib.asynccontextmanager
async def running(
    host: str, port: int, token: str, engine: Engine, on_update: Callable[[], None] = lambda: None
) -> AsyncIterator[int]:
    """Serve the feed while the context is open; yields its port."""
    async with serve(build_app(token, engine, on_update), host, port) as bound:
        log.info("Dossier feed listening on port %d, path %s", bound, FEED_PATH)
        yield bound
