"""Reading what a citizen typed (or a button sent) in answer to a question with choices.

Everything is matched on folded words (`vntext.words`: lower case, no
diacritics), so "Rất hài lòng", "rat hai long" and "RẤT HÀI LÒNG" read alike. Common
chat spellings of "không" (ko, k, hk, chưa…) count as "không", which keeps
"ko hai long" apart from "hai long".
"""

from __future__ import annotations

from collections.abc import Sequence

from vntext import words

_NEGATIONS = frozenset({"ko", "k", "kg", "kh", "khg", "hk", "hok", "hong", "hem", "chua", "khum"})
_YES = frozenset(
    {
        "co",
        "co a",
        "da co",
        "co chu",
        "vang",
        "da",
        "da vang",
        "u",
        "uh",
        "um",
        "uk",
        "ok",
        "oke",
        "okay",
        "yes",
        "dong y",
        "duoc",
        "dc",
        "cap nhat",
        "co cap nhat",
        "muon",
        "co muon",
        "chac chan",
    }
)
_NO = frozenset(
    {
        "khong",
        "khong a",
        "da khong",
        "khong can",
        "khong muon",
        "thoi",
        "thoi khong",
        "no",
        "nope",
        "giu nguyen",
        "khong cap nhat",
        "de sau",
        "lan sau",
    }
)
_CANCEL_FIRST_WORDS = frozenset({"thoi", "thui", "huy", "thoat", "stop", "cancel", "exit", "quit"})
_CANCEL_PHRASES = (
    "dung lai",
    "khong danh gia nua",
    "khong tra cuu nua",
    "khong tra nua",
    "khong lam nua",
)
_SKIP = frozenset(
    {
        "bo qua",
        "bo",
        "qua",
        "skip",
        "next",
        "tiep",
        "cau tiep",
        "khong ap dung",
        "khong biet",
        "khong ro",
        "khong nho",
        "khong co y kien",
    }
)
_NO_COMMENT = _SKIP | frozenset(
    {
        "khong",
        "khong a",
        "khong co",
        "khong co gi",
        "khong gop y",
        "het",
        "het roi",
        "thoi",
        "thoi khong",
        "no",
        "ok",
        "oke",
        "khong can",
    }
)


def answer_words(text: str) -> list[str]:
    """The folded words of `text`, with chat spellings of "không" made "không"."""
    return ["khong" if word in _NEGATIONS else word for word in words(text)]


def _phrase(text: str) -> str:
    return " ".join(answer_words(text))


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    size = len(needle)
    return size > 0 and any(
        list(haystack[i : i + size]) == list(needle) for i in range(len(haystack) - size + 1)
    )


def choose(text: str, labels: Sequence[str]) -> int | None:
    """Index of the option `text` names, or None when it names none (or several).

    Accepted: the option's number as displayed ("1" is the first option, also "số 1"),
    a text containing a whole label (the longest label wins: "không hài lòng" is not
    "hài lòng"), or a phrase of two or more words found in exactly one label
    ("trước hạn" for "Mọi cơ quan đều trước hạn").
    """
    tokens = answer_words(text)
    if not tokens:
        return None
    number = (
        tokens[-1]
        if len(tokens) == 1 or (len(tokens) == 2 and tokens[0] in ("so", "cau", "chon"))
        else None
    )
    if number is not None and number.isdigit():
        index = int(number) - 1
        return index if 0 <= index < len(labels) else None
    label_words = [answer_words(label) for label in labels]
    contained = [
        (len(words_), index)
        for index, words_ in enumerate(label_words)
        if _contains(tokens, words_)
    ]
    if contained:
        longest = max(size for size, _ in contained)
        best = [index for size, index in contained if size == longest]
        return best[0] if len(best) == 1 else None
    if len(tokens) >= 2:
        within = [index for index, words_ in enumerate(label_words) if _contains(words_, tokens)]
        if len(within) == 1:
            return within[0]
    return None


def yes_or_no(text: str, intent: str | None = None) -> bool | None:
    """True for a yes ("có", "ok", "cập nhật"), False for a no ("không", "thôi"), else None;
    the NLU intent (affirm / deny) decides when the words alone do not."""
    phrase = _phrase(text)
    if phrase in _YES:
        return True
    if phrase in _NO:
        return False
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    return None


def is_cancel(text: str) -> bool:
    """Whether the citizen wants to stop ("thôi", "hủy", "dừng lại", "không đánh giá nữa")."""
    tokens = answer_words(text)
    phrase = " ".join(tokens)
    return bool(tokens) and (
        tokens[0] in _CANCEL_FIRST_WORDS or any(p in phrase for p in _CANCEL_PHRASES)
    )


def is_skip(text: str) -> bool:
    """Whether the citizen skips a question that may not apply ("bỏ qua", "không áp dụng")."""
    return _phrase(text) in _SKIP


def is_no_comment(text: str) -> bool:
    """Whether the answer to "any comment?" is a no ("Bỏ qua", "không", "không có gì")."""
    return _phrase(text) in _NO_COMMENT
