"""Vietnamese word segmentation with offsets into the ORIGINAL message text.

Offsets always come from our own regex over the original text, which may be NFD, hold tabs,
double spaces or emojis. underthesea normalises characters ("hoá"→"hóa") and whitespace, so
its output is only used to decide which adjacent syllables form one word: it is aligned with
our syllables letter by letter, and if the letter counts ever disagree its opinion is dropped.

underthesea is trained on accented text and segments unaccented input poorly ("tam tru can"),
so its joins are only trusted between syllables at least one of which carries a diacritic.
Two things override it:
- dossier codes (000.00.12.H25-250103-0042) are single syllables of their own, never joined;
- multi-syllable aliases from the knowledge base ("hộ kinh doanh", "làm căn cước") and the words
  they are made of ("căn cước") are kept whole, matched on folded syllables so "can cuoc" is
  kept whole too (longest phrase wins).
Syllables are only joined across pure whitespace, so a word's text, with "_" read as a space,
always folds to the same string as the original text it spans.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from underthesea import word_tokenize

import vntext
from bot.dossier_code import DOSSIER_CODE
from procedures_kb.search import canonical_syllables
from procedures_kb.store import ALIASES_FILE, KB_DIR, load_aliases
from vntext import fold, normalize

_MIN_ALIASES_PER_WORD = 2
_COMBINING = "[\u0300-\u036f]*"  # NFD input: diacritics follow their letter
_PIECE = re.compile(
    rf"(?P<code>\b{DOSSIER_CODE}\b)"
    r"|\d+(?:[.,:/]\d+)+"
    rf"|(?:[^\W_]{_COMBINING})+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Syllable:
    text: str  # NFC, original case
    start: int
    end: int
    key: str  # folded canonical form ("ký"→"ki", "1"→"mot"), for phrase matching
    is_code: bool


@dataclass(frozen=True)
class Word:
    text: str  # lower case, syllables joined by "_"
    start: int
    end: int


@dataclass(frozen=True)
class _Phrases:
    keys: frozenset[tuple[str, ...]]
    longest: int


def syllables(text: str) -> list[Syllable]:
    """Letters-and-digits runs of the text, dossier codes and dotted numbers kept whole."""
    return [_syllable(match) for match in _PIECE.finditer(text)]


def _syllable(match: re.Match[str]) -> Syllable:
    text = unicodedata.normalize("NFC", match.group())
    is_code = match.group("code") is not None
    key = fold(text) if is_code else "".join(canonical_syllables(text)) or fold(text)
    return Syllable(text=text, start=match.start(), end=match.end(), key=key, is_code=is_code)


def words(text: str) -> list[Word]:
    """The words of a message, each a run of syllables the segmentation joined."""
    found = syllables(text)
    joins = _joins(text, found)
    groups: list[list[Syllable]] = []
    for index, syllable in enumerate(found):
        if index and joins[index - 1]:
            groups[-1].append(syllable)
        else:
            groups.append([syllable])
    return [_word(group) for group in groups]


def _word(group: list[Syllable]) -> Word:
    text = "_".join(syllable.text.lower() for syllable in group)
    return Word(text=text, start=group[0].start, end=group[-1].end)


def _joins(text: str, found: list[Syllable]) -> list[bool]:
    """For each pair of neighbours: do they belong to one word?"""
    joinable = [_joinable(text, left, right) for left, right in zip(found, found[1:], strict=False)]
    decided = _fixed_phrase_joins(found, joinable)
    segmenter = (_segmenter_joins(text, found) if None in decided else None) or [False] * len(
        joinable
    )
    return [
        can and (fixed if fixed is not None else segmented and _accented(found, index))
        for index, (can, fixed, segmented) in enumerate(
            zip(joinable, decided, segmenter, strict=False)
        )
    ]


def _accented(found: list[Syllable], index: int) -> bool:
    return not (found[index].text.isascii() and found[index + 1].text.isascii())


def _joinable(text: str, left: Syllable, right: Syllable) -> bool:
    return not (left.is_code or right.is_code) and text[left.end : right.start].isspace()


def _fixed_phrase_joins(found: list[Syllable], joinable: list[bool]) -> list[bool | None]:
    """Join inside known phrases and cut at their edges; None where they say nothing."""
    phrases = fixed_phrases()
    decided: list[bool | None] = [None] * len(joinable)
    index = 0
    while index < len(found):
        length = _phrase_at(found, joinable, index, phrases)
        if length > 1:
            decided[index : index + length - 1] = [True] * (length - 1)
            for edge in (index - 1, index + length - 1):
                if 0 <= edge < len(decided):
                    decided[edge] = False
        index += max(length, 1)
    return decided


def _phrase_at(found: list[Syllable], joinable: list[bool], index: int, phrases: _Phrases) -> int:
    """Length of the longest known phrase starting at index (0 if none)."""
    for length in range(min(phrases.longest, len(found) - index), 1, -1):
        if not all(joinable[index : index + length - 1]):
            continue
        if tuple(syllable.key for syllable in found[index : index + length]) in phrases.keys:
            return length
    return 0


def _segmenter_joins(text: str, found: list[Syllable]) -> list[bool] | None:
    """underthesea's word boundaries mapped onto our syllables, or None if they cannot be aligned."""
    owner = [
        word_index
        for word_index, word in enumerate(word_tokenize(normalize(text)))
        for _ in _letters(word)
    ]
    letters = [index for index, syllable in enumerate(found) for _ in _letters(syllable.text)]
    if len(owner) != len(letters):
        return None
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for syllable_index, word_index in zip(letters, owner, strict=False):
        first.setdefault(syllable_index, word_index)
        last[syllable_index] = word_index
    if len(first) < len(found):
        return None
    return [last[index] == first[index + 1] for index in range(len(found) - 1)]


def _letters(text: str) -> Iterator[str]:
    return (char for char in text if char.isalnum())


@lru_cache(maxsize=1)
def fixed_phrases() -> _Phrases:
    """Multi-syllable KB aliases, and the words they are made of, as folded syllable keys.

    The words are what underthesea finds in the accented aliases ("căn cước" in "làm căn cước");
    keeping those found in at least two aliases drops its occasional mis-segmentations. They
    make unaccented input ("can cuoc") segment like accented input for the domain's vocabulary.
    """
    aliases = load_aliases().fixed_words()
    counts = Counter(
        word.lower() for alias in aliases for word in set(word_tokenize(alias)) if " " in word
    )
    alias_words = [word for word, count in counts.items() if count >= _MIN_ALIASES_PER_WORD]
    keys = frozenset(tuple(canonical_syllables(phrase)) for phrase in aliases + alias_words)
    keys = frozenset(key for key in keys if len(key) > 1)
    return _Phrases(keys=keys, longest=max((len(key) for key in keys), default=0))


def warm_up() -> None:
    """Load underthesea's model and the KB phrases now rather than on the first message."""
    fixed_phrases()
    word_tokenize("khởi động")


def resources_fingerprint() -> str:
    """Hash of the code and data segmentation depends on, for Rasa's training cache.

    Rasa fingerprints a component by its class source and config only; without this,
    editing aliases.yml or this module would silently reuse stale tokenizations.
    """
    sources = [
        Path(__file__),
        Path(vntext.__file__),
        KB_DIR / "search.py",
        KB_DIR / "store.py",
        ALIASES_FILE,
    ]
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()
