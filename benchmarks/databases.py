"""The databases a benchmark runs on: SQLite in a temporary folder, and PostgreSQL in a fresh
schema when TEST_POSTGRES_URL is set (unless `--no-postgres`)."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.admin.seed import seed_demo
from bot.db.engine import make_engine, upgrade


def database_arguments(
    description: str | None, argv: Sequence[str] | None, **counts: int
) -> argparse.Namespace:
    """The benchmark's command line: `--no-postgres` and one `--NAME N` per count (its default)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--no-postgres", action="store_true", help="SQLite only, even if TEST_POSTGRES_URL is set"
    )
    for name, default in counts.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    return parser.parse_args(argv)


@contextmanager
def database_targets(prefix: str, no_postgres: bool) -> Iterator[list[tuple[str, str]]]:
    """(name, URL) pairs, removed when the block ends."""
    from tests.helpers.postgres import temporary_postgres_schema

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"{prefix}-")))
        targets = [("SQLite", f"sqlite:///{folder / 'bench.db'}")]
        postgres = os.environ.get("TEST_POSTGRES_URL")
        if postgres and not no_postgres:
            targets.append(
                ("PostgreSQL", stack.enter_context(temporary_postgres_schema(postgres, "bench")))
            )
        yield targets


@contextmanager
def seeded_engine(url: str, dossiers: int, today: date) -> Iterator[tuple[Engine, float]]:
    """An engine on `url`, migrated and seeded with `dossiers` demo dossiers, and the
    `time.perf_counter()` at which seeding started; disposed at the end."""
    upgrade(url)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        seed_demo(engine, dossiers, today=today)
        yield engine, started
    finally:
        engine.dispose()


def run_on_each(prefix: str, no_postgres: bool, run: Callable[[str, str], None]) -> int:
    """`run(name, url)` on each database of `database_targets`; the exit status."""
    with database_targets(prefix, no_postgres) as targets:
        for name, url in targets:
            run(name, url)
    return 0
