"""Plain BM25 over procedure NAMES: the baseline the procedure linker has to beat.

Deliberately naive: diacritic-folded syllables of the 2,642 catalogue names, nothing else:
no aliases, no stopwords, no typo correction, no abbreviation expansion, no level bonus.
The whole question is the query; a question matching no name syllable gets no procedure.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping

from procedures_kb.store import Record, load_records
from vntext import words

K1, B = 1.5, 0.75  # the textbook defaults


class NameBM25:
    """BM25 (Robertson idf, k1 = 1.5, b = 0.75) over folded name syllables."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self._codes = sorted(names)
        self._docs = [Counter(words(names[code])) for code in self._codes]
        self._lengths = [sum(doc.values()) for doc in self._docs]
        self._average = sum(self._lengths) / max(len(self._docs), 1)
        frequency = Counter(term for doc in self._docs for term in doc)
        count = len(self._docs)
        self._idf = {
            term: math.log(1 + (count - df + 0.5) / (df + 0.5)) for term, df in frequency.items()
        }
        self._postings: dict[str, list[int]] = {}
        for index, doc in enumerate(self._docs):
            for term in doc:
                self._postings.setdefault(term, []).append(index)

    @classmethod
    def from_catalogue(cls, records: Mapping[str, Record] | None = None) -> NameBM25:
        records = records if records is not None else load_records()
        return cls({code: record["name"] for code, record in records.items()})

    def top1(self, query: str) -> str | None:
        """Best-scoring code (lowest code on ties), or None if no query syllable is in any name."""
        scores: dict[int, float] = {}
        for term in set(words(query)):
            for index in self._postings.get(term, ()):
                scores[index] = scores.get(index, 0.0) + self._term_score(term, index)
        if not scores:
            return None
        best = max(scores, key=lambda index: (scores[index], -index))
        return self._codes[best]

    def _term_score(self, term: str, index: int) -> float:
        tf = self._docs[index][term]
        norm = 1 - B + B * self._lengths[index] / self._average
        return self._idf[term] * tf * (K1 + 1) / (tf + K1 * norm)
