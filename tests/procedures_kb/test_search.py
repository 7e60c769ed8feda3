"""Search behaviour on the committed knowledge base."""

from __future__ import annotations

import pytest

from procedures_kb.search import default_index, search


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("nhap ho khau", "1.004222"),
        ("nhập hộ khẩu", "1.004222"),
        ("dang ky khai sinh", "1.001193"),
        ("đăng ký khai sinh", "1.001193"),
        ("lam lai cccd bi mat", "1.014064"),
        ("dang ki tam tru", "1.004194"),
        ("khai sinhh cho con", "1.001193"),
        ("lam ho chiue", "1.001456"),
    ],
)
def test_top_hit(query: str, code: str) -> None:
    assert search(query, limit=1)[0].code == code


def test_commune_level_is_preferred_for_the_same_name() -> None:
    codes = [hit.code for hit in search("cấp đổi thẻ căn cước", limit=3)]
    assert codes[0] == "1.014063"
    assert {"2.001195", "1.000889"} <= set(codes)


def test_hits_say_what_matched() -> None:
    hit = search("nhap ho khau", limit=1)[0]
    assert hit.name == "Đăng ký thường trú"
    assert any(term.startswith("alias:") for term in hit.matched)
    assert hit.score > 0


def test_abbreviations_are_expanded() -> None:
    assert default_index().query_syllables("gplx") == ["giay", "phep", "lai", "xe"]
    assert search("doi gplx", limit=1)[0].code == "3.000347"


def test_nonsense_and_empty_queries_find_nothing() -> None:
    assert search("") == []
    assert search("!!!") == []
    assert search("qwzx vbnm") == []


def test_nationality_words_imply_a_foreign_element() -> None:
    assert search("kết hôn với người Hàn Quốc", limit=1)[0].code == "2.000806"
    assert search("dang ky ket hon", limit=1)[0].code == "1.000894"
    assert default_index().query_syllables("lấy chồng Đài Loan")[-4:] == [
        "yeu",
        "to",
        "nuoc",
        "ngoai",
    ]
    assert "nuoc" not in default_index().query_syllables("lấy chồng")
