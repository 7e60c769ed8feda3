"""Satisfaction report on a small handmade dataset."""

from __future__ import annotations

import csv
from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.admin.report import build_report, format_report, percent, write_csv, write_png
from bot.db.engine import session_scope
from bot.db.services import SurveyAnswers, save_survey_response
from tests.helpers.db_factories import AGENCY, CODE, OTHER_AGENCY, dossier, store

OTHER_CODE = "000.12.30.H25-250105-0001"
THIRD_CODE = "000.12.30.H25-250210-0007"


@pytest.fixture
def surveyed(engine: Engine) -> Engine:
    """Three dossiers at two agencies, and four responses over January and February 2025:
    agency 1: Rất hài lòng; agency 2: Không hài lòng, Hài lòng; general feedback: Hài lòng."""
    store(
        engine,
        dossier(),
        dossier(
            code=OTHER_CODE,
            agency_code=OTHER_AGENCY.code,
            procedure_code="1.014063",
            procedure_name="Cấp đổi thẻ căn cước",
        ),
        dossier(code=THIRD_CODE, agency_code=OTHER_AGENCY.code),
        agencies=(AGENCY, OTHER_AGENCY),
    )
    responses = [
        ("r1", CODE, SurveyAnswers(3, {"staff_attitude": 2, "trips": 2}), datetime(2025, 1, 20, 9)),
        (
            "r2",
            OTHER_CODE,
            SurveyAnswers(1, {"staff_attitude": 0, "trips": 1}),
            datetime(2025, 1, 25, 9),
        ),
        ("r3", THIRD_CODE, SurveyAnswers(2, {"staff_attitude": 2}), datetime(2025, 2, 12, 9)),
        ("r4", None, SurveyAnswers(2), datetime(2025, 2, 14, 9)),
    ]
    with session_scope(engine) as session:
        for key, code, answers, at in responses:
            save_survey_response(
                session, idempotency_key=key, answers=answers, dossier_code=code, now=at
            )
    return engine


def _report(engine: Engine, since: date = None):
    with Session(engine, future=True) as session:
        return build_report(session, since)


def test_rates(surveyed: Engine) -> None:
    report = _report(surveyed)
    assert (report.total.responses, report.total.satisfied) == (4, 3)
    assert [(row.key, row.responses, row.satisfied) for row in report.by_agency] == [
        ("000.00.12.H25", 1, 1),
        ("000.12.30.H25", 2, 1),
        ("", 1, 1),
    ]
    assert report.by_agency[-1].label == "Góp ý chung (không gắn với hồ sơ)"
    assert [(row.key, row.responses, row.satisfied) for row in report.by_procedure] == [
        ("1.004222", 2, 2),
        ("1.014063", 1, 0),
        ("", 1, 1),
    ]
    assert [(row.key, row.label, row.responses, row.satisfied) for row in report.by_month] == [
        ("2025-01", "01/2025", 2, 1),
        ("2025-02", "02/2025", 2, 2),
    ]


def test_criteria(surveyed: Engine) -> None:
    criteria = {criterion.key: criterion for criterion in _report(surveyed).criteria}
    attitude = criteria["staff_attitude"]
    assert [(choice.value, choice.count) for choice in attitude.choices] == [(2, 2), (1, 0), (0, 1)]
    assert (attitude.answered, attitude.unanswered) == (3, 1)
    assert attitude.choices[0].label == "Chuẩn mực, nhiệt tình"
    assert [choice.count for choice in criteria["online_service"].choices] == [0, 0, 0]
    assert criteria["online_service"].unanswered == 4


def test_since_filters_by_answer_date(surveyed: Engine) -> None:
    report = _report(surveyed, date(2025, 2, 1))
    assert (report.total.responses, report.total.satisfied) == (2, 2)
    assert [row.key for row in report.by_month] == ["2025-02"]


def test_text(surveyed: Engine) -> None:
    text = format_report(_report(surveyed))
    assert "Tổng số phiếu: 4 — hài lòng (Rất hài lòng + Hài lòng): 3 (75,0%)" in text
    assert "000.12.30.H25 Công an phường Ba Đình: 1/2 phiếu hài lòng (50,0%)" in text
    assert "01/2025: 1/2 phiếu hài lòng (50,0%)" in text
    assert "Gây phiền hà, nhũng nhiễu: 1 (33,3%)" in text


def test_empty_report(engine: Engine, tmp_path) -> None:
    report = _report(engine)
    assert "Chưa có phiếu đánh giá nào" in format_report(report)
    write_png(report, tmp_path / "empty.png")
    assert (tmp_path / "empty.png").read_bytes().startswith(b"\x89PNG")


def test_csv_and_png(surveyed: Engine, tmp_path) -> None:
    report = _report(surveyed)
    write_csv(report, tmp_path / "report.csv")
    write_png(report, tmp_path / "report.png")
    with (tmp_path / "report.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["nhóm", "mã", "tên", "số phiếu", "số phiếu hài lòng", "tỷ lệ (%)"]
    assert ["tổng", "", "tổng", "4", "3", "75.0"] in rows
    assert ["cơ quan", "000.12.30.H25", "Công an phường Ba Đình", "2", "1", "50.0"] in rows
    assert ["tháng", "2025-02", "02/2025", "2", "2", "100.0"] in rows
    assert [
        "tiêu chí",
        "staff_attitude=0",
        "Thái độ của cán bộ, công chức: Gây phiền hà, nhũng nhiễu",
        "1",
        "",
        "33.3",
    ] in rows
    assert (tmp_path / "report.png").read_bytes().startswith(b"\x89PNG")


def test_percent() -> None:
    assert (percent(0.875), percent(0), percent(1)) == ("87,5%", "0,0%", "100,0%")
