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
from vntext import normalize

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


# --- Target figures, checked against the raw text (not against the parser's own reading) ---

# A channel row of the raw methods table: channel name, time cell, fee cell.
_RAW_CHANNEL_ROW = re.compile(
    rf"({'|'.join(parsing.CHANNELS)})"
    rf"(?:\s*(?:{parsing.NO_INFO}|\d[\d.,]*(?: ?(?:{'|'.join(parsing.TIME_UNITS)}))?)|[A-ZĐ][^()]{{0,150}}?)"
    rf"\s*(?:{parsing.FREE}|{parsing.NO_INFO}|\d[\d.,]* ?(?:{'|'.join(parsing.CURRENCIES)}))"
)
# What a result-paper code looks like wherever it is: "Mã: …", "KQ.G01.000105",
# "TP-G12.KQ.120", "000.00.00.G04-KQ0355", "G19-KQ006098".
_CODE_IN_NAME = re.compile(r"Mã ?:|\b(?:KQ|TP)[.\-]?[A-Z]?\d|\d{3}\.\d{2}\.\d{2}\.[A-Z]|\bG\d\d-KQ")


def channels_lost(raw: dict[str, Any], record: dict[str, Any]) -> Counter[str]:
    """Channel rows of the raw table that are not methods of the record (channel → how many)."""
    raw_rows = Counter(
        match.group(1) for match in _RAW_CHANNEL_ROW.finditer(normalize(raw["cach_thuc_thuc_hien"]))
    )
    return raw_rows - Counter(method["channel"] for method in record["methods"])


def result_names_with_codes(record: dict[str, Any]) -> list[str]:
    return [name for name in record["result"] if _CODE_IN_NAME.search(name)]


def malformed_legal_numbers(record: dict[str, Any]) -> list[str]:
    return [
        row["number"]
        for row in record["legal_basis"]
        if not parsing.is_well_formed_legal_number(row["number"])
    ]


@dataclass
class TargetFigures:
    """The issue's three targets, with the records that miss them."""

    with_legal_basis: int = 0
    malformed_legal: dict[str, list[str]] = field(default_factory=dict)
    lost_channels: dict[str, dict[str, int]] = field(default_factory=dict)
    codes_in_results: dict[str, list[str]] = field(default_factory=dict)

    def add(self, raw: dict[str, Any], record: dict[str, Any]) -> None:
        code = record["code"]
        self.with_legal_basis += bool(record["legal_basis"])
        if malformed := malformed_legal_numbers(record):
            self.malformed_legal[code] = malformed
        if lost := channels_lost(raw, record):
            self.lost_channels[code] = dict(lost)
        if names := result_names_with_codes(record):
            self.codes_in_results[code] = names

    @property
    def legal_well_formed_percent(self) -> float:
        return (
            100
            * (self.with_legal_basis - len(self.malformed_legal))
            / max(self.with_legal_basis, 1)
        )

    def to_markdown(self) -> list[str]:
        return [
            "## Targets",
            "",
            "| target | figure | records that miss it |",
            "|---|---|---|",
            f"| legal-basis numbers all well-formed (number/year/symbol), ≥ 99 % of records with a legal basis | "
            f"{self.legal_well_formed_percent:.2f} % ({self.with_legal_basis - len(self.malformed_legal)} of "
            f"{self.with_legal_basis}) | {_listing({code: ', '.join(repr(n) for n in numbers) for code, numbers in self.malformed_legal.items()})} |",
            f"| channel rows of the raw table missing from the methods: 0 | {len(self.lost_channels)} records | "
            f"{_listing({code: ', '.join(lost) for code, lost in self.lost_channels.items()})} |",
            f"| result names holding a result code: 0 | {len(self.codes_in_results)} records | "
            f"{_listing({code: str(len(names)) for code, names in self.codes_in_results.items()})} |",
            "",
            *self._malformed_by_value(),
        ]

    def _malformed_by_value(self) -> list[str]:
        """The malformed numbers grouped by value: most are the portal's own cell, kept as written."""
        by_value: dict[str, set[str]] = {}
        for code, numbers in self.malformed_legal.items():
            for number in numbers:
                by_value.setdefault(number, set()).add(code)
        lines = [
            "Malformed legal-basis numbers by value. A number cell stays as the portal wrote it unless",
            "its own row completes it (a cut-short cell whose title holds the full number, a law whose",
            "title gives the year); '' = the row has no number cell.",
            "",
            "| number | records |",
            "|---|---|",
        ]
        for number, codes in sorted(by_value.items(), key=lambda item: (-len(item[1]), item[0])):
            lines.append(f"| {number!r} | {len(codes)}: {', '.join(sorted(codes))} |")
        return [*lines, ""]


def _listing(details: dict[str, str]) -> str:
    return "; ".join(f"{code} ({detail})" for code, detail in sorted(details.items())) or "—"


@dataclass
class ImportReport:
    records: int = 0
    problem_counts: Counter[str] = field(default_factory=Counter)
    problem_codes: dict[str, list[str]] = field(default_factory=dict)
    targets: TargetFigures = field(default_factory=TargetFigures)

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
            *self.targets.to_markdown(),
            "## Problems by class",
            "",
            "Each problem below is a place where the flattened portal table was ambiguous or the",
            "crawl damaged the text; the importer kept all the text and chose the most likely reading.",
            "",
            "| problem | occurrences | records |",
            "|---|---|---|",
        ]
        for kind, count in sorted(self.problem_counts.items()):
            lines.append(
                f"| {kind} | {count} | {', '.join(sorted(set(self.problem_codes[kind])))} |"
            )
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
        problems.add(
            "record: page text shows another code", f"{raw['ma_thu_tuc']} ≠ {page_code.group(1)}"
        )


def segment_names(records: list[dict[str, Any]]) -> dict[str, list[str]]:
    """code → multi-syllable words of the name, as underthesea segments them.

    Done once here, not when the search index loads, because segmenting every name
    takes seconds and the index must load in well under that.
    """
    from underthesea import word_tokenize

    return {
        record["code"]: [word for word in word_tokenize(record["name"]) if " " in word]
        for record in records
    }


def import_catalogue(
    raw_dir: Path, records_dir: Path = RECORDS_DIR, segmentation_file: Path = SEGMENTATION_FILE
) -> ImportReport:
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
        report.targets.add(raw, record)
    written = {f"{record['code']}.json" for record in records}
    for stale in records_dir.glob("*.json"):
        if stale.name not in written:
            stale.unlink()
    words = json.dumps(segment_names(records), ensure_ascii=False, indent=0, sort_keys=True)
    segmentation_file.write_text(words + "\n", encoding="utf-8")
    return report
