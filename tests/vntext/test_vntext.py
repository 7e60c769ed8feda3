"""The shared Vietnamese text helpers: normalise first, fold only to match."""

from __future__ import annotations

import unicodedata

from vntext import STOPWORDS, fold, fold_char, normalize, words


def test_normalize_composes_drops_invisible_characters_and_collapses_whitespace() -> None:
    decomposed = unicodedata.normalize("NFD", "Đăng ký")
    assert normalize(f"  {decomposed}\u200e \n\t thường\u200btrú ") == "Đăng ký thườngtrú"
    assert normalize("Đăng ký") == unicodedata.normalize("NFC", "Đăng ký")


def test_fold_strips_diacritics_and_maps_d_with_stroke() -> None:
    assert fold("ĐĂNG KÝ Thường Trú") == "dang ky thuong tru"
    assert fold(unicodedata.normalize("NFD", "đổi")) == fold("doi") == "doi"


def test_fold_char_keeps_one_character_so_offsets_hold() -> None:
    text = "Đổi CCCD ở đâu?"
    folded = "".join(fold_char(char) for char in text)
    assert len(folded) == len(text) and folded == "doi cccd o dau?"


def test_words_are_folded_letters_and_digits() -> None:
    assert words("Hồ sơ 000.00.12.H25-250103-0042, đến đâu rồi?") == [
        "ho",
        "so",
        "000",
        "00",
        "12",
        "h25",
        "250103",
        "0042",
        "den",
        "dau",
        "roi",
    ]


def test_stopwords_are_folded_words() -> None:
    assert all(word == fold(word) and words(word) == [word] for word in STOPWORDS)
