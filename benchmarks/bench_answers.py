"""Phone-fit figures of the procedure answers (issue 15) over hand-written (procedure, question) pairs.

Each pair of benchmarks/answer_questions.yml is answered by the real action
(`action_answer_procedure`) on a tracker carrying the question's text, its aspect intent and
the procedure entity: the NLU is not in the loop (bench_nlu measures it), the answer is. With
ASSISTANT_TODAY=2026-12-02 unless set. For each answer (all its messages together):

- fact first: the asked fact is in the first 160 characters (per aspect, a fact read from the
  record independently of the answer code: the first channel's fee, time, the agency, the
  online verdict, a paper of the record, the conditions, "Nộp hồ sơ … tại");
- length: characters of the whole answer (median, max) and of each message (max, > 900);
- truncations: more "…" than the record's own text has (outside the closing name line);
- repeated lines, placeholders ("xxxx", "HOTLINE_TEXT", "{", "}", "None"), links ≠ 1.

    .venv/bin/python -m benchmarks.bench_answers [--show]
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("ASSISTANT_TODAY", "2026-12-02")

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.procedures import ActionAnswerProcedure
from bot.wording import UNIT_NOT_GIVEN
from procedures_kb.documents import display_name
from procedures_kb.fees import fees_in_force, today
from procedures_kb.format import time_phrase, where_to_file
from procedures_kb.store import Record, default_records

QUESTIONS = Path(__file__).with_name("answer_questions.yml")
FIRST_CHARS = 160
MESSAGE_LIMIT = 900
PLACEHOLDERS = ("xxxx", "HOTLINE_TEXT", "{", "}", "None")
CLIP = 25  # a fact is recognised by its first characters (a long note is quoted whole later)


def _clip(text: str) -> str:
    return text[:CLIP]


def _documents_fact(record: Record, head: str) -> bool:
    papers = [_clip(display_name(row)) for row in record["documents"]]
    return (
        any(paper in head for paper in papers)
        or "tùy trường hợp" in head
        or "không ghi thông tin này" in head
    )


FACTS: dict[str, Callable[[Record, str], bool]] = {
    "ask_fee": lambda record, head: any(
        _clip(fee.text) in head for fee in fees_in_force(record, today())
    ),
    "ask_processing_time": lambda record, head: any(
        _clip(time_phrase(method).removesuffix(f" ({UNIT_NOT_GIVEN})")) in head
        for method in record["methods"]
    ),
    "ask_agency": lambda record, head: _clip(where_to_file(record)) in head,
    "ask_online": lambda record, head: head.startswith(
        ("Có, nộp hồ sơ online", "Nộp online được một phần", "Chưa nộp online")
    ),
    "ask_conditions": lambda record, head: (
        _clip(record["conditions"].strip()) in head
        if record["conditions"].strip()
        else "chưa ghi điều kiện" in head
    ),
    "ask_documents": _documents_fact,
    "ask_steps": lambda record, head: (
        "Nộp hồ sơ" in head and _clip(where_to_file(record))[:15] in head
    ),
    "ask_procedure": lambda record, head: f"Nộp tại {_clip(where_to_file(record))}" in head,
}


@dataclass
class Measured:
    code: str
    aspect: str
    question: str
    messages: list[str]
    fact_first: bool
    truncated: bool
    repeated: bool
    placeholder: bool
    links: int

    @property
    def chars(self) -> int:
        return len("\n".join(self.messages))


def ask(code: str, aspect: str, question: str) -> list[str]:
    """The messages the action sends for this question (buttons are not counted)."""
    entity = {"entity": "procedure", "value": code, "confidence": 0.9, "ambiguous": False}
    latest = {"text": question, "intent": {"name": aspect, "confidence": 0.9}, "entities": [entity]}
    tracker = Tracker("bench", {}, latest, [], False, None, None, "action_listen")
    dispatcher = CollectingDispatcher()
    ActionAnswerProcedure().run(dispatcher, tracker, {})
    return [message["text"] for message in dispatcher.messages]


def measure(code: str, aspect: str, question: str, record: Record) -> Measured:
    sent = ask(code, aspect, question)
    text = "\n".join(sent)
    body = text.rsplit("\n📄 ", 1)[0]
    source = "\n".join(
        [
            record["name"],
            record["conditions"],
            *(row["name"] for row in record["documents"]),
            *record["steps"],
        ]
    )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return Measured(
        code,
        aspect,
        question,
        sent,
        fact_first=FACTS[aspect](record, text[:FIRST_CHARS]),
        truncated=body.count("…") > source.count("…"),
        repeated=len(lines) != len(set(lines)),
        placeholder=any(mark in text for mark in PLACEHOLDERS),
        links=text.count("http"),
    )


def run() -> list[Measured]:
    records = default_records()
    pairs = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return [
        measure(str(code), aspect, question, records[str(code)])
        for code, items in pairs.items()
        for aspect, question in items
    ]


def report(results: list[Measured]) -> dict[str, Any]:
    chars = [result.chars for result in results]
    return {
        "pairs": len(results),
        "fact in first 160 chars": f"{sum(r.fact_first for r in results)}/{len(results)}",
        "median answer chars": statistics.median(chars),
        "max answer chars": max(chars),
        "max message chars": max(len(m) for r in results for m in r.messages),
        f"messages over {MESSAGE_LIMIT}": sum(
            len(m) > MESSAGE_LIMIT for r in results for m in r.messages
        ),
        "truncations": sum(r.truncated for r in results),
        "repeated lines": sum(r.repeated for r in results),
        "placeholders": sum(r.placeholder for r in results),
        "answers without exactly one link": sum(r.links != 1 for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--show", action="store_true", help="print every answer that misses a target"
    )
    results = run()
    if parser.parse_args().show:
        for r in results:
            if (
                not r.fact_first
                or r.truncated
                or r.repeated
                or r.placeholder
                or r.links != 1
                or any(len(m) > MESSAGE_LIMIT for m in r.messages)
            ):
                print(f"--- {r.code} {r.aspect} «{r.question}»\n" + "\n".join(r.messages))
    print(f"Answers (bench_answers, ASSISTANT_TODAY={os.environ['ASSISTANT_TODAY']}):")
    for name, value in report(results).items():
        print(f"  {name}: {value}")


if __name__ == "__main__":
    main()
