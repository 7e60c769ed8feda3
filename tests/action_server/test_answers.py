"""Answers are built from the real committed records, exactly."""
from __future__ import annotations

from datetime import date

import pytest

from actions import answers
from actions.settings import hotline
from procedures_kb.documents import RowKind, display_name, row_kind
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


def test_time_answer_merges_channels_with_the_same_time_and_says_the_missing_unit_once() -> None:
    text = answers.time_answer(record("1.001193"))
    assert "• Trực tuyến, Dịch vụ bưu chính, Trực tiếp: 1 (cổng không ghi đơn vị)" in text
    assert text.count("cổng không ghi đơn vị") == 1 and text.count("Xem đầy đủ") == 1


def test_time_answer_with_several_bare_numbers_says_the_missing_unit_once() -> None:
    text = answers.time_answer(record("3.000115"))
    assert "• Trực tuyến: 5\n• Trực tiếp: 30\nThời hạn chỉ có con số: cổng không ghi đơn vị." in text
    assert text.count("cổng không ghi đơn vị") == 1


def test_time_answer_says_when_a_channel_has_several_times() -> None:
    text = answers.time_answer(record("1.000028"))  # one time per stage, each channel twice
    assert "• Trực tiếp, Trực tuyến, Dịch vụ bưu chính: 1 ngày làm việc" in text
    assert "• Trực tuyến, Dịch vụ bưu chính: 2 ngày làm việc" in text
    assert "Cổng ghi nhiều thời hạn cho cùng một cách nộp" in text
    assert "nhiều thời hạn" not in answers.time_answer(record("1.001193"))


def test_multi_case_documents_list_cases_and_answer_one_case() -> None:
    residence = record("1.004222")
    cases = answers.document_cases(residence)
    assert cases[0] == "Đăng ký thường trú vào chỗ ở hợp pháp thuộc quyền sở hữu của mình"
    rented = "Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ"
    text = "\n".join(answers.documents_answer(residence, rented))
    assert f"trường hợp: {rented}" in text
    assert "Hợp đồng, văn bản về việc cho thuê, cho mượn, cho ở nhờ" in text
    assert "cơ sở tín ngưỡng" not in text


def test_long_document_lists_leave_whole_papers_to_the_link_once() -> None:
    company = next(
        r for r in default_records().values()
        if not answers.document_cases(r) and sum(row_kind(row) is RowKind.PAPER for row in r["documents"]) > answers.MAX_LIST_ITEMS + 3
    )
    text = "\n".join(answers.documents_answer(company))
    shown = sum(line.split(". ", 1)[0].isdigit() for line in text.splitlines())
    papers = len({display_name(row) for row in company["documents"] if row_kind(row) is RowKind.PAPER})
    assert f"Còn {papers - shown} giấy tờ" in text and shown <= answers.MAX_LIST_ITEMS
    assert text.count(company["source_url"]) == 1 and text.endswith(company["source_url"])


def test_marriage_abroad_notes_are_not_numbered_papers() -> None:
    """2.000806: the portal gives "1 bản chính" to a lead-in and to a rule about validity."""
    messages = answers.documents_answer(record("2.000806"))
    text = "\n".join(messages)
    lines = text.splitlines()
    lead_in = "Ngoài giấy tờ nêu trên, tùy từng trường hợp, bên nam, bên nữ phải nộp giấy tờ tương ứng sau đây:"
    assert lead_in in lines  # its own line: no number, no count
    assert lines[lines.index(lead_in) + 1].startswith("4. Công dân Việt Nam là công chức")
    validity = next(line for line in lines if "Giá trị sử dụng của giấy tờ chứng minh" in line)
    assert validity.startswith("Lưu ý: Giá trị sử dụng") and not validity.endswith("bản chính)")
    assert "(1 bản chính)" in lines[lines.index(lead_in) + 1]


def test_document_items_are_whole_and_long_answers_are_several_messages() -> None:
    marriage = record("2.000806")
    messages = answers.documents_answer(marriage)
    text = "\n".join(messages)
    status_paper = next(row["name"] for row in marriage["documents"] if row["name"].startswith("- Giấy tờ chứng minh tình trạng hôn nhân"))
    assert f"2. {status_paper[2:]} (1 bản chính)" in text and "…" not in text
    assert len(messages) > 1 and all(len(message) <= answers.MAX_MESSAGE_CHARS for message in messages)
    assert text.count("Xem đầy đủ") == 1 and messages[-1].endswith(marriage["source_url"])


def test_a_note_is_said_once_and_a_paper_once_per_section() -> None:
    salvage = "\n".join(answers.documents_answer(record("1.002771")))  # the portal lists each paper twice
    assert salvage.count("Tờ khai phê duyệt phương án trục vớt") == 1
    protest = "\n".join(answers.documents_answer(record("1.002372")))  # one paper needed in two sections
    assert protest.count("Kháng nghị hàng hải (02 bản)") == 2
    birth = "\n".join(answers.documents_answer(record("2.000806")))
    assert birth.count("Lưu ý:") == len({line for line in birth.splitlines() if line.startswith("Lưu ý:")})


def test_papers_the_portal_counts_as_zero_are_listed() -> None:
    """1.007844 lists its papers with "0 bản chính"; they used to vanish as notes."""
    text = "\n".join(answers.documents_answer(record("1.007844")))
    assert "1. a) Tờ khai hàng hóa xuất khẩu;" in text and "không ghi thông tin này" not in text
    assert "c) Quyết định buộc tái xuất của cơ quan có thẩm quyền (nếu có): 01 bản chụp." in text


def test_without_papers_the_answer_says_so_with_the_portal_remark() -> None:
    text = "\n".join(answers.documents_answer(record("1.013644")))
    assert "không ghi thông tin này về thành phần hồ sơ" in text
    assert "Ghi chú của Cổng: Do uỷ ban nhân dân cấp tỉnh quy định" in text


def test_steps_are_whole_with_the_rest_left_to_one_link() -> None:
    marriage = record("2.000806")
    messages = answers.steps_answer(marriage)
    text = "\n".join(messages)
    assert "…" not in text and text.count(marriage["source_url"]) == 1
    assert f"1. {marriage['steps'][0][2:]}" in text  # whole, without the portal's "- "
    assert f"Còn {len(marriage['steps']) - answers.MAX_LIST_ITEMS} bước khác" in text
    assert all(len(message) <= answers.MAX_MESSAGE_CHARS for message in messages)


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
