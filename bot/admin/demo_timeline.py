"""The status history of one demo dossier, consistent with its final status.

A history is planned relative to the reception (status 2), partly in days and partly in
shares of the legal processing window (reception → appointment), then anchored on a
reception day chosen so that everything happened before the reference time and the
dossier is overdue exactly when it was meant to be.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.db.models import Status

LATE_SHARE = 0.1  # finished dossiers completed after the appointment
OVERDUE_IN_PROGRESS_SHARE = 0.15  # "Đang xử lý" dossiers already past their appointment
LATE_REQUEST_SHARE = 0.05  # requests to the citizen made after the appointment
SUPPLEMENT_ROUND_SHARE = 0.15  # finished dossiers that once waited for missing papers
MAX_AGE_DAYS = 365
APPOINTMENT_TIME = time(16, 30)
OFFICE_OPEN = time(7, 30)
OFFICE_CLOSE = time(17, 0)
MIN_GAP = timedelta(minutes=10)

Step = tuple[int, float, float]  # (status, days after reception, share of the processing window)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days (Monday–Friday) after `start` (public holidays ignored)."""
    if days <= 0:
        return start
    weeks, rest = divmod(days, 5)
    current = _weekday_on_or_before(start) + timedelta(weeks=weeks)  # a week adds 5 working days
    while rest > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            rest -= 1
    return current


@dataclass(frozen=True)
class Timeline:
    submitted_at: datetime
    received_at: datetime  # reception, or submission when never received
    appointment_at: datetime | None
    completed_at: datetime | None
    returned_at: datetime | None
    events: tuple[tuple[int, datetime], ...]
    late: bool  # completed after the appointment (waiting time aside)
    early: bool  # completed well before the appointment
    supplemented: bool  # the citizen was asked for missing papers at least once


@dataclass(frozen=True)
class _Plan:
    steps: tuple[Step, ...]
    factor: float  # completion time over the processing window
    supplemented: bool
    overdue: bool  # for "Đang xử lý": already past the appointment


def draw_timeline(
    rng: random.Random, status: int, online: bool, days: int, as_of: datetime
) -> Timeline:
    """A history ending in `status` before `as_of` for a procedure taking `days` working days."""
    if status == Status.MOI_DANG_KY:  # submitted online, not looked at yet
        submitted = (as_of - timedelta(hours=rng.uniform(1, 48))).replace(microsecond=0)
        return Timeline(
            submitted,
            submitted,
            None,
            None,
            None,
            ((Status.MOI_DANG_KY, submitted),),
            False,
            False,
            False,
        )
    plan = _plan(rng, status)
    submission_lead = timedelta(days=rng.uniform(0.05, 1.5)) if online else timedelta(0)
    day = _first_reception_day(rng, status, plan, days, as_of)
    while True:
        reception = _office_moment(rng, as_of.date() - timedelta(days=day))
        appointment = (
            None if status == Status.KHONG_DUOC_TIEP_NHAN else _appointment(reception.date(), days)
        )
        events = _events(plan.steps, reception, appointment)
        if events[-1][1] <= as_of:
            break
        day += 1
    submitted = (reception - submission_lead).replace(microsecond=0)
    if online:
        events = [(Status.MOI_DANG_KY, submitted), *events]
    return Timeline(
        submitted_at=submitted,
        received_at=reception,
        appointment_at=appointment,
        completed_at=next((at for event_status, at in events if event_status == 9), None),
        returned_at=next((at for event_status, at in events if event_status == 10), None),
        events=tuple(events),
        late=plan.factor > 1,
        early=plan.factor < 0.9,
        supplemented=plan.supplemented,
    )


def _plan(rng: random.Random, status: int) -> _Plan:
    factor = rng.uniform(1.05, 1.6) if rng.random() < LATE_SHARE else rng.uniform(0.3, 0.98)
    if status == Status.KHONG_DUOC_TIEP_NHAN:
        return _Plan(((Status.KHONG_DUOC_TIEP_NHAN, 0.0, 0.0),), factor, False, False)
    steps: list[Step] = [(Status.DUOC_TIEP_NHAN, 0.0, 0.0)]
    working = rng.uniform(0.01, 0.3)
    if status != Status.DUOC_TIEP_NHAN:
        steps.append((Status.DANG_XU_LY, working, 0.0))
    request_share = (
        rng.uniform(1.02, 1.5) if rng.random() < LATE_REQUEST_SHARE else rng.uniform(0.1, 0.9)
    )
    if status in (
        Status.YEU_CAU_BO_SUNG,
        Status.YEU_CAU_NGHIA_VU_TAI_CHINH,
        Status.CONG_DAN_RUT_HO_SO,
    ):
        steps.append((status, working, request_share))
    elif status == Status.DUNG_XU_LY:
        steps += [
            (Status.YEU_CAU_BO_SUNG, working, request_share),
            (Status.DUNG_XU_LY, working + rng.uniform(5, 15), request_share),
        ]
    supplemented = status in (Status.YEU_CAU_BO_SUNG, Status.DUNG_XU_LY)
    if status in (Status.DA_XU_LY_XONG, Status.DA_TRA_KET_QUA):
        waited = 0.0
        if rng.random() < SUPPLEMENT_ROUND_SHARE:
            supplemented = True
            waited = rng.uniform(1, 6)
            request_share = rng.uniform(0.2, 0.6)
            steps += [
                (Status.YEU_CAU_BO_SUNG, working, request_share),
                (Status.DANG_XU_LY, working + waited, request_share),
            ]
        steps.append((Status.DA_XU_LY_XONG, waited, factor))
        if status == Status.DA_TRA_KET_QUA:
            steps.append((Status.DA_TRA_KET_QUA, waited + rng.uniform(0.05, 7), factor))
    return _Plan(tuple(steps), factor, supplemented, rng.random() < OVERDUE_IN_PROGRESS_SHARE)


def _first_reception_day(
    rng: random.Random, status: int, plan: _Plan, days: int, as_of: datetime
) -> int:
    """How many days before `as_of` to try the reception first (later tries go further back)."""
    if status == Status.DUOC_TIEP_NHAN:
        return rng.randint(1, 2)
    if status == Status.DANG_XU_LY:
        last_in_time = _last_day_before_appointment(days, as_of)
        return last_in_time + rng.randint(1, 20) if plan.overdue else rng.randint(1, last_in_time)
    if status in (Status.YEU_CAU_BO_SUNG, Status.YEU_CAU_NGHIA_VU_TAI_CHINH):
        return rng.randint(1, days * 2 + 3)
    return rng.randint(1, MAX_AGE_DAYS)


def _last_day_before_appointment(days: int, as_of: datetime) -> int:
    """The largest number of days back a reception can be and still be due after `as_of`."""
    back = 1
    while (
        _appointment(_weekday_on_or_before(as_of.date() - timedelta(days=back + 1)), days) > as_of
    ):
        back += 1
    return back


def _appointment(reception: date, days: int) -> datetime:
    return datetime.combine(add_working_days(reception, days), APPOINTMENT_TIME)


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _office_moment(rng: random.Random, day: date) -> datetime:
    """A time during office hours on `day`, or on the last weekday before it."""
    return datetime.combine(_weekday_on_or_before(day), OFFICE_OPEN) + timedelta(
        minutes=rng.randrange(9 * 60)
    )


def _events(
    steps: tuple[Step, ...], reception: datetime, appointment: datetime | None
) -> list[tuple[int, datetime]]:
    window = (appointment - reception) if appointment else timedelta(0)
    events: list[tuple[int, datetime]] = []
    for status, days, share in steps:
        at = _office_hours(reception + timedelta(days=days) + window * share)
        if events and at <= events[-1][1]:
            at = events[-1][1] + MIN_GAP
        events.append((status, at))
    return events


def _office_hours(moment: datetime) -> datetime:
    """`moment` moved forward into office hours, as staff record every status change. A
    moment outside them becomes the next opening time plus as many minutes as it had
    seconds, so that moved events do not all share one time."""
    moment = moment.replace(microsecond=0)
    spread = timedelta(minutes=moment.second)
    if moment.time() >= OFFICE_CLOSE:
        moment = datetime.combine(moment.date() + timedelta(days=1), OFFICE_OPEN) + spread
    elif moment.time() < OFFICE_OPEN:
        moment = datetime.combine(moment.date(), OFFICE_OPEN) + spread
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment
