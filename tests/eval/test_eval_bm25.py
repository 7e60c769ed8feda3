"""The plain BM25 baseline of eval/evaluate.py: names only, diacritic-folded, nothing clever."""

from __future__ import annotations

from eval.bm25 import NameBM25

NAMES = {
    "1.001193": "Thủ tục đăng ký khai sinh",
    "1.000894": "Thủ tục đăng ký kết hôn",
    "1.004194": "Đăng ký tạm trú",
    "1.002755": "Gia hạn tạm trú",
}


def test_accented_and_unaccented_queries_meet() -> None:
    bm25 = NameBM25(NAMES)
    assert bm25.top1("Đăng ký kết hôn cần giấy tờ gì?") == "1.000894"
    assert bm25.top1("dang ky ket hon can giay to gi") == "1.000894"


def test_rarer_words_decide() -> None:
    assert NameBM25(NAMES).top1("gia han tam tru") == "1.002755"


def test_no_aliases_no_typo_correction() -> None:
    bm25 = NameBM25(NAMES)
    assert bm25.top1("lam giay khai sinh") == "1.001193"  # shares "khai sinh" with the name
    assert bm25.top1("cưới vợ") is None  # an alias would be needed
    assert bm25.top1("kte hno") is None  # typos ("kết hôn") are not corrected
