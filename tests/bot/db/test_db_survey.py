"""Survey answers: idempotency, one response per dossier, anonymous feedback."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.engine import make_engine, session_scope, upgrade
from bot.db.models import SurveyResponse
from bot.db.services import (
    ANONYMOUS_FEEDBACK_PER_DAY,
    FeedbackLimitError,
    SurveyAnswers,
    SurveyOutcome,
    UnknownDossierError,
    has_survey_response,
    save_survey_response,
)
from tests.helpers.db_factories import CODE, DOSSIER, NOW, store

ANSWERS = SurveyAnswers(3, {"staff_attitude": 2, "trips": 2}, "Cán bộ nhiệt tình.")


def _save(engine: Engine, key: str, answers: SurveyAnswers = ANSWERS, code=CODE, now=NOW):
    with session_scope(engine) as session:
        return save_survey_response(
            session,
            idempotency_key=key,
            answers=answers,
            dossier_code=code,
            source_channel="telegram",
            sender_id="telegram:1001",
            now=now,
        )


def _rows(engine: Engine) -> list:
    with session_scope(engine) as session:
        return [
            (
                row.dossier_id is not None,
                row.overall_level,
                row.staff_attitude,
                row.comment,
                row.idempotency_key,
            )
            for row in session.execute(select(SurveyResponse).order_by(SurveyResponse.id)).scalars()
        ]


def test_first_answer_is_created(stored: Engine) -> None:
    with session_scope(stored) as session:
        assert not has_survey_response(session, CODE)
    result = _save(stored, "conv-1:msg-9")
    assert (result.outcome, result.updated) == (SurveyOutcome.CREATED, False)
    with session_scope(stored) as session:
        assert has_survey_response(session, CODE.lower())
    assert _rows(stored) == [(True, 3, 2, "Cán bộ nhiệt tình.", "conv-1:msg-9")]


def test_same_delivery_twice_makes_one_row(stored: Engine) -> None:
    first = _save(stored, "conv-1:msg-9")
    again = _save(stored, "conv-1:msg-9", SurveyAnswers(1), now=NOW + timedelta(seconds=3))
    assert again.outcome is SurveyOutcome.DUPLICATE
    assert again.response_id == first.response_id
    assert _rows(stored) == [(True, 3, 2, "Cán bộ nhiệt tình.", "conv-1:msg-9")]


def test_new_answer_for_the_same_dossier_updates(stored: Engine) -> None:
    first = _save(stored, "conv-1:msg-9")
    second = _save(
        stored,
        "conv-1:msg-20",
        SurveyAnswers(1, {"staff_attitude": 0}),
        now=NOW + timedelta(days=1),
    )
    assert (second.outcome, second.updated, second.response_id) == (
        SurveyOutcome.UPDATED,
        True,
        first.response_id,
    )
    assert _rows(stored) == [(True, 1, 0, None, "conv-1:msg-20")]
    with session_scope(stored) as session:
        row = session.execute(select(SurveyResponse)).scalar_one()
        assert (row.created_at, row.updated_at) == (NOW, NOW + timedelta(days=1))


def test_anonymous_feedback_may_repeat(engine: Engine) -> None:
    assert _save(engine, "a", code=None).outcome is SurveyOutcome.CREATED
    assert _save(engine, "b", code=None).outcome is SurveyOutcome.CREATED
    assert _save(engine, "b", code=None).outcome is SurveyOutcome.DUPLICATE
    assert [row[0] for row in _rows(engine)] == [False, False]


def _feedback(engine: Engine, key: str, sender: str = "web:flood", now=NOW):
    with session_scope(engine) as session:
        return save_survey_response(
            session, idempotency_key=key, answers=SurveyAnswers(1), sender_id=sender, now=now
        )


def test_anonymous_feedback_is_limited_per_sender_and_day(engine: Engine) -> None:
    for number in range(ANONYMOUS_FEEDBACK_PER_DAY):
        _feedback(engine, f"k{number}", now=NOW + timedelta(hours=number))
    with pytest.raises(FeedbackLimitError):
        _feedback(engine, "one-more", now=NOW.replace(hour=23, minute=59))
    assert (
        _feedback(engine, "k0").outcome is SurveyOutcome.DUPLICATE
    )  # a redelivery is still harmless
    assert _feedback(engine, "other", sender="web:someone-else").outcome is SurveyOutcome.CREATED
    next_day = NOW.replace(hour=0, minute=0) + timedelta(days=1)
    assert _feedback(engine, "tomorrow", now=next_day).outcome is SurveyOutcome.CREATED
    assert len(_rows(engine)) == ANONYMOUS_FEEDBACK_PER_DAY + 2


def test_dossier_answers_do_not_count_as_anonymous_feedback(stored: Engine) -> None:
    for number in range(ANONYMOUS_FEEDBACK_PER_DAY + 1):
        with session_scope(stored) as session:
            save_survey_response(
                session,
                idempotency_key=f"d{number}",
                answers=ANSWERS,
                dossier_code=CODE,
                sender_id="web:flood",
                now=NOW,
            )
    assert _feedback(stored, "anonymous").outcome is SurveyOutcome.CREATED


def test_unknown_dossier_is_refused(stored: Engine) -> None:
    with pytest.raises(UnknownDossierError):
        _save(stored, "x", code="000.00.12.H25-250103-9999")
    assert _rows(stored) == []


def test_failure_leaves_the_callers_transaction_usable(stored: Engine) -> None:
    with session_scope(stored) as session:
        with pytest.raises(UnknownDossierError):
            save_survey_response(session, idempotency_key="x", answers=ANSWERS, dossier_code="nope")
        save_survey_response(session, idempotency_key="y", answers=ANSWERS, dossier_code=CODE)
    assert len(_rows(stored)) == 1


@pytest.mark.parametrize(
    "level, criteria", [(4, {}), (0, {}), (3, {"staff_attitude": 3}), (3, {"unknown": 1})]
)
def test_invalid_answers_are_refused(level: int, criteria: dict) -> None:
    with pytest.raises(ValueError):
        SurveyAnswers(level, criteria)


@pytest.mark.postgres
def test_concurrent_first_answers_for_one_dossier(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Two deliveries race on the one-response-per-dossier constraint: the loser retries
    and updates the winner's row instead of failing."""
    caplog.set_level(logging.INFO, logger="bot.db.services")
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    try:
        store(engine, DOSSIER)
        flushed, commit = threading.Event(), threading.Event()

        def first_delivery() -> None:
            with Session(engine, future=True) as session, session.begin():
                save_survey_response(
                    session, idempotency_key="first", answers=ANSWERS, dossier_code=CODE
                )
                flushed.set()
                commit.wait(10)

        thread = threading.Thread(target=first_delivery)
        thread.start()
        assert flushed.wait(10)
        threading.Timer(0.5, commit.set).start()  # the second insert waits on the first one's row
        second = _save(engine, "second", SurveyAnswers(2))
        thread.join(10)
        assert second.outcome is SurveyOutcome.UPDATED
        assert "retrying" in caplog.text  # the race really happened
        with session_scope(engine) as session:
            assert (
                session.execute(select(func.count()).select_from(SurveyResponse)).scalar_one() == 1
            )
            assert session.execute(select(SurveyResponse.overall_level)).scalar_one() == 2
    finally:
        engine.dispose()
