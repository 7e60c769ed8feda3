"""Whole-catalogue checks: nothing dropped, committed output equals a fresh import."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import PROJECT_ROOT
from procedures_kb.importer import (
    ImportReport,
    TargetFigures,
    build_record,
    channels_lost,
    import_catalogue,
    result_names_with_codes,
)
from procedures_kb.parsing import (
    DOCUMENTS_HEADER,
    LEGAL_HEADER,
    LEGAL_PORTAL_TAIL,
    METHODS_HEADER,
    NO_INFO,
    PORTAL_TAIL,
    Problems,
    result_code_spans,
)
from procedures_kb.store import RECORDS_DIR, SEGMENTATION_FILE
from vntext import fold, normalize

RAW_DIR = PROJECT_ROOT.parent / "shared" / "tthc_catalogue" / "raw"

# raw field → the parsed fields its text must end up in
FIELD_MAP = {
    "ten_thu_tuc": ["name"],
    "linh_vuc": ["field"],
    "cap_thuc_hien": ["levels"],
    "doi_tuong_thuc_hien": ["applicants"],
    "co_quan_thuc_hien": ["agencies"],
    "co_quan_co_tham_quyen": ["agencies"],
    "dia_chi_tiep_nhan": ["agencies"],
    "cach_thuc_thuc_hien": ["methods"],
    "thanh_phan_ho_so": ["documents"],
    "trinh_tu_thuc_hien": ["steps"],
    "yeu_cau_dieu_kien": ["conditions"],
    "ket_qua_xu_ly": ["result"],
    "can_cu_phap_ly": ["legal_basis"],
    "thu_tuc_lien_quan": ["related"],
}
# Text the importer removes on purpose: table headers, the "no information" marker,
# result-paper codes ("Mã: …" cells), the portal's search widget glued after the results
# and the next page section glued after a few legal-basis tables.
DELIBERATELY_DROPPED = [METHODS_HEADER, DOCUMENTS_HEADER, LEGAL_HEADER, NO_INFO]
# Quantity cells become the numbers `original` and `copies`; a count is one digit or "0N"
# (longer digit runs belong to the name before it, see parsing._quantities).
QUANTITY_CELL = re.compile(r"(?:(?<!\d)0\d|\d) bản (?:chính|sao)(?:,\d+ bản (?:chính|sao))?")


def require_raw() -> None:
    if not RAW_DIR.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"raw catalogue missing at {RAW_DIR}")
        pytest.skip("raw catalogue (../shared) not available")


def raw_records() -> Iterator[dict[str, Any]]:
    for path in sorted(RAW_DIR.rglob("*.json")):
        yield json.loads(path.read_text(encoding="utf-8"))


# Keys the importer derives from the cells (the fee model): not portal text, so not read back.
DERIVED_KEYS = ("fees", "fee_basis", "fee_flags")


def strings(value: Any) -> Iterator[str]:
    """All text of a parsed value in order; a document row reads as its table cells did."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict) and "number" in value:
        yield f"{value['title']}{value['number_text']}"  # the portal's column order, cells as written
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in DERIVED_KEYS:
                yield from strings(item)
    elif isinstance(value, list) and value and isinstance(value[0], dict) and "is_note" in value[0]:
        yield from document_cells(value)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def document_cells(rows: list[dict[str, Any]]) -> Iterator[str]:
    """Each case heading once, then its rows' name and form cells (counts are numbers)."""
    group = None
    for row in rows:
        if row["group"] != group:
            group = row["group"]
            yield group or ""
        yield f"{row['name']}{row['form'] or ''}"


def without_result_codes(text: str) -> str:
    for start, end in reversed(result_code_spans(text)):
        text = f"{text[:start]} {text[end:]}"
    return text


def words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def test_every_word_of_every_raw_field_survives_parsing() -> None:
    require_raw()
    lost: list[str] = []
    count = 0
    for raw in raw_records():
        count += 1
        record = build_record(raw, Problems())
        for raw_field, parsed_fields in FIELD_MAP.items():
            text = normalize(raw[raw_field])
            text = (
                without_result_codes(PORTAL_TAIL.sub("", text))
                if raw_field == "ket_qua_xu_ly"
                else text
            )
            text = LEGAL_PORTAL_TAIL.sub("", text) if raw_field == "can_cu_phap_ly" else text
            text = QUANTITY_CELL.sub("", text) if raw_field == "thanh_phan_ho_so" else text
            for dropped in DELIBERATELY_DROPPED:
                text = text.replace(dropped, " ")
            parsed = "".join(fold(s) for field in parsed_fields for s in strings(record[field]))
            parsed = re.sub(r"\W", "", parsed)
            lost += [
                f"{raw['ma_thu_tuc']} {raw_field}: {word}"
                for word in words(text)
                if word not in parsed
            ]
    assert count == 2642
    assert lost == []


def test_committed_records_equal_a_fresh_import(tmp_path: Path) -> None:
    require_raw()
    fresh, segmentation = tmp_path / "records", tmp_path / "name_words.json"
    report = import_catalogue(RAW_DIR, fresh, segmentation)
    assert report.records == 2642
    committed = sorted(path.name for path in RECORDS_DIR.glob("*.json"))
    assert committed == sorted(path.name for path in fresh.glob("*.json"))
    changed = [
        name
        for name in committed
        if (RECORDS_DIR / name).read_bytes() != (fresh / name).read_bytes()
    ]
    assert changed == [], (
        "run: .venv/bin/python -m procedures_kb import ../shared/tthc_catalogue/raw"
    )
    assert SEGMENTATION_FILE.read_bytes() == segmentation.read_bytes()


FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "raw"


def fixture(code: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{code}.json").read_text(encoding="utf-8"))


def test_lost_channel_rows_are_found_against_the_raw_table() -> None:
    raw = fixture("2.002516")
    record = build_record(raw, Problems())
    assert channels_lost(raw, record) == {}
    record["methods"] = record["methods"][:1]  # what the parser used to keep: "Trực tuyến" only
    assert channels_lost(raw, record) == {"Dịch vụ bưu chính": 1, "Trực tiếp": 1}
    note_line = fixture(
        "3.000382"
    )  # "Dịch vụ bưu chính\t02 Ngày làm việc\tPhí : Đồng…" has no fee cell: not a row
    assert channels_lost(note_line, build_record(note_line, Problems())) == {}


def test_codes_left_in_result_names_are_found() -> None:
    record = {
        "result": [
            "Quyết định thu hồiMã: TP-G12.KQ.120Quyết định",
            "Phép bay 000.00.00.G04-KQ0174",
            "Giấy phép",
        ]
    }
    assert result_names_with_codes(record) == record["result"][:2]


def test_report_states_the_three_targets() -> None:
    report = ImportReport()
    for code in ("1.004073", "2.002516", "3.000578"):
        raw = fixture(code)
        problems = Problems()
        record = build_record(raw, problems)
        report.add(code, problems)
        report.targets.add(raw, record)
    broken = build_record(fixture("1.002390"), Problems())
    broken["legal_basis"][0]["number"] = "202323/2023/QH15"
    report.targets.add(fixture("1.002390"), broken)
    markdown = report.to_markdown()
    assert "| 75.00 % (3 of 4) | 1.002390 ('202323/2023/QH15') |" in markdown
    assert (
        "| channel rows of the raw table missing from the methods: 0 | 0 records | — |" in markdown
    )
    assert "| result names holding a result code: 0 | 0 records | — |" in markdown


def test_the_whole_catalogue_meets_the_three_targets() -> None:
    require_raw()
    targets = TargetFigures()
    for raw in raw_records():
        targets.add(raw, build_record(raw, Problems()))
    # What is left is the portal's own cells, kept as written: cells cut short ("38", "80",
    # "61", "193", "7", "85/2026"), old or English forms, and rows with no number cell at all
    # (""). The decree symbol cut short ("118/2025/NĐ-C", 45 land procedures) is completed.
    left = {number for numbers in targets.malformed_legal.values() for number in numbers}
    assert left <= {
        "38",
        "80",
        "61",
        "193",
        "7",
        "85/2026",
        "13/TT-NV",
        "07/2016/QD-TTg",
        "06/2016/QD-TTg",
        "",
    }
    assert targets.legal_well_formed_percent >= 99
    assert targets.lost_channels == {}
    assert targets.codes_in_results == {}
