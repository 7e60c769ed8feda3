"""Benchmark of the database layer: seeding time, then random dossier lookups by code.

Seeds N demo dossiers (default 1,000,000) into a temporary SQLite file, and into a
temporary schema of PostgreSQL when TEST_POSTGRES_URL is set, then times random lookups:
the whole `verify_and_get_dossier` call in its own transaction (what an action does) and
the bare indexed select by code. Target: p95 ≤ 5 ms at 1,000,000 dossiers.

    .venv/bin/python -m benchmarks.bench_db [--dossiers N] [--lookups N] [--no-postgres]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from benchmarks.databases import database_arguments, run_on_each, seeded_engine
from bot.db.engine import session_scope
from bot.db.models import Dossier
from bot.db.services import LookupKind, verify_and_get_dossier

TODAY = date(2025, 6, 16)
NOW = datetime(2025, 6, 16, 9, 0)
CHUNK = 500


def main(argv: Sequence[str] | None = None) -> int:
    arguments = database_arguments(__doc__, argv, dossiers=1_000_000, lookups=2_000)
    return run_on_each(
        "bench-db",
        arguments.no_postgres,
        lambda name, url: run(name, url, arguments.dossiers, arguments.lookups),
    )


def run(name: str, url: str, dossiers: int, lookups: int) -> None:
    with seeded_engine(url, dossiers, TODAY) as (engine, started):
        print(
            f"{name}: seeded {dossiers:,} dossiers in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        targets = _random_dossiers(engine, dossiers, lookups)
        _report(
            name,
            "verify_and_get_dossier",
            _time_each(targets, lambda index, code, digits: _verify(engine, index, code, digits)),
        )
        _report(
            name,
            "indexed select by code",
            _time_each(targets, lambda _index, code, _digits: _select(engine, code)),
        )


def _random_dossiers(engine: Engine, dossiers: int, lookups: int) -> list[tuple[str, str]]:
    rng = random.Random(42)
    ids = [rng.randint(1, dossiers) for _ in range(lookups)]
    found: dict[int, tuple[str, str]] = {}
    with engine.connect() as connection:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            query = select(Dossier.id, Dossier.code, Dossier.phone_last4).where(
                Dossier.id.in_(chunk)
            )
            found.update({row.id: (row.code, row.phone_last4) for row in connection.execute(query)})
    return [found[dossier_id] for dossier_id in ids]


def _verify(engine: Engine, index: int, code: str, digits: str) -> None:
    with session_scope(engine) as session:
        result = verify_and_get_dossier(session, code, digits, f"bench:{index}", NOW)
    assert result.kind is LookupKind.OK, result


def _select(engine: Engine, code: str) -> None:
    with engine.connect() as connection:
        assert connection.execute(select(Dossier.id).where(Dossier.code == code)).scalar_one()


def _time_each(
    targets: list[tuple[str, str]], action: Callable[[int, str, str], None]
) -> list[float]:
    timings = []
    for index, (code, digits) in enumerate(targets):
        started = time.perf_counter()
        action(index, code, digits)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _report(name: str, what: str, timings: list[float]) -> None:
    cuts = statistics.quantiles(timings, n=100)
    print(
        f"{name}: {len(timings):,} × {what}: p50 {cuts[49]:.2f} ms, p95 {cuts[94]:.2f} ms, "
        f"p99 {cuts[98]:.2f} ms, max {max(timings):.2f} ms",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
