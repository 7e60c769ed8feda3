"""Seeded generators of hostile input for the fuzz tests: texts, slash commands, JSON values,
raw request bodies. The same seed gives the same cases, so a failure can be replayed;
FUZZ_SEED=<n> explores other cases."""

from __future__ import annotations

import codecs
import json
import os
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT

SEED = int(os.environ.get("FUZZ_SEED", "20261202"))
DOMAIN = PROJECT_ROOT / "domain.yml"
INTENTS = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["intents"]
ENTITIES = ("procedure", "document_case", "dossier_code", "feedback_scope", "phone_last4")

QUESTIONS = (
    "làm căn cước cho con 15 tuổi cần gì",
    "còn lệ phí thì sao?",
    "nop online duoc khong",
    "nhập hộ khẩu cần những giấy tờ gì",
    "đăng ký khai sinh mất bao lâu",
    "tra cứu hồ sơ",
    "tra cứu hồ sơ 000.00.25.H49-261201-0001",
    "0874",
    "đánh giá dịch vụ",
    "gặp người thật",
    "xin chào",
    "cảm ơn",
    "không",
    "có",
    "1",
    "5",
)
ODD_PIECES = (
    "\ud800",  # lone high surrogate
    "\udfff",  # lone low surrogate
    "\ud83d\ude00",  # a surrogate pair as two code points
    "\x00",
    "\x07\x1b[31m",
    "\x85\u2028\u2029",
    "\u202e",  # right-to-left override
    "\u200b\u200d\ufeff",
    "e\u0301\u0301\u0301",  # stacked combining marks
    "\u0301",
    "ng\u0323\u0302",  # NFD Vietnamese
    "😀👍🏽🇻🇳",
    "𝕏𝔸",
    "\r\n\t  ",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "{{7*7}}${jndi:ldap://x}",
    "%s%n%x",
    "../../etc/passwd",
    '\\"}]{[',
    "null",
    "[]",
    "{}",
    "tg:1",
    "\uffff\ufffe",
    "ﷺ",
)
ENTITY_FRAGMENTS = (
    "",
    "{",
    "}",
    "{}",
    '{"procedure":',
    '{"procedure": "1.001193"',
    '{"procedure": "1.001193"}',
    '{"procedure": "1.001193"}}',
    '{"procedure": [1, 2]}',
    '{"procedure": {"a": null}}',
    '{"procedure": null}',
    '{"procedure": 1e999}',
    "{procedure: 1.001193}",
    '{"document_case": "-1"}',
    '{"document_case": 99999999999999999999}',
    '{"dossier_code": "000.00.25.H49-261201-0001", "phone_last4": "0874"}',
    '{"feedback_scope": "general"',
    '{"": ""}',
    '{"unknown_entity": "x"}',
    "}{",
    "[1, 2]",
    '"chuỗi"',
    "@0.5",
    "@1.5{}",
    "@-1",
    "@abc{",
    "@nan",
    '@0.9{"procedure": "1.001193"}',
    '{"procedure": ' + "[" * 950 + "]" * 950 + "}",  # overflows Rasa's JSON parser
)


class Fuzzer:
    """One seeded stream of hostile values."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def text(self) -> str:
        """A message: questions, odd characters, random code points, sometimes huge."""
        rng = self.rng
        kind = rng.random()
        if kind < 0.1:
            return self.slash_command()
        if kind < 0.15:
            return rng.choice(("", " ", "\n\t", "\x00\x01", "\u200b"))
        if kind < 0.22:
            size = rng.choice((1999, 2000, 2001, 2500, 6000))
            return (rng.choice(QUESTIONS) + " ") * (size // 10) + "x" * rng.randrange(30)
        pieces = [self._piece() for _ in range(rng.randint(1, 6))]
        return rng.choice(("", " ")).join(pieces)

    def _piece(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            return rng.choice(QUESTIONS)
        if roll < 0.8:
            return rng.choice(ODD_PIECES)
        return "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randint(1, 8)))

    def slash_command(self) -> str:
        """A Rasa payload (`/intent@confidence{entities}`), often malformed."""
        rng = self.rng
        intent = rng.choice((*INTENTS, "", "khong_co_y_dinh", "ask_fee/extra", "greet greet"))
        fragment = rng.choice(ENTITY_FRAGMENTS)
        if self.chance(0.2):
            name, value = rng.choice(ENTITIES), self.value(depth=2)
            fragment = json.dumps({name: value}, ensure_ascii=False)[: rng.randint(1, 200)]
        return f"/{intent}{fragment}"

    def scalar(self) -> Any:
        rng = self.rng
        return rng.choice(
            (
                None,
                True,
                False,
                0,
                -1,
                rng.randint(-(2**70), 2**70),
                rng.random() * 1e300,
                float("inf"),
                float("nan"),
                "",
                self.text(),
            )
        )

    def value(self, depth: int = 3) -> Any:
        """Any JSON value, nesting at most `depth` levels."""
        roll = self.rng.random()
        if depth <= 0 or roll < 0.6:
            return self.scalar()
        size = self.rng.randint(0, 4)
        if roll < 0.8:
            return [self.value(depth - 1) for _ in range(size)]
        return {self._key(): self.value(depth - 1) for _ in range(size)}

    def _key(self) -> str:
        return self.rng.choice(("sender", "message", "metadata", "text", "id", "", "\ud800", "a"))

    def mutate(self, data: Any, rate: float = 0.15) -> Any:
        """`data` with some values replaced by others of any type, some keys dropped or added."""
        if isinstance(data, dict):
            mutated = {}
            for key, value in data.items():
                if self.chance(rate / 3):
                    continue
                mutated[key] = self.value(2) if self.chance(rate) else self.mutate(value, rate)
            if self.chance(rate):
                mutated[self._key()] = self.value(2)
            return mutated
        if isinstance(data, list):
            return [self.mutate(item, rate) for item in data]
        return data

    def replace_one(self, data: Any) -> Any:
        """`data` with one value somewhere inside replaced by a value of any type."""
        if isinstance(data, dict) and data and not self.chance(0.2):
            key = self.rng.choice(list(data))
            return {**data, key: self.replace_one(data[key])}
        if isinstance(data, list) and data and not self.chance(0.2):
            index = self.rng.randrange(len(data))
            return [*data[:index], self.replace_one(data[index]), *data[index + 1 :]]
        return self.value(2)

    def body(self, valid: Callable[[], Any]) -> bytes:
        """Raw request bytes: mostly `valid()` (intact, or one or several values changed),
        else broken JSON."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            variant = rng.choice((lambda data: data, self.replace_one, self.mutate))
            return self.encode(variant(valid()))
        if roll < 0.62:
            return self.encode(valid())[: rng.randrange(1, 60)]  # truncated
        if roll < 0.68:
            return rng.choice((b"", b" ", b"\n", b"null", b"true", b"0", b'"x"', b"[]", b"[{}]"))
        if roll < 0.76:
            return self.deep()
        if roll < 0.82:
            return rng.randbytes(rng.randint(1, 300))
        if roll < 0.88:
            return self.encode(self.value(4))
        return rng.choice(
            (
                b'{"message": "\xff\xfe\xfd", "sender": "a"}',  # not UTF-8
                codecs.BOM_UTF8 + self.encode(valid()),
                self.encode(valid()).replace(b"{", b"{ ,", 1),
                b'{"sender": "' + b"9" * 5000 + b'"}',
                b'{"message": ' + b"9" * 5000 + b"}",  # over Python's int digit limit
                b'{"message": 1e999999, "sender": NaN}',
                b'{"message": "a", "message": ["b"], "sender": "s", "sender": 1}',
                b'{"message": "\\ud800", "sender": "\\udc00"}',
            )
        )

    def deep(self) -> bytes:
        """Nested too deep for the checks or even for the parser; some never closed."""
        rng = self.rng
        depth = rng.choice((17, 40, 200, 1500, 6000))
        opener, closer = rng.choice(((b"[", b"]"), (b'{"a":', b"}"), (b'{"message":[', b"]}")))
        tail = closer * depth if self.chance(0.7) else b""
        return opener * depth + b"1" + tail

    def encode(self, data: Any) -> bytes:
        """JSON bytes, \\u-escaped or raw UTF-8 (where lone surrogates make invalid bytes)."""
        return json.dumps(data, ensure_ascii=self.chance(0.5)).encode("utf-8", "surrogatepass")


TRACEBACK = "Traceback (most recent call last)"


@dataclass
class Tally:
    """What one fuzzed target answered: statuses seen, and the problems found."""

    target: str
    statuses: Counter[int] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(self.statuses.values())

    def record(self, status: int, answer: bytes, case: bytes) -> None:
        """Count the answer; a server error or a traceback in it is a problem."""
        self.statuses[status] += 1
        if status >= 500 or TRACEBACK.encode() in answer or b'File "/' in answer:
            self.problem(f"HTTP {status} {answer[:300]!r}", case)

    def problem(self, what: str, case: bytes) -> None:
        self.problems.append(f"{what} for {case[:300]!r}")

    def summary(self) -> str:
        return f"{self.target}: {self.cases} cases, statuses {dict(sorted(self.statuses.items()))}"


def tracebacks_in(log_text: str) -> list[str]:
    """The lines of a traceback in a log: its header and its frames."""
    return [line for line in log_text.splitlines() if TRACEBACK in line or 'File "/' in line]


def check_rasa_answer(tally: Tally, status: int, answer: bytes, case: bytes) -> None:
    """A 200 is a non-empty list of messages with text; any refusal a JSON error."""
    data = json.loads(answer) if answer.strip() else None
    if status == 200:
        if not (isinstance(data, list) and data and all(m.get("text") for m in data)):
            tally.problem(f"silent or textless 200: {answer[:200]!r}", case)
    elif not (isinstance(data, dict) and data.get("error")):
        tally.problem(f"HTTP {status} without a JSON error", case)


def latin1(header_value: str) -> str:
    """What of a header value an HTTP client can send: latin-1, without line breaks
    (control characters stay, for the servers to refuse)."""
    value = header_value.encode("latin-1", "ignore").decode("latin-1")
    return value.replace("\r", "").replace("\n", "")
