"""Benchmark of the staff console: page times over HTTP on a large database.

Seeds N demo dossiers (with `bot.admin.seed`, like benchmarks.bench_db: about 18 survey responses per
100 dossiers, so 1,000,000 dossiers bring about 180,000 responses) into a temporary SQLite
file, and into a temporary PostgreSQL schema when TEST_POSTGRES_URL is set, serves the
console on a free loopback port, logs in as a supervisor and times each page over HTTP
(client and server in one process, as a browser on the same machine would see them).
Targets: every page p95 ≤ 100 ms; search-as-you-type (`/api/search`, a query typed one
character at a time) p95 ≤ 30 ms.

    .venv/bin/python -m benchmarks.bench_console [--dossiers N] [--requests N] [--no-postgres]

The default of 200,000 dossiers seeds in under a minute; `make bench` passes 1,000,000.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from benchmarks.databases import database_arguments, run_on_each, seeded_engine
from bot import handoff
from bot.channels.http import serve
from bot.console import accounts
from bot.console.app import ConsoleConfig, build_app
from bot.db.engine import run_transaction
from bot.db.models import Dossier, SurveyResponse

TODAY = date(2026, 12, 1)
PASSWORD = "bench-password-123"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TYPED = [
    "cap doi can cuoc",
    "dang ky khai sinh",
    "lệ phí hộ chiếu",
    "dang ky tam tru",
    "cap giay phep lai xe",
]
PROCEDURES = ["1.014063", "2.000806", "1.004222", "3.000347", "1.001193"]


def main(argv: Sequence[str] | None = None) -> int:
    arguments = database_arguments(
        __doc__, argv, dossiers=200_000, requests=200
    )  # requests: timed per page
    os.environ["ASSISTANT_TODAY"] = TODAY.isoformat()
    return run_on_each(
        "bench-console",
        arguments.no_postgres,
        lambda name, url: run(name, url, arguments.dossiers, arguments.requests),
    )


def run(name: str, url: str, dossiers: int, requests: int) -> None:
    with seeded_engine(url, dossiers, TODAY) as (engine, started):
        run_transaction(lambda s: accounts.add_account(s, "bench", "supervisor", PASSWORD), engine)
        _handoffs(engine)
        surveys = run_transaction(
            lambda s: s.execute(select(func.count(SurveyResponse.id))).scalar_one(), engine
        )
        print(
            f"{name}: seeded {dossiers:,} dossiers, {surveys:,} survey responses in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        asyncio.run(_time_pages(name, engine, _codes(engine, dossiers, requests), requests))


def _handoffs(engine: Engine) -> None:
    """50 open conversations of 20 messages each in the inbox."""

    def add(session: Session) -> None:
        for number in range(50):
            conversation = handoff.open_handoff(session, f"web:bench-{number:04d}", "{}", live=True)
            assert conversation is not None
            for message in range(20):
                handoff.add_citizen_message(session, conversation, f"Câu hỏi số {message}")

    run_transaction(add, engine)


def _codes(engine: Engine, dossiers: int, count: int) -> list[str]:
    rng = random.Random(42)
    ids = [rng.randint(1, dossiers) for _ in range(count)]
    rows = run_transaction(
        lambda s: s.execute(select(Dossier.code).where(Dossier.id.in_(ids))).scalars().all(), engine
    )
    return [rows[index % len(rows)] for index in range(count)]


async def _time_pages(name: str, engine: Engine, codes: list[str], requests: int) -> None:
    app = build_app(ConsoleConfig(engine, timedelta(minutes=30)))
    async with serve(app, "127.0.0.1", 0) as port:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}", cookie_jar=jar) as client:
            await _login(client)
            prefixes = [query[:length] for query in TYPED for length in range(3, len(query) + 1)]
            pages: list[tuple[str, Callable[[int], str], int]] = [
                (
                    "search-as-you-type /api/search",
                    lambda i: f"/api/search?q={prefixes[i % len(prefixes)]}",
                    30,
                ),
                ("lookup page /?q=", lambda i: f"/?q={TYPED[i % len(TYPED)]}", 100),
                ("procedure page", lambda i: f"/procedures/{PROCEDURES[i % len(PROCEDURES)]}", 100),
                ("dossier page (audited)", lambda i: f"/dossiers?code={codes[i]}", 100),
                ("survey dashboard", lambda i: "/surveys", 100),
                (
                    "survey dashboard, one agency, 6 months",
                    lambda i: f"/surveys?agency={i % 24 + 1}&since=2026-06-01&until=2026-11-30",
                    100,
                ),
                ("survey CSV", lambda i: "/surveys.csv", 100),
                ("inbox (50 open conversations)", lambda i: "/inbox", 100),
                ("conversation page", lambda i: f"/inbox/{i % 50 + 1}", 100),
            ]
            for label, path, target in pages:
                await _report(name, label, target, await _time(client, path, requests))


async def _login(client: aiohttp.ClientSession) -> None:
    async with client.get("/login") as page:
        token = CSRF.search(await page.text()).group(1)  # type: ignore[union-attr]
    form = {"csrf": token, "username": "bench", "password": PASSWORD}
    async with client.post("/login", data=form, allow_redirects=False) as response:
        assert response.status == 302, response.status


async def _time(
    client: aiohttp.ClientSession, path: Callable[[int], str], requests: int
) -> list[float]:
    for index in range(3):  # warm-up: caches, the first query plans
        async with client.get(path(index)) as response:
            await response.read()
    timings = []
    for index in range(requests):
        started = time.perf_counter()
        async with client.get(path(index)) as response:
            await response.read()
            assert response.status == 200, (path(index), response.status)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def _report(name: str, label: str, target: float, timings: list[float]) -> None:
    cuts = statistics.quantiles(timings, n=100)
    verdict = "ok" if cuts[94] <= target else "OVER TARGET"
    print(
        f"{name}: {label}: p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms, max {max(timings):.1f} ms "
        f"(target p95 ≤ {target:.0f} ms: {verdict})",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
