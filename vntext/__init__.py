"""Vietnamese text helpers shared by the knowledge base, the NLU, the actions and the channels.

A package of its own so that none of them imports another just to normalise text.

Order matters: every text is first normalised (NFC, collapsed whitespace), and only then
folded for matching. The normalised text is what gets displayed; the folded text is
only ever a key.
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
# Invisible format characters (zero-width space, left-to-right mark, BOM) that the
# portal leaves inside words ("đăng k\u200eý") and that break matching.
_FORMAT_CHARS = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\ufeff]")
_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]")
_WORD = re.compile(r"\w+")


def normalize(text: str) -> str:
    """NFC-normalise, drop invisible format characters, collapse whitespace, trim."""
    text = _FORMAT_CHARS.sub("", unicodedata.normalize("NFC", text))
    return _WHITESPACE.sub(" ", text).strip()


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


# Question and filler words that say nothing about which procedure is meant (folded):
# the knowledge-base search and the NLU's procedure linker both leave them out.
STOPWORDS = frozenset(
    "a ah a1 ad oi cho toi minh em anh chi ban muon can phai lam gi j nhung giay to ho so thu tuc the nao "
    "ntn sao bao nhieu lau o dau khong ko k duoc dc co vay ha nhe voi va thi la di nop xin hoi ve can "
    "mat tien phi le phi online truc tuyen".split()
)
