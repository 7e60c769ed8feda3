"""Writes eval/official_name_questions.yml: questions quoting official procedure names (issue #14).

    .venv/bin/python -m eval.make_official_set

Procedures are sampled from the catalogue with a fixed seed; each gets two questions asking two
different aspects, with phrasings from eval/official_phrasings.yml (written for this set only),
each phrasing used about equally often. Every other question is typed without diacritics.
The name is quoted as the catalogue writes it (a trailing full stop dropped), sometimes with a
leading "Thủ tục" or a lower-case first letter. A procedure sharing its name, or its name
without brackets, with others gets the level its namesakes lack ("cấp tỉnh"), or its
implementing agency; a namesake that neither tells apart is not sampled. The output is committed: rerunning gives the same file.
"""

from __future__ import annotations

import random
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from bot.nlu.official_names import name_keys
from procedures_kb.store import Record, default_records
from vntext import fold

EVAL_DIR = Path(__file__).resolve().parent
PHRASINGS = EVAL_DIR / "official_phrasings.yml"
OUTPUT = EVAL_DIR / "official_name_questions.yml"
SEED = 14  # the number; not tuned
PROCEDURES = 175
QUESTIONS_PER_PROCEDURE = 2


def quoted_name(record: Record, rng: random.Random) -> str:
    """The name as a citizen pastes it: as written, with "Thủ tục" or lower-cased."""
    name = record["name"].strip().rstrip(".").strip()
    roll = rng.random()
    if roll < 0.2 and not fold(name).startswith("thu tuc"):
        return f"Thủ tục {name[0].lower()}{name[1:]}"
    if roll < 0.4:
        return name[0].lower() + name[1:]
    return name


def qualifier(record: Record, namesakes: list[Record]) -> str | None:
    """What tells a procedure from others of the same name: "" if nothing is needed, None if
    neither its level nor its implementing agency does."""
    others = [other for other in namesakes if other["code"] != record["code"]]
    if not others:
        return ""
    for level in record["levels"]:
        if all(level not in other["levels"] for other in others):
            return level.lower()
    agency = record["agencies"]["implementing"].strip()
    if agency and all(other["agencies"]["implementing"].strip() != agency for other in others):
        return f"tại {agency}"
    return None


def build(records: dict[str, Record]) -> list[dict[str, str]]:
    rng = random.Random(SEED)
    phrasings: dict[str, list[str]] = yaml.safe_load(PHRASINGS.read_text(encoding="utf-8"))
    by_key: dict[tuple[str, ...], list[Record]] = defaultdict(list)
    for record in records.values():
        for key in name_keys(record["name"]):
            by_key[key].append(record)
    codes = sorted(records)
    rng.shuffle(codes)
    decks = {intent: [] for intent in phrasings}  # shuffled phrasings, refilled when empty
    intents = sorted(phrasings)
    questions: list[dict[str, str]] = []
    sampled = 0
    for code in codes:
        if sampled == PROCEDURES:
            break
        record = records[code]
        keys = name_keys(record["name"])
        namesakes = {other["code"]: other for key in keys for other in by_key[key]}
        extra = qualifier(record, list(namesakes.values()))
        if extra is None or not name_keys(record["name"]):
            continue
        sampled += 1
        for intent in rng.sample(intents, QUESTIONS_PER_PROCEDURE):
            if not decks[intent]:
                decks[intent] = rng.sample(phrasings[intent], len(phrasings[intent]))
            name = quoted_name(record, rng) + (f" {extra}" if extra else "")
            text = decks[intent].pop().format(name=name)
            unaccented = len(questions) % 2 == 1
            questions.append(
                {
                    "text": fold(text) if unaccented else text,
                    "intent": intent,
                    "procedure": code,
                    "style": "unaccented" if unaccented else "accented",
                }
            )
    return questions


def main() -> int:
    questions = build(default_records())
    header = (
        "# Official-name evaluation set (issue #14), written by eval/make_official_set.py from\n"
        "# eval/official_phrasings.yml: held out, never trained or tuned on.\n"
    )
    body = yaml.safe_dump({"questions": questions}, allow_unicode=True, sort_keys=False, width=1000)
    OUTPUT.write_text(header + body, encoding="utf-8")
    procedures = len({question["procedure"] for question in questions})
    print(f"{len(questions)} questions over {procedures} procedures: {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
