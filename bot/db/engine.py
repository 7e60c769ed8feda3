"""Engine, sessions and schema migrations.

`DATABASE_URL` (environment or `.env`, see `bot.settings`) picks the database (any SQLAlchemy URL, e.g.
`postgresql+psycopg2://user:password@host/db`); without it the assistant uses the SQLite
file `data/assistant.db` in the project. The schema is owned by the Alembic migrations in
`bot/db/migrations`: run `upgrade()` (or `python -m bot db upgrade`) before use.

Typical use from a custom action::

    with session_scope() as session:        # one transaction, committed on success
        result = verify_and_get_dossier(session, code, last4, conversation_key)
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from bot.settings import get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_PATH = PROJECT_ROOT / "data" / "assistant.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def database_url() -> str:
    """The configured database URL: `DATABASE_URL`, else the project's SQLite file."""
    return get_settings().database_url or f"sqlite:///{DEFAULT_DATABASE_PATH}"


def make_engine(url: Optional[str] = None, *, sqlite_foreign_keys: bool = True) -> Engine:
    """A new engine for `url` (default: `database_url()`); the caller disposes of it.

    SQL parameters are kept out of logs and error messages (`hide_parameters`): they hold
    names and what citizens typed.
    """
    parsed = make_url(url or database_url())
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, sqlite_foreign_keys)
    return create_engine(parsed, future=True, pool_pre_ping=True, hide_parameters=True)


@functools.lru_cache(maxsize=None)
def _shared_engine(url: str) -> Engine:
    return make_engine(url)


def get_engine(url: Optional[str] = None) -> Engine:
    """The process-wide engine for `url` (default: `database_url()`), created once."""
    return _shared_engine(url or database_url())


@contextmanager
def session_scope(engine: Optional[Engine] = None) -> Iterator[Session]:
    """A session inside one transaction: committed when the block ends, rolled back on error."""
    with Session(engine or get_engine(), future=True) as session, session.begin():
        yield session


def _sqlite_engine(url: URL, foreign_keys: bool) -> Engine:
    options: Dict[str, Any] = {"connect_args": {"timeout": 30}}
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # Keep file connections open between sessions (SQLAlchemy 1.4 would reconnect every
        # time); a pooled connection is only ever used by one thread at a time.
        options = {"poolclass": QueuePool, "connect_args": {"timeout": 30, "check_same_thread": False}}
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
    fix is to emit BEGIN ourselves (this also makes migrations transactional)."""
    connection.exec_driver_sql("BEGIN")


def alembic_config(engine: Optional[Engine] = None) -> Config:
    """Alembic configuration built in code; `engine` is handed to `migrations/env.py`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def _run_alembic(action: Callable[[Config, str], None], url: Optional[str], revision: str) -> None:
    # Foreign keys stay off on SQLite while migrating: batch migrations rebuild tables.
    engine = make_engine(url, sqlite_foreign_keys=False)
    try:
        action(alembic_config(engine), revision)
    finally:
        engine.dispose()


def upgrade(url: Optional[str] = None, revision: str = "head") -> None:
    """Migrate the database at `url` (default: `database_url()`) up to `revision`."""
    _run_alembic(command.upgrade, url, revision)


def downgrade(url: Optional[str] = None, revision: str = "base") -> None:
    """Migrate the database at `url` down to `revision` ("base" drops every table)."""
    _run_alembic(command.downgrade, url, revision)


def is_up_to_date(engine: Engine) -> bool:
    """Whether the database has been migrated to the newest revision."""
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(ScriptDirectory.from_config(alembic_config()).get_heads())
