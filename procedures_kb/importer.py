"""Import the raw national catalogue crawl into clean records inside `procedures_kb/records/`.

One JSON file per procedure, keys in a fixed order and UTF-8 text, so a re-import shows
as a readable diff. Run: `python -m procedures_kb import ../shared/tthc_catalogue/raw`.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from procedures_kb import fees, parsing
from procedures_kb.parsing import Problems, clean
from procedures_kb.store import RECORDS_DIR, SEGMENTATION_FILE
from procedures_kb.text import normalize

REPORT_FILE = Path(__file__).parent / "import_report.md"


def clean_multiline(raw: str) -> str:
    """Normalise each line but keep the line breaks that structure conditions and notes."""
    lines = (clean(line) for line in (raw or "").splitlines())
    return "\n".join(line for line in lines if line)


def build_record(raw: dict[str, Any], problems: Problems) -> dict[str, Any]:
    """The clean record of one raw portal page, with the field names the project documents."""
    methods = parsing.parse_methods(raw["cach_thuc_thuc_hien"], problems)
    fees.annotate_methods(methods)
    return {
        "code": normalize(raw["ma_thu_tuc"]),
        "name": clean(raw["ten_thu_tuc"]),
        "field": clean(raw["linh_vuc"]),
        "levels": parsing.split_list(raw["cap_thuc_hien"]),
        "procedure_type": clean(raw["loai_thu_tuc"]),
        "applicants": parsing.split_list(raw["doi_tuong_thuc_hien"]),
        "agencies": {
            "implementing": clean(raw["co_quan_thuc_hien"]),
            "receiving": clean(raw["dia_chi_tiep_nhan"]),
            "competent": clean(raw["co_quan_co_tham_quyen"]),
            "authorized": clean(raw["co_quan_duoc_uy_quyen"]),
            "coordinating": clean(raw["co_quan_phoi_hop"]),
        },
        "decision": clean(raw["so_quyet_dinh"]),
        "source_url": clean(raw["detail_url"]),
        "methods": methods,
        "documents": parsing.parse_documents(raw["thanh_phan_ho_so"], problems),
        "steps": parsing.parse_steps(raw["trinh_tu_thuc_hien"]),
        "conditions": clean_multiline(raw["yeu_cau_dieu_kien"]),
        "result": parsing.parse_results(raw["ket_qua_xu_ly"], problems),
        "legal_basis": parsing.parse_legal_basis(raw["can_cu_phap_ly"], problems),
        "related": clean_multiline(raw["thu_tuc_lien_quan"]),
    }


@dataclass
class ImportReport:
    records: int = 0
    problem_counts: Counter[str] = field(default_factory=Counter)
    problem_codes: dict[str, list[str]] = field(default_factory=dict)

    def add(self, code: str, problems: Problems) -> None:
        self.records += 1
        for kind, excerpts in problems.found.items():
            self.problem_counts[kind] += len(excerpts)
            self.problem_codes.setdefault(kind, []).append(code)

    def to_markdown(self) -> str:
        lines = [
            "# Catalogue import report",
            "",
            f"Records imported: {self.records}. Records with at least one problem: "
            f"{len({code for codes in self.problem_codes.values() for code in codes})}.",
            "",
            "Each problem below is a place where the flattened portal table was ambiguous;",
            "the importer kept all the text and chose the most likely reading.",
            "",
            "| problem | occurrences | records (first 15) |",
            "|---|---|---|",
        ]
        for kind, count in sorted(self.problem_counts.items()):
            codes = sorted(set(self.problem_codes[kind]))
            lines.append(f"| {kind} | {count} | {', '.join(codes[:15])}{' …' if len(codes) > 15 else ''} |")
        return "\n".join(lines) + "\n"


def read_raw(raw_dir: Path) -> list[dict[str, Any]]:
    files = sorted(raw_dir.rglob("*.json"))
    if not files:
        raise FileNotFoundError(f"Không tìm thấy tệp .json nào trong {raw_dir}")
    return [json.loads(path.read_text(encoding="utf-8")) for path in files]


def write_record(record: dict[str, Any], records_dir: Path) -> None:
    text = json.dumps(record, ensure_ascii=False, indent=1) + "\n"
    (records_dir / f"{record['code']}.json").write_text(text, encoding="utf-8")


def check_page_code(raw: dict[str, Any], problems: Problems) -> None:
    """The crawl sometimes saved one page under another code: the page text tells."""
    page_code = re.search(r"Mã thủ tục([\d.]+\d)", raw.get("raw_text", ""))
    if page_code and page_code.group(1) != raw["ma_thu_tuc"]:
        problems.add("record: page text shows another code", f"{raw['ma_thu_tuc']} ≠ {page_code.group(1)}")


def segment_names(records: list[dict[str, Any]]) -> dict[str, list[str]]:
    """code → multi-syllable words of the name, as underthesea segments them.

    Done once here, not when the search index loads, because segmenting every name
    takes seconds and the index must load in well under that.
    """
    from underthesea import word_tokenize

    return {record["code"]: [word for word in word_tokenize(record["name"]) if " " in word] for record in records}


def import_catalogue(raw_dir: Path, records_dir: Path = RECORDS_DIR, segmentation_file: Path = SEGMENTATION_FILE) -> ImportReport:
    """Parse every raw record and replace the records directory with the clean output."""
    report = ImportReport()
    records_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for raw in read_raw(raw_dir):
        problems = Problems()
        record = build_record(raw, problems)
        check_page_code(raw, problems)
        write_record(record, records_dir)
        records.append(record)
        report.add(record["code"], problems)
    written = {f"{record['code']}.json" for record in records}
    for stale in records_dir.glob("*.json"):
        if stale.name not in written:
            stale.unlink()
    words = json.dumps(segment_names(records), ensure_ascii=False, indent=0, sort_keys=True)
    segmentation_file.write_text(words + "\n", encoding="utf-8")
    return report
