"""Finds a procedure's official catalogue name quoted whole in a message.

Citizens who found a procedure on the portal, and hotline staff, ask by its official name:
"Cơ quan nào thực hiện Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp tỉnh)?". Such a
name is matched on folded canonical syllables ("ký"→"ki", no diacritics, punctuation ignored),
so it is found with or without diacritics, commas or brackets. Each name is known by:
- its whole text, without a leading "Thủ tục";
- the same without its bracketed parts ("… cấp III, cấp IV và nhà ở riêng lẻ");
- its text before the first bracket ("… đối với công trình cấp III, cấp IV").
The longest quoted name wins, so "cấp đặc biệt, cấp I, cấp II" is never read as a shorter
name. A leading "Thủ tục" in the message belongs to the match. Several procedures can share
a name (one per level, or per ministry): the match lists them all; `choose` picks by the level
and agency words of the rest of the message.

Two uses: the tokenizer replaces a long quoted name by one placeholder token, so the intent
comes from the words around it (a long name's own words say nothing about what is asked), and
the procedure linker links a quoted name exactly.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.nlu.segmentation import Syllable, syllables
from procedures_kb.store import Record, default_records

# Names this long or longer are replaced by PLACEHOLDER for the intent; shorter ones ("đăng ký
# tạm trú") are what citizens say anyway, and their words help tell the intent.
MASK_MIN_SYLLABLES = 6
# Least length of a name matched on its own (shorter keys would catch everyday phrases).
MIN_KEY_SYLLABLES = 3
PLACEHOLDER = "tenthutuc"  # one token no Vietnamese word folds to
_PREFIX = ("thu", "tuc")
_BRACKETS = re.compile(r"\([^()]*\)")
_AGENCY_PARTS = re.compile(r"[,;/\-–]")  # "Cục Quản lý tài nguyên nước - Bộ NN và MT"
AGENCY_HEAD_SYLLABLES = 3

# Level words of a message (folded canonical syllables) and the catalogue level they mean.
LEVEL_WORDS = {
    ("cap", "tinh"): "Cấp tỉnh",
    ("tinh",): "Cấp tỉnh",
    ("thanh", "pho"): "Cấp tỉnh",
    ("cap", "xa"): "Cấp xã",
    ("xa",): "Cấp xã",
    ("phuong",): "Cấp xã",
    ("cap", "bo"): "Cấp bộ",
    ("trung", "uong"): "Cấp bộ",
}


@dataclass(frozen=True)
class NameMatch:
    start: int  # offsets into the message, a leading "Thủ tục" included
    end: int
    codes: tuple[str, ...]  # every procedure known by the matched name, catalogue order
    length: int  # syllables of the name matched (without "Thủ tục")
    key: tuple[str, ...]


class OfficialNames:
    """The catalogue's names as folded syllable keys, for exact matching in messages."""

    def __init__(self, records: dict[str, Record]) -> None:
        self._records = records
        by_key: dict[tuple[str, ...], list[str]] = defaultdict(list)
        self._whole: set[tuple[str, tuple[str, ...]]] = set()  # (code, key of its whole name)
        for code, record in records.items():
            keys = name_keys(record["name"])
            self._whole.add((code, whole_key(record["name"])))
            for key in keys:
                by_key[key].append(code)
        self._by_key = {key: tuple(codes) for key, codes in by_key.items()}
        self._lengths_by_first: dict[str, list[int]] = defaultdict(list)
        for key in self._by_key:
            self._lengths_by_first[key[0]].append(len(key))
        for lengths in self._lengths_by_first.values():
            lengths.sort(reverse=True)

    def find(self, text: str) -> NameMatch | None:
        """The longest official name quoted in the text (first one on a tie), or None."""
        found = syllables(text)
        keys = [syllable.key for syllable in found]
        best: NameMatch | None = None
        for index in range(len(found)):
            for length in self._lengths_by_first.get(keys[index], ()):
                if best and length <= best.length:
                    break
                if index + length > len(keys):
                    continue
                codes = self._by_key.get(tuple(keys[index : index + length]))
                if codes:
                    best = _match(found, index, length, codes)
                    break
        return best

    def name_of(self, code: str) -> str:
        return self._records[code]["name"]

    def choose(self, match: NameMatch, text: str) -> tuple[list[str], bool]:
        """The matched codes best first, and whether the message left a tie at the top.

        A procedure gains a point when its whole name was quoted (not only its name without
        brackets), two for each level named outside the name that it has ("cấp tỉnh", "(thực
        hiện tại cấp xã)"), minus one for each it lacks, one for each "cấp …" of the message in
        the name's brackets ("(thực hiện tại cấp huyện)"), and three when the message names one
        of its agencies by its first words ("Bộ Nông nghiệp và …", "Sở Xây dựng")."""
        if len(match.codes) == 1:
            return list(match.codes), False
        rest = [s.key for s in syllables(text) if s.end <= match.start or s.start >= match.end]
        scores = {
            code: self._evidence(self._records[code], rest) + ((code, match.key) in self._whole)
            for code in match.codes
        }
        ranked = sorted(match.codes, key=lambda code: -scores[code])
        return ranked, scores[ranked[0]] == scores[ranked[1]]

    def _evidence(self, record: Record, rest: Sequence[str]) -> float:
        levels = set(record["levels"])
        named_levels = {level for words, level in LEVEL_WORDS.items() if _contains(rest, words)}
        brackets = _BRACKETS.findall(record["name"])
        in_brackets = " ".join(key for bracket in brackets for key in _keys(bracket))
        bracket_levels = sum(f" cap {word} " in f" {in_brackets} " for word in _after_cap(rest))
        agency = any(_contains(rest, head) for head in _agency_heads(record))
        level_score = len(named_levels & levels) * 2 - len(named_levels - levels)
        return level_score + bracket_levels + 3 * agency


def name_keys(name: str) -> set[tuple[str, ...]]:
    """The folded syllable keys a procedure is known by (see the module doc)."""
    variants = (name, _BRACKETS.sub(" ", name), name.split("(", 1)[0])
    return {key for key in map(whole_key, variants) if len(key) >= MIN_KEY_SYLLABLES}


def whole_key(name: str) -> tuple[str, ...]:
    """The folded syllables of a name, without a leading "Thủ tục"."""
    key = tuple(syllable.key for syllable in syllables(name))
    return key[2:] if key[:2] == _PREFIX else key


def _match(found: list[Syllable], index: int, length: int, codes: tuple[str, ...]) -> NameMatch:
    """The match, widened to a "Thủ tục" just before the name."""
    prefixed = index >= 2 and tuple(s.key for s in found[index - 2 : index]) == _PREFIX
    first = index - 2 if prefixed else index
    key = tuple(syllable.key for syllable in found[index : index + length])
    end = found[index + length - 1].end
    return NameMatch(start=found[first].start, end=end, codes=codes, length=length, key=key)


def _keys(text: str) -> list[str]:
    return [syllable.key for syllable in syllables(text)]


def _after_cap(words: Sequence[str]) -> set[str]:
    """The words after "cấp" ("cấp huyện" → "huyen")."""
    return {right for left, right in zip(words, words[1:], strict=False) if left == "cap"}


def _contains(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1))


def _agency_heads(record: Record) -> set[tuple[str, ...]]:
    """The first syllables of each agency the record names ("bo nong nghiep", "so xay dung",
    "cuc quan li"): the words that tell a ministry from a provincial department."""
    agencies = record["agencies"]
    roles = (agencies["implementing"], agencies["competent"], agencies["receiving"])
    names = [name for name in roles if name]
    parts = [_keys(part) for name in names for part in _AGENCY_PARTS.split(name)]
    return {tuple(keys[:AGENCY_HEAD_SYLLABLES]) for keys in parts if len(keys) >= 2}


def source_fingerprint() -> str:
    """Hash of this module, for the tokenizer's training-cache fingerprint (Rasa sees only the
    component's own source)."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


@lru_cache(maxsize=1)
def default_names() -> OfficialNames:
    """The committed catalogue's names, built once per process."""
    return OfficialNames(default_records())
