"""How clean the list answers are, over every record of the knowledge base.

For each record it builds the document answer (without a case, and for each case when the
documents differ by case, each with the case-specific papers behind its button too), the
citizen steps, the officials' steps and the time answer, and counts the records whose answers
(without their closing name-and-link lines) contain:

- a cut: more "…" than the catalogue text itself has (the old answers shortened items with it);
- a numbered note: a numbered line that reads as an explanation, not a paper: it starts with
  "*", "Lưu ý", "Chú ý" or "Ghi chú", or it opens on a circumstance ("Ngoài", "Trường hợp",
  "Đối với", "Nếu", "Khi", "Tùy") and either ends with ":" (it leads in the next rows) or
  names no paper to hand in; judged from the line alone, independently of the answer code;
- a repeated line: the same line twice in one answer (list numbers ignored);
- the portal link more than once;
- a repeated "cổng không ghi đơn vị" (time answers).

    .venv/bin/python -m benchmarks.answer_quality
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator

from actions import answers
from procedures_kb.store import Record, default_records
from vntext import fold

Answer = answers.Answer
_NUMBERED = re.compile(
    r"^\d+\. (.*?)(?: \((?:\d+ bản chính|\d+ bản sao|không ghi số lượng)[^)]*\))?$"
)
_NOTE_START = re.compile(r"^(\W*\*|\W*(luu y|chu y|ghi chu)\b)")
_CIRCUMSTANCE = re.compile(r"^\W*(ngoai|truong hop|trong truong hop|doi voi|neu|khi|tuy)\b")
_PAPER_WORDS = re.compile(
    r"\b(nop|kem|xuat trinh|gui|cung cap|bo sung|ban sao|ban chinh|ban goc|don|to khai|giay|van ban|hop dong|"
    r"quyet dinh|bao cao|tai lieu|chung tu|bien ban|phieu|ho so)\b"
)


def text_of(answer: Answer) -> str:
    """The answer without its closing short name and link (a short name may end with "…")."""
    return answer.text.rsplit("\n📄 ", 1)[0]


def numbered_items(text: str) -> Iterator[str]:
    for line in text.splitlines():
        match = _NUMBERED.match(line)
        if match:
            yield match.group(1)


def is_numbered_note(item: str) -> bool:
    folded = fold(item)
    if _NOTE_START.match(folded):
        return True
    return bool(_CIRCUMSTANCE.match(folded)) and (
        folded.rstrip().endswith(":") or not _PAPER_WORDS.search(folded)
    )


def repeated_line(text: str) -> bool:
    keys = [fold(re.sub(r"^\d+\. ", "", line)).strip() for line in text.splitlines()]
    keys = [key for key in keys if key]
    return len(keys) != len(set(keys))


def document_answers(record: Record) -> Iterator[Answer]:
    for case in [None, *answers.document_cases(record)]:
        yield answers.documents_answer(record, case)
        yield answers.documents_answer(record, case, case_papers=True)


def source_text(record: Record) -> str:
    """Everything an answer may quote from the record."""
    return "\n".join(
        [record["name"], *(row["name"] for row in record["documents"]), *record["steps"]]
    )


CHECKS: dict[str, Callable[[str, Record], bool]] = {
    "cut with …": lambda text, record: text.count("…") > source_text(record).count("…"),
    "numbered note": lambda text, record: any(
        is_numbered_note(item) for item in numbered_items(text)
    ),
    "repeated line": lambda text, record: repeated_line(text),
    "link more than once": lambda text, record: text.count(record["source_url"]) > 1,
    "unit remark repeated": lambda text, record: text.count("cổng không ghi đơn vị") > 1,
}


KINDS: dict[str, Callable[[Record], Iterator[Answer]]] = {
    "documents": document_answers,
    "steps": lambda record: iter(
        [answers.citizen_steps_answer(record), answers.official_steps_answer(record)]
    ),
    "time": lambda record: iter([answers.time_answer(record)]),
}
NOT_APPLICABLE = {("steps", "numbered note")}


def measure(records: dict[str, Record]) -> dict[str, Counter[str]]:
    figures: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    for record in records.values():
        for kind, make in KINDS.items():
            texts = [text_of(answer) for answer in make(record)]
            for check, failed in CHECKS.items():
                figures[kind][check] += any(failed(text, record) for text in texts)
    return figures


def main() -> None:
    records = default_records()
    figures = measure(records)
    print(f"Records whose answers show each problem (of {len(records):,} records):")
    print(f"| answer | {' | '.join(CHECKS)} |")
    print(f"|---|{'---:|' * len(CHECKS)}")
    for kind, counts in figures.items():
        cells = [
            "n/a" if (kind, check) in NOT_APPLICABLE else str(counts[check]) for check in CHECKS
        ]
        print(f"| {kind} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
