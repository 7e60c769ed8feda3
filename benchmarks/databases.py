"""The databases a benchmark runs on: SQLite in a temporary folder, and PostgreSQL in a fresh
schema when TEST_POSTGRES_URL is set (unless `--no-postgres`)."""

from __future__ import annotations

import argparse
import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

from tests.helpers.postgres import temporary_postgres_schema


def add_no_postgres_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only, even if TEST_POSTGRES_URL is set")


def database_targets(stack: ExitStack, prefix: str, no_postgres: bool) -> list[tuple[str, str]]:
    """(name, URL) pairs, each cleaned up when `stack` closes."""
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"{prefix}-")))
    targets = [("SQLite", f"sqlite:///{folder / 'bench.db'}")]
    postgres = os.environ.get("TEST_POSTGRES_URL")
    if postgres and not no_postgres:
        targets.append(("PostgreSQL", stack.enter_context(temporary_postgres_schema(postgres, "bench"))))
    return targets
