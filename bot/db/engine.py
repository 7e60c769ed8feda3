"""Engine, sessions and schema migrations.

`DATABASE_URL` (environment or `.env`, see `bot.settings`) picks the database (any SQLAlchemy URL, e.g.
`postgresql+psycopg2://user:password@host/db`); without it the assistant uses the SQLite
file `data/assistant.db` in the project. The schema is owned by the Alembic migrations in
`bot/db/migrations`: run `upgrade()` (or `python -m bot db upgrade`) before use.

Typical use from a custom action::

    result = run_transaction(lambda session: verify_and_get_dossier(session, code, last4, conversation_key))

Transactions: on SQLite a read-write transaction starts with `BEGIN IMMEDIATE`, so that
waiting for another writer honours the busy timeout (30 s, or `?timeout=<seconds>` in the
URL) instead of failing at once when a read turns into a write; `read_only=True` keeps a
plain `BEGIN`. On PostgreSQL `run_transaction` retries serialization failures, deadlocks
and dropped connections a bounded number of times.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from bot.settings import PROJECT_ROOT, get_settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_DATABASE_PATH = PROJECT_ROOT / "data" / "assistant.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT = 30.0  # seconds a SQLite write waits for another writer; `?timeout=` overrides
READ_ONLY = "assistant_read_only"  # execution option: the transaction only reads
MAX_ATTEMPTS = 3  # of a transaction that meets a transient PostgreSQL error
RETRY_PAUSE = 0.05  # seconds before the second attempt, doubled before each further one
# serialization_failure, deadlock_detected; class 08 (connection exception) is matched by prefix
_TRANSIENT_PGCODES = frozenset({"40001", "40P01"})


def database_url() -> str:
    """The configured database URL: `DATABASE_URL`, else the project's SQLite file."""
    return get_settings().database_url or f"sqlite:///{DEFAULT_DATABASE_PATH}"


def make_engine(url: str | None = None, *, sqlite_foreign_keys: bool = True) -> Engine:
    """A new engine for `url` (default: `database_url()`); the caller disposes of it.

    SQL parameters are kept out of logs and error messages (`hide_parameters`): they hold
    names and what citizens typed.
    """
    parsed = make_url(url or database_url())
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, sqlite_foreign_keys)
    return create_engine(parsed, future=True, pool_pre_ping=True, hide_parameters=True)


@functools.cache
def _shared_engine(url: str) -> Engine:
    return make_engine(url)


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: `database_url()`), created once."""
    return _shared_engine(url or database_url())


@contextmanager
def session_scope(engine: Engine | None = None, *, read_only: bool = False) -> Iterator[Session]:
    """A session inside one transaction: committed when the block ends, rolled back on error.

    `read_only=True` is for transactions that never write: on SQLite they do not take the
    write lock (every other transaction does, from its first statement)."""
    bind = engine or get_engine()
    if read_only:
        bind = bind.execution_options(**{READ_ONLY: True})
    with Session(bind, future=True) as session, session.begin():
        yield session


def run_transaction(
    work: Callable[[Session], T], engine: Engine | None = None, *, read_only: bool = False
) -> T:
    """`work(session)` in its own transaction (`session_scope`), committed; its result.

    A transient error (`is_transient`) rolls back and runs `work` again, at most
    `MAX_ATTEMPTS` times in all, so `work` must be safe to repeat. Any other error, or the
    last transient one, is raised (SQLite's "database is locked" after the busy timeout too:
    it has already waited).
    """
    attempt = 1
    while True:
        try:
            with session_scope(engine, read_only=read_only) as session:
                return work(session)
        except DBAPIError as error:
            if attempt >= MAX_ATTEMPTS or not is_transient(error):
                raise
            logger.info(
                "Transient database error (%s), attempt %d; retrying",
                type(error.orig).__name__,
                attempt,
            )
            time.sleep(RETRY_PAUSE * 2 ** (attempt - 1))
            attempt += 1


async def run_transaction_in_thread(
    work: Callable[[Session], T], engine: Engine | None = None, *, read_only: bool = False
) -> T:
    """`run_transaction` in a worker thread, so an event loop is not blocked by the database."""
    return await asyncio.to_thread(run_transaction, work, engine, read_only=read_only)


def is_transient(error: DBAPIError) -> bool:
    """Whether running the transaction again may succeed: a PostgreSQL serialization
    failure or deadlock, or a lost connection."""
    code = getattr(error.orig, "pgcode", None) or ""
    return bool(error.connection_invalidated) or code in _TRANSIENT_PGCODES or code.startswith("08")


def _sqlite_engine(url: URL, foreign_keys: bool) -> Engine:
    connect_args: dict[str, Any] = {"timeout": float(url.query.get("timeout", SQLITE_BUSY_TIMEOUT))}
    options: dict[str, Any] = {}
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # Keep file connections open between sessions (SQLAlchemy 1.4 would reconnect every
        # time); a pooled connection is only ever used by one thread at a time.
        options = {"poolclass": QueuePool}
        connect_args["check_same_thread"] = False
    options["connect_args"] = connect_args
    engine = create_engine(url, future=True, hide_parameters=True, **options)
    event.listen(engine, "connect", functools.partial(_configure_sqlite, foreign_keys=foreign_keys))
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any, *, foreign_keys: bool) -> None:
    """WAL lets the action servers read while one of them writes; foreign keys are off by
    default in SQLite. The driver's own transaction handling is switched off (see
    `_begin_sqlite_transaction`)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    """pysqlite starts transactions lazily and breaks SAVEPOINT; SQLAlchemy's documented
    fix is to emit BEGIN ourselves (this also makes migrations transactional).

    `BEGIN IMMEDIATE` takes the write lock at once, waiting up to the busy timeout for
    another writer. A plain (deferred) `BEGIN` that reads and then writes fails at once
    with "database is locked" when another connection wrote meanwhile: SQLite cannot
    wait there, since the transaction's snapshot is already stale."""
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic configuration built in code; `engine` is handed to `migrations/env.py`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def _run_alembic(action: Callable[[Config, str], None], url: str | None, revision: str) -> None:
    # Foreign keys stay off on SQLite while migrating: batch migrations rebuild tables.
    engine = make_engine(url, sqlite_foreign_keys=False)
    try:
        action(alembic_config(engine), revision)
    finally:
        engine.dispose()


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrate the database at `url` (default: `database_url()`) up to `revision`."""
    _run_alembic(command.upgrade, url, revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    """Migrate the database at `url` down to `revision` ("base" drops every table)."""
    _run_alembic(command.downgrade, url, revision)


def is_up_to_date(engine: Engine) -> bool:
    """Whether the database has been migrated to the newest revision."""
    with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(ScriptDirectory.from_config(alembic_config()).get_heads())
