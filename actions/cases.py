"""The cases of a document table as a citizen reads them: plain button labels, and the case a
question already names.

Curated labels and phrases (procedures_kb/case_labels.yml) cover the most-asked procedures;
for the rest a label is derived from the heading (without its numbering, its "Đối với" and
the procedure's own name) and a question names a case when it contains a two-word phrase of
that heading which no other heading of the record has ("xây nhà ở riêng lẻ").
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from procedures_kb.store import KB_DIR, Record
from vntext import fold

CASE_LABELS_FILE: Path = KB_DIR / "case_labels.yml"
MAX_LABEL_CHARS = 40
_HEADING_LEAD = re.compile(
    r"^[\W\d_]*(?:\(?(?:[a-zđ]|[ivx]+|\d+)?(?:\.\d+)*\)\s*)?(?:(?:đối với|trong|trường hợp|về)\s+)*[:,-]?\s*",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def curated() -> dict[str, dict[str, dict]]:
    """code → folded heading start → {label, phrases (folded)}."""
    data = yaml.safe_load(CASE_LABELS_FILE.read_text(encoding="utf-8")) or {}
    return {
        str(code): {
            fold(start): {
                "label": entry["label"],
                "phrases": [fold(p) for p in entry.get("phrases") or []],
            }
            for start, entry in cases.items()
        }
        for code, cases in data.items()
    }


def _curated_entry(record: Record, heading: str) -> dict | None:
    folded = fold(heading)
    return next(
        (
            entry
            for start, entry in curated().get(record["code"], {}).items()
            if folded.startswith(start)
        ),
        None,
    )


def case_title(record: Record, heading: str) -> str:
    """The case as an answer names it: the curated label, else the whole heading without its
    numbering, its "Đối với trường hợp" and the procedure's own name."""
    entry = _curated_entry(record, heading)
    if entry:
        return entry["label"]
    words = (_HEADING_LEAD.sub("", heading, count=1).strip() or heading).split()
    name = fold(re.sub(r"^thủ tục\s+", "", record["name"], flags=re.IGNORECASE)).split()
    shared = next(
        (
            index
            for index, (word, named) in enumerate(zip(words, name, strict=False))
            if fold(word) != named
        ),
        min(len(words), len(name)),
    )
    if shared >= 2 and len(words) - shared >= 2:
        words = words[shared:]
    title = " ".join(words)
    return title[:1].upper() + title[1:]


def case_label(record: Record, heading: str) -> str:
    """A short plain button label for one case heading (curated, else the case title cut at a word)."""
    label = case_title(record, heading)
    if len(label) <= MAX_LABEL_CHARS:
        return label
    return label[: MAX_LABEL_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,;:(") + "…"


def bigrams(text: str) -> set[str]:
    tokens = _WORD.findall(fold(text))
    return {f"{first} {second}" for first, second in zip(tokens, tokens[1:], strict=False)}


def _contains(message: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", message) is not None


def named_case(record: Record, cases: list[str], message: str) -> int | None:
    """The index of the one case the message names, or None (none, or several)."""
    folded = " ".join(_WORD.findall(fold(message)))
    curated_hits = [
        index
        for index, heading in enumerate(cases)
        if (entry := _curated_entry(record, heading))
        and any(_contains(folded, phrase) for phrase in entry["phrases"])
    ]
    if curated_hits:
        return curated_hits[0] if len(curated_hits) == 1 else None
    said = bigrams(message)
    own = [bigrams(heading) for heading in cases]
    unique = [
        grams - set().union(*(other for j, other in enumerate(own) if j != index))
        for index, grams in enumerate(own)
    ]
    hits = [index for index, grams in enumerate(unique) if grams & said]
    return hits[0] if len(hits) == 1 else None
