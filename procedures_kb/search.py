"""Accent-insensitive, typo-tolerant search over procedure names, aliases and fields.

Everything is matched on folded text (no diacritics, đ→d, lower case) so "nhap ho khau"
and "nhập hộ khẩu" meet. A procedure scores by:
- BM25 over syllables, adjacent-syllable pairs and underthesea words of its name and
  aliases (and, weakly, its field);
- a bonus when a curated alias appears whole in the query, and for the share of the
  name the query covers (so "đăng ký khai sinh" prefers the plain procedure over the
  long "...có yếu tố nước ngoài" variant);
- a small bonus for the level citizens normally mean (commune first), from aliases.yml.
Unknown query syllables are corrected to the nearest known syllable (edit distance 1 with
transpositions counted as one edit,
or 2 for long ones), and abbreviations from aliases.yml are expanded first.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from procedures_kb.store import Aliases, Record, load_aliases, load_name_words, load_records
from vntext import STOPWORDS, fold

_SYLLABLE = re.compile(r"[a-z0-9]+")
# i/y are interchangeable at the end of many syllables ("ký"/"kí"): index one spelling.
_FINAL_Y = re.compile(r"(?<=[bcdghklmnpqrstvx])y$")

# Small numbers are written both ways ("TNHH 1 thành viên", "một thành viên").
_NUMBER_WORDS = {"1": "mot", "2": "hai", "3": "ba"}

FIELD_WEIGHTS = {"name": 1.0, "alias": 1.0, "field": 0.25}
ALIAS_PHRASE_WEIGHT = 1.0  # times the summed idf of the alias phrase's own features
NAME_COVERAGE_WEIGHT = 0.35  # times the query's idf mass, for a name wholly covered
LEVEL_BONUS = 0.6
RESCORE_CANDIDATES = 60
BM25_K1, BM25_B = 1.2, 0.5


@dataclass(frozen=True)
class Hit:
    code: str
    name: str
    score: float
    matched: tuple[str, ...]


@dataclass
class _Doc:
    code: str
    name: str
    levels: list[str]
    name_syllables: list[str]
    aliases: list[str]
    features: dict[str, float] = field(default_factory=dict)
    length: float = 0.0


def canonical_syllables(text: str) -> list[str]:
    syllables = (_FINAL_Y.sub("i", syllable) for syllable in _SYLLABLE.findall(fold(text)))
    return [_NUMBER_WORDS.get(syllable, syllable) for syllable in syllables]


def _features(syllables: list[str], words: Iterable[str] = ()) -> list[str]:
    """Syllables, adjacent pairs, and multi-syllable words (joined with "_")."""
    found = list(syllables)
    found += [f"{a} {b}" for a, b in zip(syllables, syllables[1:], strict=False)]
    found += ["_".join(canonical_syllables(word)) for word in words if " " in word]
    return found


class SearchIndex:
    def __init__(
        self, records: dict[str, Record], aliases: Aliases, name_words: dict[str, list[str]]
    ) -> None:
        self.aliases = aliases
        self._level_rank = {level: rank for rank, level in enumerate(aliases.level_preference)}
        self._concepts = {
            " ".join(canonical_syllables(concept)): [
                " ".join(canonical_syllables(t)) for t in triggers
            ]
            for concept, triggers in aliases.concepts.items()
        }
        self._docs = [self._make_doc(record, name_words) for record in records.values()]
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._idf: dict[str, float] = {}
        self._alias_phrases: list[tuple[str, int]] = []
        self._build()

    def _make_doc(self, record: Record, name_words: dict[str, list[str]]) -> _Doc:
        doc = _Doc(
            code=record["code"],
            name=record["name"],
            levels=record["levels"],
            name_syllables=self._expand(canonical_syllables(record["name"])),
            aliases=[
                " ".join(self._expand(canonical_syllables(alias)))
                for alias in self.aliases.by_code.get(record["code"], ())
            ],
        )
        weighted: dict[str, float] = defaultdict(float)
        for feature in _features(doc.name_syllables, name_words.get(record["code"], [])):
            weighted[feature] += FIELD_WEIGHTS["name"]
        for alias in doc.aliases:
            for feature in set(_features(alias.split())):
                weighted[feature] = max(weighted[feature], FIELD_WEIGHTS["alias"])
        for feature in _features(canonical_syllables(record["field"])):
            weighted[feature] += FIELD_WEIGHTS["field"]
        doc.features = dict(weighted)
        doc.length = len(doc.name_syllables) + 1.0
        return doc

    def _build(self) -> None:
        for doc_id, doc in enumerate(self._docs):
            for feature, weight in doc.features.items():
                self._postings[feature].append((doc_id, weight))
            self._alias_phrases += [(alias, doc_id) for alias in doc.aliases]
        count = len(self._docs)
        self._idf = {
            feature: math.log(1 + (count - len(postings) + 0.5) / (len(postings) + 0.5))
            for feature, postings in self._postings.items()
        }
        self._average_length = sum(doc.length for doc in self._docs) / max(count, 1)
        self._vocabulary = sorted(
            feature for feature in self._postings if " " not in feature and "_" not in feature
        )

    @property
    def size(self) -> int:
        return len(self._docs)

    # --- query side -----------------------------------------------------------------

    def _expand(self, syllables: list[str]) -> list[str]:
        expanded: list[str] = []
        for syllable in syllables:
            full = self.aliases.abbreviations.get(syllable)
            expanded += canonical_syllables(full) if full else [syllable]
        return expanded

    @lru_cache(maxsize=4096)  # noqa: B019 (one index per process: the cache lives as long as it)
    def _near(self, syllable: str) -> tuple[str, ...]:
        """Known syllables within edit distance 1 (2 for long ones), closest first."""
        limit = 1 if len(syllable) < 6 else 2
        found = process.extract(
            syllable, self._vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=8
        )
        return tuple(candidate for candidate, _, _ in sorted(found, key=lambda item: item[1]))

    def _correct(self, syllables: list[str], index: int) -> str | None:
        """The known syllable a typo most likely stands for, or None.

        Among equally close candidates, the one that forms a known pair with a
        neighbour wins ("ho chiue" → "ho chieu", not "ho chiu").
        """
        syllable = syllables[index]
        if syllable in self._idf:
            return syllable
        if syllable.isdigit() or len(syllable) < 3:
            return None
        candidates = self._near(syllable)
        neighbours = syllables[max(0, index - 1) : index] + syllables[index + 1 : index + 2]

        def fits(candidate: str) -> bool:
            return any(
                f"{n} {candidate}" in self._idf or f"{candidate} {n}" in self._idf
                for n in neighbours
            )

        return next(
            (candidate for candidate in candidates if fits(candidate)),
            candidates[0] if candidates else None,
        )

    def query_syllables(self, query: str) -> list[str]:
        syllables = self._expand(canonical_syllables(query))
        corrected = [self._correct(syllables, index) for index in range(len(syllables))]
        known = [syllable for syllable in corrected if syllable]
        return known + self._implied_concepts(syllables, known)

    def _implied_concepts(self, typed: list[str], known: list[str]) -> list[str]:
        """Syllables of each concept the query implies ("Đài Loan" → "yếu tố nước ngoài").

        Triggers are looked for in the words as typed, before typo correction: a country
        name need not appear in any procedure name to mean something.
        """
        typed_phrase, known_phrase = f" {' '.join(typed)} ", f" {' '.join(known)} "
        implied = [
            concept
            for concept, triggers in self._concepts.items()
            if f" {concept} " not in known_phrase
            and any(f" {trigger} " in typed_phrase for trigger in triggers)
        ]
        return [syllable for concept in implied for syllable in concept.split()]

    def search(self, query: str, limit: int = 5) -> list[Hit]:
        syllables = self.query_syllables(query)
        if not syllables:
            return []
        content = [syllable for syllable in syllables if syllable not in STOPWORDS]
        scores, matched = self._bm25(content, syllables)
        phrase = f" {' '.join(syllables)} "
        for alias, doc_id in self._alias_phrases:
            if f" {alias} " in phrase:
                scores[doc_id] += ALIAS_PHRASE_WEIGHT * self._mass(_features(alias.split()))
                matched[doc_id].add(f"alias: {alias}")
        query_mass = self._mass(content)
        candidates = sorted(scores, key=scores.__getitem__, reverse=True)[:RESCORE_CANDIDATES]
        hits = [
            self._rescore(doc_id, scores[doc_id], set(syllables), query_mass, matched[doc_id])
            for doc_id in candidates
        ]
        hits.sort(key=lambda hit: (-hit.score, hit.code))
        return hits[:limit]

    def _mass(self, features: Iterable[str]) -> float:
        return sum(self._idf.get(feature, 0.0) for feature in set(features))

    def _bm25(
        self, content: list[str], syllables: list[str]
    ) -> tuple[dict[int, float], dict[int, set[str]]]:
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, set[str]] = defaultdict(set)
        pairs = [f"{a} {b}" for a, b in zip(syllables, syllables[1:], strict=False)]
        words = [
            "_".join(syllables[i : i + n]) for n in (2, 3) for i in range(len(syllables) - n + 1)
        ]
        for feature in set(content + pairs + words):
            idf = self._idf.get(feature)
            if idf is None:
                continue
            for doc_id, weight in self._postings[feature]:
                norm = 1 - BM25_B + BM25_B * self._docs[doc_id].length / self._average_length
                scores[doc_id] += idf * weight * (BM25_K1 + 1) / (weight + BM25_K1 * norm)
                matched[doc_id].add(feature.replace("_", " "))
        return scores, matched

    def _rescore(
        self, doc_id: int, score: float, query: set[str], query_mass: float, matched: set[str]
    ) -> Hit:
        doc = self._docs[doc_id]
        name_words = [syllable for syllable in doc.name_syllables if syllable not in STOPWORDS]
        if name_words:
            covered = sum(syllable in query for syllable in name_words) / len(name_words)
            score += NAME_COVERAGE_WEIGHT * query_mass * covered
        ranks = [self._level_rank.get(level, len(self._level_rank)) for level in doc.levels]
        if ranks:
            score += LEVEL_BONUS * (1 - min(ranks) / max(len(self._level_rank), 1))
        return Hit(
            code=doc.code, name=doc.name, score=round(score, 3), matched=tuple(sorted(matched))
        )


@lru_cache(maxsize=1)
def default_index() -> SearchIndex:
    """The index over the committed knowledge base, built once per process."""
    return SearchIndex(load_records(), load_aliases(), load_name_words())


def search(query: str, limit: int = 5) -> list[Hit]:
    return default_index().search(query, limit)
