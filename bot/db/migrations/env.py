"""Alembic environment of the assistant's database.

`bot.db.engine.upgrade()` hands over its engine through `config.attributes["engine"]`;
the `alembic` command line (`alembic -c bot/db/alembic.ini ...`) falls back to
`sqlalchemy.url` from the ini file, then to `DATABASE_URL` / the project's SQLite file.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Engine

from bot.db.engine import database_url, make_engine
from bot.db.models import Base

config = context.config


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or database_url()


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    context.configure(url=_url(), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine: Engine = config.attributes.get("engine") or make_engine(
        _url(), sqlite_foreign_keys=False
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
