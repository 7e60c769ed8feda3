"""Alembic migrations: up, down and up again, and the migrated schema equals the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from bot.db.engine import downgrade, is_up_to_date, make_engine, upgrade
from bot.db.models import Base

CONSOLE_TABLES = {
    "staff_accounts",
    "staff_sessions",
    "staff_login_failures",
    "staff_audit",
    "handoff_conversations",
    "handoff_messages",
}
TABLES = {
    "agencies",
    "dossiers",
    "dossier_events",
    "survey_responses",
    "verification_failures",
    "dossier_verifications",
    "subscriptions",
    "notification_outbox",
    *CONSOLE_TABLES,
}


def _tables(url: str) -> set:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    upgrade(database_url)
    assert _tables(database_url) == TABLES
    downgrade(database_url, "base")
    assert _tables(database_url) == set()
    upgrade(database_url)
    assert _tables(database_url) == TABLES


def test_verifications_revision_up_and_down_keeps_the_failures(database_url: str) -> None:
    upgrade(database_url, "0001")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO verification_failures (conversation_key, dossier_code, at) "
                    "VALUES ('telegram:1', '000.00.12.H25-250103-0042', '2025-01-10 09:00:00')"
                )
            )
        upgrade(database_url)
        assert "dossier_verifications" in _tables(database_url)
        with engine.connect() as connection:
            assert connection.execute(
                text("SELECT conversation_key, address_key FROM verification_failures")
            ).all() == [("telegram:1", None)]
        downgrade(database_url, "0001")
        assert _tables(database_url) == TABLES - {
            "dossier_verifications",
            "subscriptions",
            "notification_outbox",
            *CONSOLE_TABLES,
        }
        columns = {
            column["name"] for column in inspect(engine).get_columns("verification_failures")
        }
        assert "address_key" not in columns
        with engine.connect() as connection:
            assert (
                connection.execute(text("SELECT count(*) FROM verification_failures")).scalar_one()
                == 1
            )
    finally:
        engine.dispose()


def test_migrated_schema_matches_models(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
        assert is_up_to_date(engine)
    finally:
        engine.dispose()


def test_fresh_database_is_not_up_to_date(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert not is_up_to_date(engine)
    finally:
        engine.dispose()


def test_sqlite_pragmas(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")  # the folder is created
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
