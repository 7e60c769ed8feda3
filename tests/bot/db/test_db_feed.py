"""The dossier feed applied in the database: idempotent events, history without going
back, dossiers created from the feed, outbox rows per subscriber, and the outbox's claims."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.db.engine import make_engine, run_transaction, session_scope, upgrade
from bot.db.feed import EventError, Outcome, apply_events, parse_event
from bot.db.models import Dossier, DossierEvent, OutboxMessage, Subscription
from bot.db.outbox import (
    SubscribeOutcome,
    cancel_subscriptions,
    claim_due,
    mark_failed,
    mark_sent,
    outbox_summary,
    subscribe,
    subscribed_codes,
)
from bot.db.services import verify_and_get_dossier
from tests.helpers.db_factories import CODE, NOW, PHONE

SENDER = "tg:1001"
LATER = NOW + timedelta(hours=1)


def _event(status: int, at: datetime, **fields: object) -> dict:
    return {"code": CODE, "status": status, "changed_at": at.isoformat(), **fields}


def _apply(engine: Engine, *events: object, now: datetime = NOW) -> list:
    with session_scope(engine) as session:
        return apply_events(session, events, now)


def _subscribe(engine: Engine, sender: str = SENDER) -> SubscribeOutcome:
    with session_scope(engine) as session:
        assert verify_and_get_dossier(session, CODE, "5678", sender, NOW).dossier is not None
        return subscribe(session, CODE, sender, NOW)


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine, read_only=True) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_same_event_twice_changes_nothing_and_notifies_once(stored: Engine) -> None:
    assert _subscribe(stored) is SubscribeOutcome.SUBSCRIBED
    first, again = _apply(
        stored, _event(5, LATER, note="Bổ sung bản sao sổ hộ khẩu"), _event(5, LATER)
    )
    assert (first.outcome, first.notifications) == (Outcome.UPDATED, 1)
    assert (again.outcome, again.notifications) == (Outcome.UNCHANGED, 0)
    with session_scope(stored, read_only=True) as session:
        dossier = session.execute(select(Dossier)).scalar_one()
        assert (dossier.status, dossier.supplement_request) == (5, "Bổ sung bản sao sổ hộ khẩu")
    assert _count(stored, OutboxMessage) == 1
    assert _count(stored, DossierEvent) == 3


def test_older_event_is_history_only(stored: Engine) -> None:
    _subscribe(stored)
    [older] = _apply(stored, _event(3, NOW - timedelta(days=10)))
    assert older.outcome is Outcome.HISTORY
    with session_scope(stored, read_only=True) as session:
        assert session.execute(select(Dossier.status)).scalar_one() == 4
    assert _count(stored, DossierEvent) == 3
    assert _count(stored, OutboxMessage) == 0


def test_back_and_forth_notifies_once_per_status(stored: Engine) -> None:
    _subscribe(stored)
    results = _apply(
        stored,
        _event(5, LATER),
        _event(4, LATER + timedelta(hours=1)),
        _event(5, LATER + timedelta(hours=2)),
    )
    assert [result.outcome for result in results] == [Outcome.UPDATED] * 3
    assert [result.notifications for result in results] == [
        1,
        1,
        0,
    ]  # 4 was never sent to them; 5 was


def test_unknown_code_with_phone_creates_the_dossier_without_the_phone(engine: Engine) -> None:
    code = "000.00.99.H25-261201-0007"
    [created] = _apply(
        engine,
        {
            "code": code,
            "status": "2",
            "changed_at": "2026-12-01T08:00:00+07:00",
            "phone": PHONE,
            "applicant_name": "Trần Thị Bình",
            "procedure_code": "1.004222",
            "agency": "UBND xã Thử",
        },
    )
    assert created.outcome is Outcome.CREATED
    with session_scope(engine, read_only=True) as session:
        dossier = session.execute(select(Dossier)).scalar_one()
        assert (dossier.phone_last4, dossier.status, dossier.agency.name) == (
            "5678",
            2,
            "UBND xã Thử",
        )
        assert "345" not in dossier.phone_hash and dossier.procedure_name.startswith(
            "Đăng ký thường trú"
        )


def test_bad_events_are_rejected_with_reasons_without_blocking_the_others(stored: Engine) -> None:
    results = _apply(
        stored,
        {"code": CODE, "status": 11, "changed_at": LATER.isoformat()},
        "not an object",
        {"code": "000.00.99.H25-261201-0008", "status": 2, "changed_at": LATER.isoformat()},
        {"code": CODE, "status": 6, "changed_at": "hôm qua"},
        _event(6, LATER),
    )
    assert [result.outcome for result in results] == [Outcome.REJECTED] * 4 + [Outcome.UPDATED]
    reasons = [result.reason for result in results[:4]]
    assert (
        "status" in reasons[0]
        and "JSON" in reasons[1]
        and "phone" in reasons[2]
        and "changed_at" in reasons[3]
    )


@pytest.mark.parametrize(
    "field, value", [("phone", "12"), ("procedure_code", "abc"), ("status", True)]
)
def test_parse_rejects_malformed_fields(field: str, value: object) -> None:
    with pytest.raises(EventError, match=field):
        parse_event({**_event(2, NOW), field: value})


def test_subscription_needs_verification_and_cancel_drops_pending(stored: Engine) -> None:
    with session_scope(stored) as session:
        assert subscribe(session, CODE, "tg:2002", NOW) is SubscribeOutcome.NOT_VERIFIED
        assert subscribe(session, CODE, "web:abc", NOW) is SubscribeOutcome.NO_PUSH_CHANNEL
    assert _subscribe(stored) is SubscribeOutcome.SUBSCRIBED
    assert _subscribe(stored) is SubscribeOutcome.ALREADY
    assert _subscribe(stored, "zalo:77") is SubscribeOutcome.SUBSCRIBED
    assert _count(stored, Subscription) == 2
    _apply(stored, _event(6, LATER))
    with session_scope(stored) as session:
        assert subscribed_codes(session, SENDER) == [CODE]
        assert cancel_subscriptions(session, SENDER) == [CODE]
        assert subscribed_codes(session, SENDER) == []
    assert _count(stored, OutboxMessage) == 1  # only zalo:77's message is left


def test_claims_do_not_overlap_and_failures_back_off_then_die(stored: Engine) -> None:
    _subscribe(stored)
    _apply(stored, _event(6, LATER))
    with session_scope(stored) as session:
        [delivery] = claim_due(session, LATER)
        assert (delivery.status, delivery.channel, delivery.recipient_id, delivery.attempt) == (
            6,
            "telegram",
            "1001",
            1,
        )
    with session_scope(stored) as session:
        assert claim_due(session, LATER) == []  # leased
        assert (
            mark_failed(session, delivery.outbox_id, "HTTP 502", LATER, max_attempts=2).value
            == "pending"
        )
    with session_scope(stored) as session:
        assert claim_due(session, LATER + timedelta(seconds=10)) == []  # backing off
        [retry] = claim_due(session, LATER + timedelta(minutes=1))
        assert retry.attempt == 2
        assert (
            mark_failed(session, retry.outbox_id, "HTTP 502", LATER, max_attempts=2).value == "dead"
        )
    with session_scope(stored) as session:
        summary = outbox_summary(session, LATER)
        assert summary.counts["dead"] == 1 and summary.dead[0].last_error == "HTTP 502"
        mark_sent(session, retry.outbox_id, LATER)  # a dead message stays dead
        assert outbox_summary(session, LATER).counts["sent"] == 0


@pytest.mark.postgres
def test_a_dossier_created_meanwhile_by_another_feed_is_found_on_the_retry(
    postgres_url: str,
) -> None:
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    new = {
        "code": "000.00.99.H25-261201-0009",
        "status": 2,
        "changed_at": "2026-12-01T08:00:00",
        "phone": PHONE,
    }
    results: list = []
    with session_scope(engine) as first:
        assert apply_events(first, [new])[0].outcome is Outcome.CREATED  # not committed yet
        other = threading.Thread(
            target=lambda: results.extend(
                run_transaction(
                    lambda session: apply_events(session, [new, {**new, "status": 4}]), engine
                )
            )
        )
        other.start()
        time.sleep(0.5)  # the other feed now waits on the unique code
    other.join(10)
    assert [result.outcome for result in results] == [Outcome.UNCHANGED, Outcome.UPDATED]
    engine.dispose()
