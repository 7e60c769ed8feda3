"""Demo data: deterministic, covering every status, consistent histories, no overwrite."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.admin.demo_data import AGENCIES
from bot.admin.seed import DatabaseNotEmptyError, seed_demo
from bot.db.engine import make_engine, session_scope, upgrade
from bot.db.models import Agency, Dossier, DossierEvent, SurveyResponse
from bot.db.services import LookupKind, verify_and_get_dossier
from tests.helpers.db_factories import DOSSIER, dossier, store

TODAY = date(2025, 6, 16)
AS_OF = datetime.combine(TODAY, time(7, 0))
COUNT = 400


def _seed(engine: Engine, seed: int = 7, dossiers: int = COUNT):
    return seed_demo(engine, dossiers, seed, TODAY)


def _seed_new_sqlite(path, seed: int):
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    try:
        return _seed(engine, seed)
    finally:
        engine.dispose()


def test_same_seed_gives_the_same_data(engine: Engine, tmp_path) -> None:
    first = _seed(engine)
    assert _seed_new_sqlite(tmp_path / "same.db", 7) == first
    assert _seed_new_sqlite(tmp_path / "other.db", 8).samples != first.samples


def test_samples_cover_every_status_and_verify(engine: Engine) -> None:
    summary = _seed(engine)
    assert {sample.status for sample in summary.samples} == set(range(1, 11))
    assert summary.dossiers == COUNT and summary.agencies >= 20
    with session_scope(engine) as session:
        for number, sample in enumerate(summary.samples):
            result = verify_and_get_dossier(
                session, sample.code, sample.phone_last4, f"demo:{number}", AS_OF
            )
            assert result.kind is LookupKind.OK
            assert result.dossier.status == sample.status


def test_histories_are_consistent(engine: Engine) -> None:
    _seed(engine)
    with session_scope(engine) as session:
        dossiers = session.execute(select(Dossier.__table__)).all()
        events = defaultdict(list)
        for dossier_id, status, at in session.execute(
            select(DossierEvent.dossier_id, DossierEvent.status, DossierEvent.at).order_by(
                DossierEvent.dossier_id, DossierEvent.at, DossierEvent.id
            )
        ):
            events[dossier_id].append((status, at))
        overdue = sum(
            verify_and_get_dossier(
                session, row.code, row.phone_last4, f"check:{row.id}", AS_OF
            ).dossier.overdue
            for row in dossiers
        )
    assert overdue > 0
    for row in dossiers:
        history = events[row.id]
        assert history[-1][0] == row.status
        assert [at for _, at in history] == sorted(at for _, at in history)
        assert history[-1][1] <= AS_OF
        assert row.code.split("-")[1] == history[0][1].strftime("%y%m%d")
        assert (row.supplement_request is not None) == (row.status in (5, 8))
        assert (row.completed_at is not None) == (row.status in (9, 10))
        assert (row.returned_at is not None) == (row.status == 10)
        assert (row.appointment_at is None) == (row.status in (1, 3))
        assert len(row.phone_last4) == 4 and len(row.phone_hash) == 64


def test_surveys_are_seeded(engine: Engine) -> None:
    summary = _seed(engine)
    with session_scope(engine) as session:
        count = session.execute(select(func.count()).select_from(SurveyResponse)).scalar_one()
        statuses = set(
            session.execute(
                select(Dossier.status).join(SurveyResponse, SurveyResponse.dossier_id == Dossier.id)
            ).scalars()
        )
    assert count == summary.surveys > 0
    assert statuses <= {9, 10}


def test_non_empty_database_is_left_alone(engine: Engine) -> None:
    store(engine, DOSSIER)
    with pytest.raises(DatabaseNotEmptyError):
        _seed(engine)
    with session_scope(engine) as session:
        assert session.execute(select(func.count()).select_from(Dossier)).scalar_one() == 1
        assert session.execute(select(func.count()).select_from(Agency)).scalar_one() == 1


def test_ids_continue_after_seeding(engine: Engine) -> None:
    """Seeding gives ids explicitly; later inserts must not collide (PostgreSQL sequences)."""
    _seed(engine, dossiers=20)
    store(engine, dossier(agency_code=AGENCIES[0].code), agencies=())
    with session_scope(engine) as session:
        assert session.execute(select(func.max(Dossier.id))).scalar_one() == 21
