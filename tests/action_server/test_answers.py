"""Answers are built from the real committed records, exactly."""
from __future__ import annotations

from datetime import date

import pytest

from actions import answers
from actions.settings import hotline
from procedures_kb.store import default_records

PORTAL = "https://dichvucong.gov.vn"
DAY = date(2026, 12, 2)


def record(code: str):  # type: ignore[no-untyped-def]
    return default_records()[code]


def test_fee_answer_per_channel_names_the_procedure() -> None:
    text = answers.fee_answer(record("1.004222"), DAY)
    assert "Đăng ký thường trú (mã 1.004222)" in text and "Lệ phí theo cách nộp (áp dụng ngày 02/12/2026):" in text
    assert "• Trực tuyến: 10.000 đồng" in text and "• Trực tiếp: 20.000 đồng" in text
    assert "Điều 4 Thông tư số 75/2022/TT-BTC" in text  # the in-person exemption case, named from the note


def test_fee_answer_says_when_the_catalogue_gives_no_fee() -> None:
    text = answers.fee_answer(record("1.014061"), DAY)
    assert "• Trực tiếp, Trực tuyến: danh mục không ghi lệ phí" in text and hotline() in text


def test_fee_answer_gives_the_notes_amount_not_the_free_cell() -> None:
    text = answers.fee_answer(record("3.000347"), DAY)
    assert "• Trực tuyến, Trực tiếp: 135.000 đồng" in text and "miễn phí" not in text.lower()


def test_fee_answer_says_how_long_a_reduction_lasts_and_under_which_circular() -> None:
    text = answers.fee_answer(record("1.014063"), DAY)
    assert "• Trực tiếp, Trực tuyến: 25.000 đồng (giảm 50% đến hết 31/12/2026 theo Thông tư 64/2025/TT-BTC; mức thường 50.000 đồng)" in text
    assert "• Trực tiếp, Trực tuyến: 50.000 đồng" in answers.fee_answer(record("1.014063"), date(2027, 1, 15))


@pytest.mark.parametrize("code, says", [("1.013831", "Luật phí và lệ phí"), ("1.013235", "Hội đồng nhân dân")])
def test_fee_answer_never_says_free_when_the_law_or_the_province_sets_the_fee(code: str, says: str) -> None:
    text = answers.fee_answer(record(code), DAY)
    assert "miễn phí" not in text.lower() and says in text and hotline() in text


def test_fee_answer_uses_assistant_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_TODAY", "2027-01-15")
    assert "50.000 đồng" in answers.fee_answer(record("1.014063")) and "25.000" not in answers.fee_answer(record("1.014063"))


def test_overview_and_online_answers_state_the_fee_in_force() -> None:
    assert "• Trực tuyến: 5 ngày làm việc; lệ phí 135.000 đồng" in answers.overview_answer(record("3.000347"), DAY)
    assert "• Trực tuyến: 5 ngày làm việc; lệ phí 135.000 đồng" in answers.online_answer(record("3.000347"), PORTAL, DAY)


def test_time_answer_with_bare_number_says_the_unit_is_missing() -> None:
    text = answers.time_answer(record("1.001193"))
    assert "• Trực tiếp: 1 (cổng không ghi đơn vị)" in text


def test_multi_case_documents_list_cases_and_answer_one_case() -> None:
    residence = record("1.004222")
    cases = answers.document_cases(residence)
    assert cases[0] == "Đăng ký thường trú vào chỗ ở hợp pháp thuộc quyền sở hữu của mình"
    rented = "Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ"
    text = answers.documents_answer(residence, rented)
    assert f"trường hợp: {rented}" in text
    assert "Hợp đồng, văn bản về việc cho thuê, cho mượn, cho ở nhờ" in text
    assert "cơ sở tín ngưỡng" not in text


def test_long_document_lists_are_shortened_with_the_link() -> None:
    def paper_count(candidate) -> int:  # type: ignore[no-untyped-def]
        return sum(not row["is_note"] for row in candidate["documents"])

    company = next(
        r for r in default_records().values() if not answers.document_cases(r) and paper_count(r) > answers.MAX_LIST_ITEMS + 3
    )
    papers = [row for row in company["documents"] if not row["is_note"]]
    text = answers.documents_answer(company)
    assert f"… và {len(papers) - answers.MAX_LIST_ITEMS} mục khác." in text and company["source_url"] in text
    assert f"{answers.MAX_LIST_ITEMS + 1}. " not in text


def test_sections_are_not_cases() -> None:
    assert answers.document_cases(record("1.001193")) == []
    assert answers.is_section("* Giấy tờ phải xuất trình") and not answers.is_section("Trường hợp ủy quyền")


def test_where_catalogue_is_silent_the_answer_says_so() -> None:
    text = answers.fee_answer({**record("1.004222"), "methods": []})
    assert "không ghi thông tin này về lệ phí" in text


def test_online_answer() -> None:
    assert "Có, thủ tục này nộp trực tuyến được." in answers.online_answer(record("1.004222"), PORTAL)
    no_online = {**record("1.004222"), "methods": [m for m in record("1.004222")["methods"] if m["channel"] != "Trực tuyến"]}
    assert "chưa có hình thức nộp trực tuyến" in answers.online_answer(no_online, PORTAL)


def test_agency_answer_uses_the_named_agency() -> None:
    assert "Nơi nộp hồ sơ: Công an cấp Xã" in answers.agency_answer(record("1.004222"))
