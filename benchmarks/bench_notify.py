"""Benchmark of the dossier feed and the status notifications, on loopback.

1. Feed throughput: POST /api/v1/dossier-events with a batch of N events (default 1,000)
   creating N dossiers, then a batch moving each of them to a new status (each dossier has
   one subscriber, so each event also writes an outbox row). On a temporary SQLite file, and
   on a temporary PostgreSQL schema when TEST_POSTGRES_URL is set. Target ≥ 500 events/s.
2. Status change → Telegram delivery: one event at a time through the feed endpoint, the
   delivery worker (woken by the feed, as in the gateway) and a minimal fake Bot API; the
   time from the POST to the fake receiving sendMessage. Target p95 ≤ 2 s.

    .venv/bin/python -m benchmarks.bench_notify [--events N] [--deliveries N] [--no-postgres]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

import aiohttp
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.engine import Engine

from benchmarks.databases import database_arguments, database_targets
from bot.channels import feed, notify, telegram
from bot.channels.http import serve
from bot.db.engine import make_engine, session_scope, upgrade
from bot.db.models import Dossier, Subscription

TOKEN = "bench-feed-token-0123456789abcdef"
BOT_TOKEN = "1:bench"
START = datetime(2026, 12, 1, 8, 0)


def code(serial: int) -> str:
    return f"000.00.12.H25-261201-{serial:05d}"


def creations(count: int) -> list[dict]:
    return [
        {
            "code": code(serial),
            "status": 2,
            "changed_at": START.isoformat(),
            "phone": f"0912{serial:06d}",
            "procedure_code": "1.004222",
            "applicant_name": "Nguyễn Văn An",
        }
        for serial in range(count)
    ]


def changes(serials: range, status: int, at: datetime) -> list[dict]:
    return [
        {"code": code(serial), "status": status, "changed_at": at.isoformat()} for serial in serials
    ]


def subscribe_all(engine: Engine, count: int) -> None:
    """One Telegram subscriber per dossier, stored directly (the chat part is not measured)."""
    with session_scope(engine) as session:
        ids = dict(session.execute(select(Dossier.code, Dossier.id)).all())
        session.execute(
            Subscription.__table__.insert(),
            [
                {
                    "dossier_id": ids[code(serial)],
                    "channel": "telegram",
                    "recipient_id": str(100_000 + serial),
                    "created_at": START,
                    "last_message_at": START,
                }
                for serial in range(count)
            ],
        )


async def post(http: aiohttp.ClientSession, port: int, events: list[dict]) -> dict:
    async with http.post(
        f"http://127.0.0.1:{port}{feed.FEED_PATH}",
        json=events,
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as response:
        assert response.status == 202, response.status
        return await response.json()


async def throughput(name: str, url: str, events: int) -> Engine:
    upgrade(url)
    engine = make_engine(url)
    async with (
        aiohttp.ClientSession() as http,
        serve(feed.build_app(TOKEN, engine), "127.0.0.1", 0) as port,
    ):
        for label, batch, prepare in (
            ("create", creations(events), None),
            (
                "status change + outbox",
                changes(range(events), 4, START + timedelta(hours=1)),
                subscribe_all,
            ),
        ):
            if prepare:
                prepare(engine, events)
            started = time.perf_counter()
            body = await post(http, port, batch)
            seconds = time.perf_counter() - started
            assert body["rejected"] == 0, body["results"][:3]
            print(
                f"{name:<10} feed, {label:<23} {events} events in {seconds:.2f} s: {events / seconds:,.0f} events/s"
            )
    return engine


async def delivery_latency(engine: Engine, deliveries: int, events: int) -> None:
    received: dict[str, float] = {}

    async def bot_api(request: web.Request) -> web.Response:
        form = await request.post()
        received[str(form["chat_id"])] = time.perf_counter()
        return web.json_response({"ok": True, "result": {"message_id": 1}})

    fake = web.Application()
    fake.router.add_post(f"/bot{BOT_TOKEN}/sendMessage", bot_api)
    async with aiohttp.ClientSession() as http, serve(fake, "127.0.0.1", 0) as fake_port:
        sender = notify.TelegramSender(
            http, f"http://127.0.0.1:{fake_port}", BOT_TOKEN, telegram.compact_callback_data
        )
        # The outbox of the throughput run is sent first (not measured).
        worker = notify.DeliveryWorker(
            engine, {"telegram": sender}, notify.QuietHours.parse("off"), poll_seconds=2.0
        )
        async with (
            notify.running(worker),
            serve(feed.build_app(TOKEN, engine, worker.wake), "127.0.0.1", 0) as port,
        ):
            while len(received) < events:
                await asyncio.sleep(0.05)
            latencies = []
            for serial in range(deliveries):
                chat = str(100_000 + serial)
                received.pop(chat, None)
                started = time.perf_counter()
                await post(
                    http, port, changes(range(serial, serial + 1), 9, START + timedelta(hours=2))
                )
                while chat not in received:
                    await asyncio.sleep(0.001)
                latencies.append(received[chat] - started)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"status change → Telegram (fake) delivery, {deliveries} changes: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = database_arguments(__doc__, argv, events=1_000, deliveries=200)
    with database_targets("bench-notify", arguments.no_postgres) as targets:
        for index, (name, url) in enumerate(targets):
            engine = asyncio.run(throughput(name, url, arguments.events))
            if index == 0:
                asyncio.run(
                    delivery_latency(
                        engine, min(arguments.deliveries, arguments.events), arguments.events
                    )
                )
            engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
