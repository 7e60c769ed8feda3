"""Helpers for tests and benchmarks that need an isolated PostgreSQL database. The PostgreSQL
variants of the tests connect to `TEST_POSTGRES_URL` (see scripts/start_test_services.sh):
skipped without it, except in CI where they fail instead."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url


@contextmanager
def temporary_postgres_schema(base_url: str, prefix: str = "test") -> Iterator[str]:
    """Create a fresh schema and yield a URL whose connections use it (first on their
    search_path); drop it with everything in it afterwards. Engines made from the URL
    must be disposed of before the block ends."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, future=True)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def postgres_base_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        return url
    message = 'TEST_POSTGRES_URL is not set: run `eval "$(scripts/start_test_services.sh)"`'
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: PostgreSQL tests may not be skipped)")
    pytest.skip(message)
