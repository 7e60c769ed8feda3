"""Satisfaction report over the survey responses: rates per agency, procedure and month,
and the answers to each evaluation criterion; as text, CSV and a PNG chart.

The satisfaction rate is the share of responses whose overall level is "Rất hài lòng"
or "Hài lòng".
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from sqlalchemy import case, extract, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from bot.db.models import Agency, Dossier, SurveyResponse
from bot.wording import SATISFIED_LEVELS, SURVEY_CRITERIA, Messages


@dataclass(frozen=True)
class RateRow:
    key: str  # agency code, procedure code or "YYYY-MM"; "" for general feedback
    label: str
    responses: int
    satisfied: int

    @property
    def rate(self) -> float:
        return self.satisfied / self.responses if self.responses else 0.0


@dataclass(frozen=True)
class ChoiceCount:
    value: int
    label: str
    count: int


@dataclass(frozen=True)
class CriterionBreakdown:
    key: str
    question: str
    choices: tuple[ChoiceCount, ...]  # best answer first
    unanswered: int

    @property
    def answered(self) -> int:
        return sum(choice.count for choice in self.choices)

    def share(self, choice: ChoiceCount) -> float:
        return choice.count / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class SurveyReport:
    since: date | None
    total: RateRow
    by_agency: tuple[RateRow, ...]
    by_procedure: tuple[RateRow, ...]
    by_month: tuple[RateRow, ...]
    criteria: tuple[CriterionBreakdown, ...]


# --- computing ----------------------------------------------------------------------------

_SATISFIED = func.sum(
    case((SurveyResponse.overall_level.in_(sorted(SATISFIED_LEVELS)), 1), else_=0)
)
_RESPONSES = func.count(SurveyResponse.id)


def build_report(session: Session, since: date | None = None) -> SurveyReport:
    """Aggregate the responses created on or after `since` (all when None)."""

    def rates(*columns: ColumnElement) -> Select:
        query = _answered_since(
            select(*columns, _RESPONSES, _SATISFIED)
            .select_from(SurveyResponse)
            .outerjoin(Dossier, SurveyResponse.dossier_id == Dossier.id)
            .outerjoin(Agency, Dossier.agency_id == Agency.id),
            since,
        )
        return query.group_by(*columns) if columns else query

    responses, satisfied = session.execute(rates()).one()
    agencies = session.execute(rates(Agency.code, Agency.name)).all()
    procedures = session.execute(rates(Dossier.procedure_code, Dossier.procedure_name)).all()
    year, month = (
        extract("year", SurveyResponse.created_at),
        extract("month", SurveyResponse.created_at),
    )
    months = session.execute(rates(year, month)).all()
    return SurveyReport(
        since=since,
        total=RateRow("", Messages.CSV_GROUPS["total"], responses, satisfied or 0),
        by_agency=tuple(sorted(_rows(agencies), key=lambda row: (row.key == "", row.key))),
        by_procedure=tuple(
            sorted(_rows(procedures), key=lambda row: (row.key == "", -row.responses, row.key))
        ),
        by_month=tuple(
            sorted(
                (
                    RateRow(
                        f"{int(y):04d}-{int(m):02d}",
                        Messages.MONTH_LABEL.format(month=int(m), year=int(y)),
                        n,
                        ok,
                    )
                    for y, m, n, ok in months
                ),
                key=lambda row: row.key,
            )
        ),
        criteria=tuple(
            _criterion_breakdown(session, criterion.key, since) for criterion in SURVEY_CRITERIA
        ),
    )


def _answered_since(query: Select, since: date | None) -> Select:
    if since is None:
        return query
    return query.where(SurveyResponse.created_at >= datetime.combine(since, time.min))


def _rows(groups: Iterable[Sequence]) -> list[RateRow]:
    """Rows of (code, name, responses, satisfied); a NULL code is general feedback."""
    return [
        RateRow(code or "", name if code else Messages.NO_DOSSIER, responses, satisfied)
        for code, name, responses, satisfied in groups
    ]


def _criterion_breakdown(session: Session, key: str, since: date | None) -> CriterionBreakdown:
    column = SurveyResponse.__table__.c[key]
    counts = dict(
        session.execute(_answered_since(select(column, func.count()), since).group_by(column)).all()
    )
    criterion = next(criterion for criterion in SURVEY_CRITERIA if criterion.key == key)
    return CriterionBreakdown(
        key=key,
        question=criterion.question,
        choices=tuple(
            ChoiceCount(value, label, counts.get(value, 0))
            for value, label in sorted(criterion.choices.items(), reverse=True)
        ),
        unanswered=counts.get(None, 0),
    )


# --- presenting ---------------------------------------------------------------------------

MAX_LABEL = 90  # long procedure names are cut in the text report (kept whole in the CSV)
BAR_COLOR = "#2b7bb9"


def percent(share: float) -> str:
    """Vietnamese notation: 0.875 → "87,5%"."""
    return f"{share * 100:.1f}".replace(".", ",") + "%"


def format_report(report: SurveyReport) -> str:
    lines = [Messages.REPORT_TITLE]
    lines.append(
        Messages.REPORT_SINCE.format(since=report.since.strftime("%d/%m/%Y"))
        if report.since
        else Messages.REPORT_ALL_TIME
    )
    if not report.total.responses:
        return "\n".join([*lines, Messages.REPORT_EMPTY])
    lines.append(
        Messages.REPORT_TOTAL.format(
            total=report.total.responses,
            satisfied=report.total.satisfied,
            rate=percent(report.total.rate),
        )
    )
    for title, rows, with_key in (
        (Messages.REPORT_BY_AGENCY, report.by_agency, True),
        (Messages.REPORT_BY_PROCEDURE, report.by_procedure, True),
        (Messages.REPORT_BY_MONTH, report.by_month, False),
    ):
        lines += ["", title]
        lines += [
            "  - "
            + Messages.REPORT_ROW.format(
                label=_row_label(row, with_key),
                satisfied=row.satisfied,
                responses=row.responses,
                rate=percent(row.rate),
            )
            for row in rows
        ]
    lines += ["", Messages.REPORT_CRITERIA]
    for criterion in report.criteria:
        lines.append(f"  {criterion.question}")
        lines += [
            "    - "
            + Messages.REPORT_CHOICE.format(
                label=choice.label, count=choice.count, share=percent(criterion.share(choice))
            )
            for choice in criterion.choices
        ]
        lines.append("    - " + Messages.REPORT_NOT_ANSWERED.format(count=criterion.unanswered))
    return "\n".join(lines)


def _row_label(row: RateRow, with_key: bool) -> str:
    label = row.label if len(row.label) <= MAX_LABEL else row.label[: MAX_LABEL - 1].rstrip() + "…"
    return f"{row.key} {label}" if with_key and row.key else label


def write_csv(report: SurveyReport, path: Path) -> None:
    """One table of every figure; UTF-8 with BOM so that spreadsheet programs show Vietnamese."""
    groups = Messages.CSV_GROUPS
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(Messages.CSV_HEADER)
        for group, rows in (
            ("total", (report.total,)),
            ("agency", report.by_agency),
            ("procedure", report.by_procedure),
            ("month", report.by_month),
        ):
            writer.writerows(
                (
                    groups[group],
                    row.key,
                    row.label,
                    row.responses,
                    row.satisfied,
                    f"{row.rate * 100:.1f}",
                )
                for row in rows
            )
        for criterion in report.criteria:
            writer.writerows(
                (
                    groups["criterion"],
                    f"{criterion.key}={choice.value}",
                    f"{criterion.question}: {choice.label}",
                    choice.count,
                    "",
                    f"{criterion.share(choice) * 100:.1f}",
                )
                for choice in criterion.choices
            )


def write_png(report: SurveyReport, path: Path) -> None:
    """Bar charts: satisfaction rate per agency and per month, best answers per criterion."""
    agencies = report.by_agency
    height = 4 + 0.3 * (len(agencies) + len(report.criteria)) + 3
    figure = Figure(figsize=(11, height), layout="constrained")
    FigureCanvasAgg(figure)
    top, middle, bottom = figure.subplots(
        3, 1, gridspec_kw={"height_ratios": [len(agencies) + 2, 6, 10]}
    )
    bars = _barh(
        top,
        [row.label for row in agencies],
        [row.rate * 100 for row in agencies],
        f"{Messages.CHART_TITLE} — {Messages.REPORT_BY_AGENCY.lower()}",
    )
    top.bar_label(bars, labels=[_bar_label(row) for row in agencies], padding=3, fontsize=8)
    months = report.by_month
    bars = middle.bar(
        [row.label for row in months], [row.rate * 100 for row in months], color=BAR_COLOR
    )
    middle.bar_label(bars, labels=[_bar_label(row) for row in months], padding=3, fontsize=8)
    middle.set_ylim(0, 110)
    middle.set_title(f"{Messages.CHART_TITLE} — {Messages.REPORT_BY_MONTH.lower()}")
    middle.tick_params(axis="x", labelrotation=45)
    best = [criterion.share(criterion.choices[0]) * 100 for criterion in report.criteria]
    _barh(
        bottom,
        [criterion.question for criterion in report.criteria],
        best,
        Messages.CHART_CRITERIA_TITLE,
    )
    figure.savefig(path, dpi=100)


def _barh(axes: Axes, labels: list[str], values: list[float], title: str) -> BarContainer:
    bars = axes.barh(labels, values, color=BAR_COLOR)
    axes.invert_yaxis()
    axes.set_xlim(0, 115)  # room for the bar labels
    axes.set_title(title)
    return bars


def _bar_label(row: RateRow) -> str:
    return f"{row.rate * 100:.0f}% / {row.responses}"
