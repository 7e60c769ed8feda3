"""Read access to the imported records and the curated aliases."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypedDict

import yaml

from vntext import fold, normalize

KB_DIR = Path(__file__).parent
RECORDS_DIR = KB_DIR / "records"
ALIASES_FILE = KB_DIR / "aliases.yml"
SEGMENTATION_FILE = KB_DIR / "name_words.json"


class FeeAmount(TypedDict):
    """One amount the fee cell or its note states (docs/fee-model.md)."""

    amount: float | None
    currency: str
    unit: str | None
    condition: str | None
    valid_from: str | None
    valid_to: str | None
    source: str
    reference: str | None
    share: float | None  # a percentage of a base the note does not state (amount null)


class Method(TypedDict):
    channel: str
    time_text: str
    time_value: float | None
    time_unit: str | None
    fee_text: str
    fee_vnd: int | None
    note: str | None
    fees: list[FeeAmount]
    fee_basis: str  # "fixed" | "free" | "by_regulation" | "provincial" | "unknown"
    fee_flags: list[
        str
    ]  # "cell_in_thousands", "cell_currency", "cell_free_note_amount", "cell_implausible"


class Document(TypedDict):
    name: str
    form: str | None
    original: int
    copies: int
    group: str | None
    is_note: bool


class LegalDocument(TypedDict):
    number: str  # in the catalogue's form: 123/2015/NĐ-CP
    title: str
    number_text: str  # the number cell as the portal wrote it ("Luật số 32/2024/QH15")


class Agencies(TypedDict):
    implementing: str
    receiving: str
    competent: str
    authorized: str
    coordinating: str


class Record(TypedDict):
    code: str
    name: str
    field: str
    levels: list[str]
    procedure_type: str
    applicants: list[str]
    agencies: Agencies
    decision: str
    source_url: str
    methods: list[Method]
    documents: list[Document]
    steps: list[str]
    conditions: str
    result: list[str]
    legal_basis: list[LegalDocument]
    related: str


@dataclass(frozen=True)
class Aliases:
    """Curated names citizens use (code → aliases), abbreviations, and level preference."""

    by_code: dict[str, tuple[str, ...]]
    abbreviations: dict[str, str]
    level_preference: tuple[str, ...]
    concepts: dict[str, tuple[str, ...]] = field(
        default_factory=dict
    )  # concept → phrases implying it

    def fixed_words(self) -> list[str]:
        """Multi-syllable aliases and expansions the tokenizer must keep whole."""
        phrases = {alias for aliases in self.by_code.values() for alias in aliases}
        phrases |= set(self.abbreviations.values())
        return sorted(phrase for phrase in phrases if " " in phrase)


def load_records(records_dir: Path = RECORDS_DIR) -> dict[str, Record]:
    records: dict[str, Record] = {}
    for path in sorted(records_dir.glob("*.json")):
        record: Record = json.loads(path.read_text(encoding="utf-8"))
        records[record["code"]] = record
    return records


def load_aliases(path: Path = ALIASES_FILE) -> Aliases:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    by_code = {
        str(code): tuple(normalize(alias) for alias in aliases or [])
        for code, aliases in (data.get("procedures") or {}).items()
    }
    abbreviations = {
        fold(str(short)): normalize(str(full))
        for short, full in (data.get("abbreviations") or {}).items()
    }
    levels = tuple(data.get("level_preference") or ("Cấp xã", "Cấp tỉnh", "Cấp bộ"))
    concepts = {
        normalize(concept): tuple(normalize(phrase) for phrase in phrases or [])
        for concept, phrases in (data.get("concepts") or {}).items()
    }
    return Aliases(
        by_code=by_code, abbreviations=abbreviations, level_preference=levels, concepts=concepts
    )


def load_name_words(path: Path = SEGMENTATION_FILE) -> dict[str, list[str]]:
    """code → the words of its name as underthesea segments them (made at import time)."""
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def default_records() -> dict[str, Record]:
    return load_records()
