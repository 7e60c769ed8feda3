"""Vietnamese text helpers shared by the importer, the search index, the NLU and the channels.

Order matters: every text is first normalised (NFC, collapsed whitespace), and only then
folded for matching. The normalised text is what gets displayed; the folded text is
only ever a key.
"""
from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]")
_WORD = re.compile(r"\w+")


def normalize(text: str) -> str:
    """NFC-normalise and collapse every run of whitespace to one space, trimmed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Lower-case, strip diacritics and map đ→d: "Đăng ký" and "dang ky" fold alike."""
    decomposed = unicodedata.normalize("NFD", normalize(text).lower())
    return _COMBINING_MARKS.sub("", decomposed).replace("đ", "d")


def fold_char(char: str) -> str:
    """Fold one character, keeping the length at one so offsets stay valid."""
    folded = fold(char) if char.strip() else char
    return folded if len(folded) == 1 else char


def words(text: str) -> list[str]:
    """The folded words of a text (letters and digits only)."""
    return _WORD.findall(fold(text))
