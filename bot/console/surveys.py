"""The survey dashboard's figures, summed in Python from per-agency, per-day tallies
(`DayTallies`) so that a page does not read 100,000 responses each time.

A criterion's score is the mean answer over the answers given, as a share of the best
answer (2 = 100 %); "overall" is the share of satisfied responses (`SATISFIED_LEVELS`), the
figure of `python -m bot survey report`. Responses without a dossier (general feedback) have
no agency: they count under `NO_AGENCY`.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic
from typing import Any

import numpy as np
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.db.models import CRITERION_COLUMNS, Agency, Dossier, SurveyResponse
from bot.wording import SATISFIED_LEVELS, SURVEY_CRITERIA

NO_AGENCY = "Không gắn hồ sơ (góp ý chung)"
OVERALL_LABEL = "Hài lòng chung"
MAX_COMMENTS = 30
FULL_RECOUNT = 600.0  # seconds: the longest the dashboard may miss a change it cannot see


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None  # inclusive
    agency_id: int | None = None


# A tally is a vector: responses, satisfied, then each criterion's sum, then its answer count.
SUMS = slice(2, 2 + len(CRITERION_COLUMNS))
ANSWERED = slice(2 + len(CRITERION_COLUMNS), 2 + 2 * len(CRITERION_COLUMNS))
WIDTH = 2 + 2 * len(CRITERION_COLUMNS)


@dataclass(frozen=True)
class Tally:
    """Sums of one group of responses."""

    values: tuple[int, ...] = (0,) * WIDTH

    @property
    def responses(self) -> int:
        return self.values[0]

    @property
    def satisfied_percent(self) -> float | None:
        return 100 * self.values[1] / self.responses if self.responses else None

    def score(self, key: str) -> float | None:
        """Mean answer of a criterion as a percentage of the best answer; None if unanswered."""
        index = CRITERION_COLUMNS.index(key)
        total, answered = self.values[SUMS][index], self.values[ANSWERED][index]
        return 50 * total / answered if answered else None


@dataclass(frozen=True)
class Dashboard:
    total: Tally
    by_agency: list[tuple[str, Tally]]
    by_month: list[tuple[str, Tally]]  # "2026-11"
    comments: list[tuple[datetime, str, str]]  # when, agency, text


def criterion_scores(tally: Tally) -> list[tuple[str, float | None]]:
    """(label, percent) for the 9 criteria, then the overall satisfaction."""
    rows = [(criterion.question, tally.score(criterion.key)) for criterion in SURVEY_CRITERIA]
    return [*rows, (OVERALL_LABEL, tally.satisfied_percent)]


def agencies(session: Session) -> list[tuple[int, str]]:
    return [
        tuple(row) for row in session.execute(select(Agency.id, Agency.name).order_by(Agency.name))
    ]


@dataclass(frozen=True)
class _Days:
    """One row per (agency, day): agency id (-1: no dossier), month (year * 12 + month - 1),
    day (ordinal), and the tally vector."""

    agencies: np.ndarray
    months: np.ndarray
    days: np.ndarray
    values: np.ndarray
    names: dict[int, str]


class DayTallies:
    """Every response counted per agency and day, kept in memory: a page sums a few thousand
    rows instead of reading every response.

    Each page first reads the table's version (row count, newest id, newest update: indexed).
    When only rows were added or updated, the days they were created on are counted again;
    when rows went away, or `FULL_RECOUNT` has passed (a deleted dossier moves its responses
    to "no agency" without touching them), everything is counted again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._counted_at = 0.0
        self._days = _as_days([])

    def days(self, session: Session) -> _Days:
        version = tuple(
            session.execute(
                select(
                    func.count(SurveyResponse.id),
                    func.max(SurveyResponse.id),
                    func.max(SurveyResponse.updated_at),
                )
            ).one()
        )
        with self._lock:
            if version == self._version and monotonic() - self._counted_at < FULL_RECOUNT:
                return self._days
            before, self._version = self._version, version
            if (
                before is None
                or version[0] < before[0]
                or monotonic() - self._counted_at >= FULL_RECOUNT
            ):
                self._days, self._counted_at = (
                    _as_days(session.execute(_day_query()).all()),
                    monotonic(),
                )
            else:
                self._days = _recount_changed(session, self._days, before[2])
            return self._days


def _day_query() -> Select:
    day = func.date(SurveyResponse.created_at)
    satisfied = func.sum(
        case((SurveyResponse.overall_level.in_(sorted(SATISFIED_LEVELS)), 1), else_=0)
    )
    columns = [getattr(SurveyResponse, key) for key in CRITERION_COLUMNS]
    return (
        select(
            Agency.id,
            Agency.name,
            day,
            func.count(SurveyResponse.id),
            satisfied,
            *(func.coalesce(func.sum(column), 0) for column in columns),
            *(func.count(column) for column in columns),
        )
        .select_from(SurveyResponse)
        .outerjoin(Dossier, SurveyResponse.dossier_id == Dossier.id)
        .outerjoin(Agency, Dossier.agency_id == Agency.id)
        .group_by(Agency.id, Agency.name, day)
    )


def _recount_changed(session: Session, days: _Days, since: datetime | None) -> _Days:
    """`days` with the days of the responses written after `since` counted again."""
    changed = select(SurveyResponse.created_at)
    if since is not None:
        changed = changed.where(SurveyResponse.updated_at > since)
    touched = sorted({at.date() for at in session.execute(changed).scalars()})
    if not touched:
        return days
    ranges = [
        and_(
            SurveyResponse.created_at >= datetime.combine(day, time.min),
            SurveyResponse.created_at < datetime.combine(day + timedelta(days=1), time.min),
        )
        for day in touched
    ]
    fresh = _as_days(session.execute(_day_query().where(or_(*ranges))).all())
    keep = ~np.isin(days.days, [day.toordinal() for day in touched])
    return _Days(
        np.concatenate([days.agencies[keep], fresh.agencies]),
        np.concatenate([days.months[keep], fresh.months]),
        np.concatenate([days.days[keep], fresh.days]),
        np.concatenate([days.values[keep], fresh.values]),
        {**days.names, **fresh.names},
    )


def _as_days(rows: Sequence[Any]) -> _Days:
    dates = [date.fromisoformat(str(row[2])[:10]) for row in rows]
    return _Days(
        np.array([-1 if row[0] is None else row[0] for row in rows], dtype=np.int64),
        np.array([d.year * 12 + d.month - 1 for d in dates], dtype=np.int64),
        np.array([d.toordinal() for d in dates], dtype=np.int64),
        np.array([[int(v or 0) for v in row[3:]] for row in rows], dtype=np.int64).reshape(
            -1, WIDTH
        ),
        {row[0] if row[0] is not None else -1: row[1] or NO_AGENCY for row in rows},
    )


def dashboard(session: Session, filters: Filters, tallies: DayTallies) -> Dashboard:
    days = tallies.days(session)
    wanted = np.ones(len(days.days), dtype=bool)
    if filters.since:
        wanted &= days.days >= filters.since.toordinal()
    if filters.until:
        wanted &= days.days <= filters.until.toordinal()
    if filters.agency_id:
        wanted &= days.agencies == filters.agency_id
    values = days.values[wanted]
    by_agency = [
        (days.names[int(key)], tally) for key, tally in _grouped(days.agencies[wanted], values)
    ]
    by_month = [
        (f"{key // 12:04d}-{key % 12 + 1:02d}", tally)
        for key, tally in _grouped(days.months[wanted], values)
    ]
    return Dashboard(
        _tally(values.sum(axis=0)), sorted(by_agency), by_month, _comments(session, filters)
    )


def _grouped(keys: np.ndarray, values: np.ndarray) -> list[tuple[int, Tally]]:
    """The tally of each key, in key order."""
    order = np.argsort(keys, kind="stable")
    unique, starts = np.unique(keys[order], return_index=True)
    if not len(unique):
        return []
    sums = np.add.reduceat(values[order], starts, axis=0)  # np.add.at is slow before numpy 1.25
    return [(int(key), _tally(row)) for key, row in zip(unique, sums, strict=True)]


def _tally(vector: np.ndarray) -> Tally:
    return Tally(tuple(int(value) for value in vector))


def _comments(session: Session, filters: Filters) -> list[tuple[datetime, str, str]]:
    query = (
        select(SurveyResponse.created_at, Agency.name, SurveyResponse.comment)
        .select_from(SurveyResponse)
        .outerjoin(Dossier, SurveyResponse.dossier_id == Dossier.id)
        .outerjoin(Agency, Dossier.agency_id == Agency.id)
        .where(SurveyResponse.comment.isnot(None), SurveyResponse.comment != "")
        .order_by(SurveyResponse.created_at.desc(), SurveyResponse.id.desc())
        .limit(MAX_COMMENTS)
    )
    if filters.since:
        query = query.where(SurveyResponse.created_at >= datetime.combine(filters.since, time.min))
    if filters.until:
        query = query.where(
            SurveyResponse.created_at
            < datetime.combine(filters.until + timedelta(days=1), time.min)
        )
    if filters.agency_id:
        query = query.where(Dossier.agency_id == filters.agency_id)
    return [(at, name or NO_AGENCY, text) for at, name, text in session.execute(query)]


def csv_text(board: Dashboard) -> str:
    """One row per agency, per month and in all: responses, satisfied %, each criterion's score."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "nhóm",
            "tên",
            "số phiếu",
            f"{OVERALL_LABEL} (%)",
            *(f"{criterion.question} (%)" for criterion in SURVEY_CRITERIA),
        ]
    )
    groups = [
        ("tổng", "tất cả", board.total),
        *(("cơ quan", name, t) for name, t in board.by_agency),
        *(("tháng", name, t) for name, t in board.by_month),
    ]
    for kind, name, tally in groups:
        writer.writerow(
            [
                kind,
                name,
                tally.responses,
                _cell(tally.satisfied_percent),
                *(_cell(tally.score(key)) for key in CRITERION_COLUMNS),
            ]
        )
    return out.getvalue()


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
