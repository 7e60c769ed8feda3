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
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, Optional

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.db.models import CRITERION_COLUMNS, Agency, Dossier, SurveyResponse
from bot.db.texts import SATISFIED_LEVELS, SURVEY_CRITERIA

NO_AGENCY = "Không gắn hồ sơ (góp ý chung)"
OVERALL_LABEL = "Hài lòng chung"
MAX_COMMENTS = 30


@dataclass(frozen=True)
class Filters:
    since: Optional[date] = None
    until: Optional[date] = None  # inclusive
    agency_id: Optional[int] = None


@dataclass
class Tally:
    """Sums of one group of responses."""

    responses: int = 0
    satisfied: int = 0
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CRITERION_COLUMNS, 0))
    answered: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CRITERION_COLUMNS, 0))

    def add(self, other: "Tally") -> None:
        self.responses += other.responses
        self.satisfied += other.satisfied
        for key in CRITERION_COLUMNS:
            self.sums[key] += other.sums[key]
            self.answered[key] += other.answered[key]

    @property
    def satisfied_percent(self) -> Optional[float]:
        return 100 * self.satisfied / self.responses if self.responses else None

    def score(self, key: str) -> Optional[float]:
        """Mean answer of a criterion as a percentage of the best answer; None if unanswered."""
        return 50 * self.sums[key] / self.answered[key] if self.answered[key] else None


@dataclass(frozen=True)
class Dashboard:
    total: Tally
    by_agency: list[tuple[str, Tally]]
    by_month: list[tuple[str, Tally]]  # "2026-11"
    comments: list[tuple[datetime, str, str]]  # when, agency, text


def criterion_scores(tally: Tally) -> list[tuple[str, Optional[float]]]:
    """(label, percent) for the 9 criteria, then the overall satisfaction."""
    rows = [(criterion.question, tally.score(criterion.key)) for criterion in SURVEY_CRITERIA]
    return [*rows, (OVERALL_LABEL, tally.satisfied_percent)]


def agencies(session: Session) -> list[tuple[int, str]]:
    return [
        tuple(row) for row in session.execute(select(Agency.id, Agency.name).order_by(Agency.name))
    ]


@dataclass(frozen=True)
class DayRow:
    """The tally of one agency (None: no dossier) on one day."""

    agency_id: Optional[int]
    agency_name: str
    day: date
    tally: Tally


class DayTallies:
    """Every response counted per agency and day, kept in memory and counted again only when
    the table changed (its row count, newest id or newest update differ): the dashboard then
    sums a few thousand rows in Python instead of reading every response per page view."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: Optional[tuple[Any, ...]] = None
        self._rows: list[DayRow] = []

    def rows(self, session: Session) -> list[DayRow]:
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
            if version != self._version:
                self._rows, self._version = _count_days(session), version
            return self._rows


def _count_days(session: Session) -> list[DayRow]:
    day = func.date(SurveyResponse.created_at)
    satisfied = func.sum(
        case((SurveyResponse.overall_level.in_(sorted(SATISFIED_LEVELS)), 1), else_=0)
    )
    columns = [getattr(SurveyResponse, key) for key in CRITERION_COLUMNS]
    query = (
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
    return [
        DayRow(row[0], row[1] or NO_AGENCY, date.fromisoformat(str(row[2])[:10]), _tally(row[3:]))
        for row in session.execute(query)
    ]


def dashboard(session: Session, filters: Filters, days: DayTallies) -> Dashboard:
    total: Tally = Tally()
    per_agency: dict[str, Tally] = {}
    per_month: dict[str, Tally] = {}
    for row in days.rows(session):
        if not _wanted(row, filters):
            continue
        total.add(row.tally)
        per_agency.setdefault(row.agency_name, Tally()).add(row.tally)
        per_month.setdefault(f"{row.day:%Y-%m}", Tally()).add(row.tally)
    return Dashboard(
        total, sorted(per_agency.items()), sorted(per_month.items()), _comments(session, filters)
    )


def _wanted(row: DayRow, filters: Filters) -> bool:
    return not (
        (filters.since and row.day < filters.since)
        or (filters.until and row.day > filters.until)
        or (filters.agency_id and row.agency_id != filters.agency_id)
    )


def _tally(values: Iterable[Any]) -> Tally:
    responses, satisfied, *rest = (int(value or 0) for value in values)
    count = len(CRITERION_COLUMNS)
    return Tally(
        responses,
        satisfied,
        dict(zip(CRITERION_COLUMNS, rest[:count])),
        dict(zip(CRITERION_COLUMNS, rest[count:])),
    )


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


def _cell(value: Optional[float]) -> str:
    return "" if value is None else f"{value:.1f}"
