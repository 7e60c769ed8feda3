"""The overdue rule, as a pure function and through the lookup."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.db.overdue import compute_overdue
from bot.db.services import LookupKind
from tests.helpers.db_factories import dossier, store

RECEIVED = datetime(2025, 3, 3, 8, 0)
APPOINTMENT = datetime(2025, 3, 10, 16, 30)
IN_PROGRESS = [(2, RECEIVED), (4, RECEIVED + timedelta(hours=1))]


def test_in_progress_before_the_appointment_is_not_overdue() -> None:
    result = compute_overdue(4, APPOINTMENT, None, IN_PROGRESS, APPOINTMENT - timedelta(minutes=1))
    assert (result.is_overdue, result.days, result.deadline) == (False, 0, APPOINTMENT)


@pytest.mark.parametrize(
    "late, days",
    [
        (timedelta(hours=2), 1),
        (timedelta(days=1), 1),
        (timedelta(days=3, hours=1), 4),
    ],
)
def test_in_progress_after_the_appointment_is_overdue(late: timedelta, days: int) -> None:
    result = compute_overdue(4, APPOINTMENT, None, IN_PROGRESS, APPOINTMENT + late)
    assert (result.is_overdue, result.days) == (True, days)


def test_completed_late_stays_overdue_after_return() -> None:
    completed = APPOINTMENT + timedelta(days=2)
    events = IN_PROGRESS + [(9, completed), (10, completed + timedelta(days=3))]
    result = compute_overdue(10, APPOINTMENT, completed, events, completed + timedelta(days=30))
    assert (result.is_overdue, result.days) == (True, 2)


def test_completed_in_time_is_never_overdue_later() -> None:
    completed = APPOINTMENT - timedelta(days=1)
    events = IN_PROGRESS + [(9, completed)]
    assert not compute_overdue(
        9, APPOINTMENT, completed, events, APPOINTMENT + timedelta(days=60)
    ).is_overdue


def test_time_waiting_for_supplement_does_not_count() -> None:
    asked = RECEIVED + timedelta(days=2)
    brought = asked + timedelta(days=5)
    events = IN_PROGRESS + [(5, asked), (4, brought)]
    now = APPOINTMENT + timedelta(days=3)  # 3 days past the appointment, but 5 days of waiting
    result = compute_overdue(4, APPOINTMENT, None, events, now)
    assert (result.is_overdue, result.deadline) == (False, APPOINTMENT + timedelta(days=5))
    assert compute_overdue(4, APPOINTMENT, None, events, now + timedelta(days=3)).days == 1


def test_completion_after_the_appointment_but_within_the_waiting_time_is_in_time() -> None:
    asked = RECEIVED + timedelta(days=1)
    events = IN_PROGRESS + [(6, asked), (4, asked + timedelta(days=4))]
    completed = APPOINTMENT + timedelta(days=3)
    result = compute_overdue(
        10, APPOINTMENT, completed, events + [(9, completed), (10, completed)], completed
    )
    assert not result.is_overdue


def test_waiting_now_freezes_the_clock() -> None:
    asked = RECEIVED + timedelta(days=2)  # before the appointment
    events = IN_PROGRESS + [(5, asked)]
    assert not compute_overdue(
        5, APPOINTMENT, None, events, APPOINTMENT + timedelta(days=40)
    ).is_overdue


def test_asked_after_the_appointment_stays_overdue_while_waiting() -> None:
    asked = APPOINTMENT + timedelta(days=2)
    events = IN_PROGRESS + [(5, asked)]
    result = compute_overdue(5, APPOINTMENT, None, events, asked + timedelta(days=20))
    assert (result.is_overdue, result.days) == (True, 2)


def test_without_appointment_never_overdue() -> None:
    assert not compute_overdue(
        1, None, None, [(1, RECEIVED)], RECEIVED + timedelta(days=100)
    ).is_overdue


@pytest.mark.parametrize("status", [3, 7, 8])
def test_closed_without_result_is_judged_at_closing(status: int) -> None:
    in_time = IN_PROGRESS + [(status, APPOINTMENT - timedelta(days=1))]
    late = IN_PROGRESS + [(status, APPOINTMENT + timedelta(days=1))]
    later = APPOINTMENT + timedelta(days=50)
    assert not compute_overdue(status, APPOINTMENT, None, in_time, later).is_overdue
    assert compute_overdue(status, APPOINTMENT, None, late, later).days == 1


def test_lookup_reports_overdue_with_supplement_history(engine: Engine, lookup) -> None:
    asked = RECEIVED + timedelta(days=1)
    store(
        engine,
        dossier(
            received_at=RECEIVED,
            appointment_at=APPOINTMENT,
            status=5,
            supplement_request="Bổ sung bản sao giấy khai sinh.",
            events=(
                (2, RECEIVED, None),
                (4, RECEIVED + timedelta(hours=1), None),
                (5, asked, "Bổ sung"),
            ),
        ),
    )
    view = lookup(now=APPOINTMENT + timedelta(days=10)).dossier
    assert (view.overdue, view.status_name) == (False, "Yêu cầu bổ sung giấy tờ")
    assert view.supplement_request == "Bổ sung bản sao giấy khai sinh."
    assert view.deadline_at == APPOINTMENT + (APPOINTMENT + timedelta(days=10) - asked)


def test_lookup_reports_overdue_days(engine: Engine, lookup) -> None:
    store(
        engine,
        dossier(
            received_at=RECEIVED,
            appointment_at=APPOINTMENT,
            events=tuple((status, at, None) for status, at in IN_PROGRESS),
        ),
    )
    result = lookup(now=APPOINTMENT + timedelta(days=2, hours=3))
    assert result.kind is LookupKind.OK
    assert (result.dossier.overdue, result.dossier.overdue_days) == (True, 3)
