"""Whether a dossier is overdue (trễ hẹn), from its appointment date and status history."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db.models import Status

# Statuses after which the agency no longer works on the dossier.
FINISHED_STATUSES = frozenset(
    {
        Status.KHONG_DUOC_TIEP_NHAN,
        Status.CONG_DAN_RUT_HO_SO,
        Status.DUNG_XU_LY,
        Status.DA_XU_LY_XONG,
        Status.DA_TRA_KET_QUA,
    }
)
COMPLETED_STATUSES = frozenset({Status.DA_XU_LY_XONG, Status.DA_TRA_KET_QUA})
# Statuses in which the agency waits for the citizen: the deadline clock is stopped.
WAITING_STATUSES = frozenset({Status.YEU_CAU_BO_SUNG, Status.YEU_CAU_NGHIA_VU_TAI_CHINH})

Event = tuple[int, datetime]  # (status entered, when)


@dataclass(frozen=True)
class Overdue:
    is_overdue: bool
    days: int  # whole days late, rounded up; 0 when not overdue
    deadline: datetime | None  # appointment moved back by the citizen's waiting time


def compute_overdue(
    status: int,
    appointment_at: datetime | None,
    completed_at: datetime | None,
    events: Sequence[Event],
    now: datetime,
) -> Overdue:
    """Apply the overdue rule.

    - No appointment date (not received yet, refused…): never overdue.
    - The deadline is the appointment date plus every period the dossier spent waiting for
      the citizen (status 5 "Yêu cầu bổ sung giấy tờ" or 6 "Yêu cầu thực hiện nghĩa vụ tài
      chính", from `events`): the law does not count that time against the agency.
    - A dossier still in progress (status not in 3, 7, 8, 9, 10) is overdue when `now` is
      past the deadline. While it waits for the citizen its deadline moves with `now`, so
      it stays overdue only if it already was when the wait began.
    - A finished dossier is overdue when it finished after the deadline: finished means
      `completed_at` for 9/10, else the first event entering a finished status.
    - Days are calendar days, rounded up: 2 hours late is 1 day.
    """
    if appointment_at is None:
        return Overdue(False, 0, None)
    end = _finished_at(status, completed_at, events) if status in FINISHED_STATUSES else now
    if end is None:
        return Overdue(False, 0, None)
    deadline = appointment_at + _waiting_time(events, end)
    late = end - deadline
    if late <= timedelta(0):
        return Overdue(False, 0, deadline)
    return Overdue(True, math.ceil(late / timedelta(days=1)), deadline)


def _finished_at(
    status: int, completed_at: datetime | None, events: Iterable[Event]
) -> datetime | None:
    if status in COMPLETED_STATUSES and completed_at is not None:
        return completed_at
    return next(
        (at for event_status, at in sorted(events, key=_when) if event_status in FINISHED_STATUSES),
        None,
    )


def _waiting_time(events: Sequence[Event], end: datetime) -> timedelta:
    """Total time spent in a waiting status before `end`."""
    ordered = sorted(events, key=_when)
    total = timedelta(0)
    for index, (status, started) in enumerate(ordered):
        if status not in WAITING_STATUSES or started >= end:
            continue
        stopped = ordered[index + 1][1] if index + 1 < len(ordered) else end
        total += min(stopped, end) - started
    return total


def _when(event: Event) -> datetime:
    return event[1]
