"""The parsed catalogue and the fee in force hold to the hand-checked gold facts.

The gold set (``procedures_kb/eval/gold_facts.yml`` plus any ``gold_facts_*.yml`` part files) was
checked by hand against the raw catalogue; see the header of ``gold_facts.yml`` for how the
records were picked. Every failure names the record, the field, what the gold set says and what
the code gave.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from procedures_kb.store import KB_DIR, Record, default_records
from vntext import normalize

GOLD_DIR = KB_DIR / "eval"
GOLD_FILES = [GOLD_DIR / "gold_facts.yml", *sorted(GOLD_DIR.glob("gold_facts_*.yml"))]
STRATA = {
    "issue_example",
    "multi_case_documents",
    "channels_differ_in_fee",
    "odd_fee_cell",
    "note_with_dates_or_percent",
    "free_cell_with_note",
    "long_legal_basis",
    "random",
}
MIN_RECORDS = 120
FACT_FIELDS = ("methods", "documents", "legal_numbers", "results")
BASES = {"catalogue", "note", "reduced", "exempt", "provincial", "by_regulation", "unknown"}
NO_AMOUNT_BASES = {"provincial", "by_regulation", "unknown"}
# Bullets the portal puts before a paper or a heading; whether a parser keeps them is cosmetic.
BULLETS = "-*+•\uf0fc \t"


def _gold_files() -> list[Path]:
    return [path for path in GOLD_FILES if path.exists()]


def _load_gold() -> tuple[dict[str, dict[str, Any]], list[str], list[str]]:
    """Gold records by code (all files), the dates they give fees for, and codes found twice."""
    records: dict[str, dict[str, Any]] = {}
    dates: list[str] = []
    duplicates: list[str] = []
    for path in _gold_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        dates += [str(day) for day in data["dates"] if str(day) not in dates]
        for code, facts in data["records"].items():
            if str(code) in records:
                duplicates.append(str(code))
            records[str(code)] = facts
    return records, dates, duplicates


GOLD, GOLD_DATES, DUPLICATE_CODES = _load_gold()


def _record(code: str) -> Record:
    records = default_records()
    assert code in records, f"{code}: gold code not in the parsed catalogue"
    return records[code]


def _label(text: str | None) -> str | None:
    """A document name or group as compared: NFC, collapsed, without bullets and a trailing colon."""
    if text is None:
        return None
    cleaned = normalize(text).lstrip(BULLETS).rstrip(" :")
    return cleaned or None


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _mismatches(
    code: str, field: str, expected: list[Any], got: list[Any], complete: bool = True
) -> list[str]:
    """One line per differing position ("CODE field[i]: expected X, got Y"), and a length line."""
    lines = []
    for index, (want, have) in enumerate(zip(expected, got, strict=False)):
        if want != have:
            lines.append(f"{code} {field}[{index}]: expected {want!r}, got {have!r}")
    if len(got) < len(expected) or (complete and len(got) != len(expected)):
        lines.append(
            f"{code} {field}: expected {len(expected)} rows{'' if complete else ' at least'}, got {len(got)}"
        )
    return lines


def _methods_problems(code: str, gold: dict[str, Any], record: Record) -> list[str]:
    expected = [(m["channel"], _number(m["time_value"]), m["time_unit"]) for m in gold["methods"]]
    got = [(m["channel"], _number(m["time_value"]), m["time_unit"]) for m in record["methods"]]
    return _mismatches(code, "methods (channel, time_value, time_unit)", expected, got)


def _documents_problems(code: str, gold: dict[str, Any], record: Record) -> list[str]:
    complete = gold.get("documents_complete", True)
    expected = [(_label(d["name"]), _label(d["group"]), bool(d["note"])) for d in gold["documents"]]
    got = [(_label(d["name"]), _label(d["group"]), bool(d["is_note"])) for d in record["documents"]]
    if not complete:  # only the first rows of a huge table were checked
        got = got[: len(expected)]
    return _mismatches(code, "documents (name, group, note)", expected, got, complete)


def _legal_problems(code: str, gold: dict[str, Any], record: Record) -> list[str]:
    got = [entry["number"] for entry in record["legal_basis"]]
    return _mismatches(code, "legal_numbers", list(gold["legal_numbers"]), got)


def _results_problems(code: str, gold: dict[str, Any], record: Record) -> list[str]:
    return _mismatches(
        code,
        "results",
        [normalize(r) for r in gold["results"]],
        [normalize(r) for r in record["result"]],
    )


CHECKS = {
    "methods": _methods_problems,
    "documents": _documents_problems,
    "legal_numbers": _legal_problems,
    "results": _results_problems,
}


def test_gold_set_is_big_enough_and_covers_every_stratum() -> None:
    assert _gold_files(), f"no gold file in {GOLD_DIR}"
    assert not DUPLICATE_CODES, f"codes checked twice across gold files: {DUPLICATE_CODES}"
    count = len(GOLD)
    assert count >= MIN_RECORDS, f"gold set has {count} records, expected at least {MIN_RECORDS}"
    missing = STRATA - {facts["stratum"] for facts in GOLD.values()}
    assert not missing, f"strata without a gold record: {sorted(missing)}"


def test_every_gold_code_is_in_the_catalogue() -> None:
    unknown = sorted(code for code in GOLD if code not in default_records())
    assert not unknown, f"gold codes missing from the parsed catalogue: {unknown}"


@pytest.mark.parametrize("code", sorted(GOLD))
def test_gold_record_is_well_formed(code: str) -> None:
    """Catches typos in the gold file itself (a wrong basis, a missing date, an amount for by_regulation)."""
    facts = GOLD[code]
    assert facts["stratum"] in STRATA, f"{code} stratum: {facts['stratum']!r} is not a stratum"
    assert set(FACT_FIELDS) <= set(facts), (
        f"{code}: missing {sorted(set(FACT_FIELDS) - set(facts))}"
    )
    channels = list(dict.fromkeys(m["channel"] for m in facts["methods"]))
    assert sorted(str(day) for day in facts["fee_on"]) == sorted(GOLD_DATES), (
        f"{code} fee_on: dates {list(facts['fee_on'])}"
    )
    for day, fees in facts["fee_on"].items():
        assert list(fees) == channels, (
            f"{code} fee_on {day}: channels {list(fees)}, methods give {channels}"
        )
        for channel, fee in fees.items():
            where = f"{code} fee_on {day} {channel}"
            assert fee["basis"] in BASES, f"{where}: basis {fee['basis']!r}"
            if fee["basis"] in NO_AMOUNT_BASES or "cases_amounts" in fee:
                assert fee["amount"] is None, f"{where}: {fee['basis']} with an amount"
            else:
                assert fee["amount"] is not None and fee["currency"] in {"VND", "USD"}, (
                    f"{where}: no amount/currency"
                )
            assert (fee["valid_until"] is not None) == (fee["basis"] in {"reduced", "exempt"}), (
                f"{where}: valid_until"
            )


@pytest.mark.parametrize(
    ("code", "field"), [(code, field) for code in sorted(GOLD) for field in FACT_FIELDS]
)
def test_parsed_record_holds_the_gold_facts(code: str, field: str) -> None:
    problems = CHECKS[field](code, GOLD[code], _record(code))
    assert not problems, "\n".join(problems)


def _case_amounts(entry: Any) -> list[float]:
    amounts = []
    for case in getattr(entry, "cases", None) or []:
        amount = case["amount"] if isinstance(case, dict) else case.amount
        if amount is not None:
            amounts.append(float(amount))
    return sorted(set(amounts))


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _fee_problems(where: str, expected: dict[str, Any], entry: Any) -> list[str]:
    problems = []
    checks = [
        ("amount", _number(expected["amount"]), _number(entry.amount)),
        ("basis", expected["basis"], entry.basis),
        ("valid_until", _iso(expected["valid_until"]), _iso(entry.valid_until)),
    ]
    if expected["amount"] is not None:
        checks.append(("currency", expected["currency"], entry.currency))
    if "cases_amounts" in expected:
        checks.append(
            (
                "cases_amounts",
                sorted({float(a) for a in expected["cases_amounts"]}),
                _case_amounts(entry),
            )
        )
    for field, want, have in checks:
        if want != have:
            problems.append(f"{where} {field}: expected {want!r}, got {have!r}")
    return problems


@pytest.mark.parametrize(
    ("code", "day"), [(code, day) for code in sorted(GOLD) for day in GOLD_DATES]
)
def test_fee_in_force_holds_the_gold_facts(code: str, day: str) -> None:
    from procedures_kb.fees import (
        fees_in_force,  # written by another helper; its absence must fail here
    )

    expected = GOLD[code]["fee_on"][day]
    entries = fees_in_force(_record(code), date.fromisoformat(day))
    got_channels = [entry.channel for entry in entries]
    assert got_channels == list(expected), (
        f"{code} {day} channels: expected {list(expected)}, got {got_channels}"
    )
    problems = []
    for entry in entries:
        problems += _fee_problems(f"{code} {day} {entry.channel}", expected[entry.channel], entry)
    assert not problems, "\n".join(problems)
