"""Answers are built from the real committed records, exactly."""
from __future__ import annotations

from actions import answers
from procedures_kb.store import default_records

PORTAL = "https://dichvucong.gov.vn"


def record(code: str):  # type: ignore[no-untyped-def]
    return default_records()[code]


def test_fee_answer_per_channel_names_the_procedure() -> None:
    text = answers.fee_answer(record("1.004222"))
    assert "Đăng ký thường trú (mã 1.004222)" in text
    assert "• Trực tuyến: 10.000 đồng" in text and "• Trực tiếp: 20.000 đồng" in text
    assert "Ghi chú: Trường hợp công dân nộp hồ sơ qua cổng dịch vụ công trực tuyến thu 10.000 đồng/lần đăng ký." in text


def test_fee_answer_says_when_the_catalogue_gives_no_fee() -> None:
    text = answers.fee_answer(record("1.014061"))
    assert "• Trực tiếp: cổng không ghi lệ phí" in text and "Ghi chú" not in text


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
