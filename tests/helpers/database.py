"""Database fixtures (a pytest plugin, see tests/conftest.py): every database test runs on SQLite (a temporary file)
and on PostgreSQL (`TEST_POSTGRES_URL`, see scripts/start_test_services.sh), each test in
a fresh database or schema. Without `TEST_POSTGRES_URL` the PostgreSQL variants are
skipped, except in CI (`CI=true`) where they fail instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from bot.db.engine import make_engine, session_scope, upgrade
from bot.db.services import DEFAULT_LIMITS, LookupResult, VerificationLimits, verify_and_get_dossier
from tests.helpers.db_factories import CODE, DOSSIER, NOW, store
from tests.helpers.postgres import postgres_base_url, temporary_postgres_schema


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped after the test."""
    with temporary_postgres_schema(postgres_base_url()) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """An empty database, not migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'assistant.db'}"
    else:
        yield request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a migrated, empty database."""
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def stored(engine: Engine) -> Engine:
    """The engine, with the reference agency and dossier stored."""
    store(engine, DOSSIER)
    return engine


LookupFunction = Callable[..., LookupResult]


@pytest.fixture
def lookup(engine: Engine) -> LookupFunction:
    """Run `verify_and_get_dossier` in its own committed transaction, like an action does."""

    def run(
        code: str = CODE,
        digits: str = "5678",
        conversation: str = "telegram:1001",
        now: datetime | None = NOW,
        address: str | None = None,
        limits: VerificationLimits = DEFAULT_LIMITS,
    ) -> LookupResult:
        with session_scope(engine) as session:
            return verify_and_get_dossier(
                session, code, digits, conversation, now, client_address=address, limits=limits
            )

    return run
