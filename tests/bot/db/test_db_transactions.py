"""Transactions that do not give up too early: SQLite writers wait for each other (BEGIN
IMMEDIATE honours the busy timeout), PostgreSQL transient errors are retried."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.db import engine as db_engine
from bot.db.engine import is_up_to_date, make_engine, run_transaction, session_scope, upgrade
from bot.db.models import Agency, VerificationFailure
from bot.db.services import LookupKind, verify_and_get_dossier
from tests.helpers.db_factories import AGENCY, CODE, DOSSIER, NOW, OTHER_AGENCY, add_agency, store


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "assistant.db"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    try:
        store(engine, DOSSIER)
    finally:
        engine.dispose()
    return path


def hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Another writer (e.g. a second action server) takes the write lock, writes, and
    commits after `seconds`. Returns once the lock is held."""
    locked = threading.Event()

    def writer() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO verification_failures (conversation_key, dossier_code, at) VALUES ('other', 'X', ?)",
            (str(NOW),),
        )
        locked.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert locked.wait(5)
    return thread


def _failures(engine: Engine) -> int:
    with session_scope(engine, read_only=True) as session:
        return session.execute(select(func.count()).select_from(VerificationFailure)).scalar_one()


def test_a_failed_verification_during_contention_is_recorded(sqlite_file: Path) -> None:
    """A plain BEGIN reads, then cannot upgrade to a write once the other writer commits
    ("database is locked" at once); BEGIN IMMEDIATE waits for the lock instead."""
    engine = make_engine(f"sqlite:///{sqlite_file}?timeout=5")
    try:
        writer = hold_write_lock(sqlite_file, 0.5)
        with session_scope(engine) as session:
            result = verify_and_get_dossier(session, CODE, "0000", "telegram:1001", NOW)
        writer.join()
        assert result.kind is LookupKind.REJECTED
        assert _failures(engine) == 2  # the other writer's and this one
    finally:
        engine.dispose()


def test_busy_timeout_comes_from_the_url_and_reads_do_not_wait(sqlite_file: Path) -> None:
    engine = make_engine(f"sqlite:///{sqlite_file}?timeout=0.3")
    try:
        writer = hold_write_lock(sqlite_file, 2)
        started = time.monotonic()
        assert _failures(engine) == 0  # a read-only transaction does not take the write lock
        assert is_up_to_date(engine)  # nor does the check every process makes at start
        assert time.monotonic() - started < 0.25
        with pytest.raises(OperationalError, match="locked"), session_scope(engine) as session:
            session.execute(text("SELECT 1"))
        assert 0.25 < time.monotonic() - started < 1.5
        writer.join()
    finally:
        engine.dispose()


# --- retries -------------------------------------------------------------------------------


class FakePostgresError(Exception):
    def __init__(self, pgcode: str) -> None:
        super().__init__(pgcode)
        self.pgcode = pgcode


def failing(times: int, pgcode: str) -> tuple[list[int], Callable[[Session], str]]:
    calls: list[int] = []

    def work(session: Session) -> str:
        calls.append(1)
        session.execute(text("SELECT 1"))
        if len(calls) <= times:
            raise OperationalError("SELECT 1", {}, FakePostgresError(pgcode))
        return "done"

    return calls, work


@pytest.fixture
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_engine, "RETRY_PAUSE", 0)


@pytest.mark.parametrize("pgcode", ["40001", "40P01", "08006"])
def test_transient_errors_are_retried(engine: Engine, no_pause: None, pgcode: str) -> None:
    calls, work = failing(db_engine.MAX_ATTEMPTS - 1, pgcode)
    assert run_transaction(work, engine) == "done" and len(calls) == db_engine.MAX_ATTEMPTS


def test_retries_are_bounded(engine: Engine, no_pause: None) -> None:
    calls, work = failing(db_engine.MAX_ATTEMPTS, "40001")
    with pytest.raises(OperationalError):
        run_transaction(work, engine)
    assert len(calls) == db_engine.MAX_ATTEMPTS


def test_other_errors_are_not_retried(engine: Engine, no_pause: None) -> None:
    calls, work = failing(1, "23505")  # unique violation: running again would not help
    with pytest.raises(OperationalError):
        run_transaction(work, engine)
    assert len(calls) == 1


def test_work_is_committed(engine: Engine) -> None:
    run_transaction(lambda session: add_agency(session, AGENCY), engine)
    with session_scope(engine, read_only=True) as session:
        assert session.execute(select(Agency.code)).scalar_one() == AGENCY.code


@pytest.mark.postgres
def test_a_real_deadlock_is_retried(postgres_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """Two transactions lock two rows in opposite orders: PostgreSQL aborts one with a
    deadlock, which runs again and succeeds."""
    caplog.set_level(logging.INFO, logger="bot.db.engine")
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    try:
        run_transaction(
            lambda session: [add_agency(session, a) for a in (AGENCY, OTHER_AGENCY)], engine
        )
        both_locked_one = threading.Barrier(2, timeout=10)

        def rename(first: str, second: str, name: str) -> None:
            attempts = []

            def work(session: Session) -> None:
                attempts.append(1)
                session.execute(update(Agency).where(Agency.code == first).values(name=name))
                if len(attempts) == 1:
                    both_locked_one.wait()
                session.execute(update(Agency).where(Agency.code == second).values(name=name))

            run_transaction(work, engine)

        threads = [
            threading.Thread(target=rename, args=(AGENCY.code, OTHER_AGENCY.code, "a")),
            threading.Thread(target=rename, args=(OTHER_AGENCY.code, AGENCY.code, "b")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert "DeadlockDetected" in caplog.text and "retrying" in caplog.text
        with session_scope(engine) as session:
            names = set(session.execute(select(Agency.name)).scalars())
        assert len(names) == 1  # both transactions ran in full, one after the other
    finally:
        engine.dispose()
