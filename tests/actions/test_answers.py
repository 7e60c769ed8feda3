"""Answers are built from the real committed records, exactly: the asked fact first, the short
name, the code and one link at the end."""

from __future__ import annotations

from datetime import date

import pytest

from actions import answers
from actions.cases import case_label, named_case
from actions.settings import hotline
from procedures_kb.documents import RowKind, row_kind
from procedures_kb.short_names import MAX_SHORT_NAME_CHARS, short_name
from procedures_kb.store import default_records

DAY = date(2026, 12, 2)
PLACEHOLDERS = ("xxxx", "HOTLINE_TEXT", "{", "}")


def record(code: str):  # type: ignore[no-untyped-def]
    return default_records()[code]


def assert_phone_sized(answer: answers.Answer, code: str) -> None:
    """One link, at the end, after the short name and code; every message fits; no placeholder."""
    text = answer.text
    source = record(code)["source_url"]
    assert text.count("http") == 1 and text.endswith(
        f"📄 {short_name(record(code))} (mã {code})\n{source}"
    )
    assert all(len(message) <= answers.MAX_MESSAGE_CHARS for message in answer.messages)
    assert not any(mark in text for mark in PLACEHOLDERS)
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == len(set(lines))


# --- 1. answer first ----------------------------------------------------------------------------


def test_fee_answer_opens_with_the_fee_per_channel() -> None:
    answer = answers.fee_answer(record("1.004222"), DAY)
    assert answer.text.startswith(
        "Lệ phí tùy cách nộp:\n• Trực tuyến: 10.000 đồng\n• Trực tiếp: 20.000 đồng"
    )
    assert (
        "Điều 4 Thông tư số 75/2022/TT-BTC" in answer.text
    )  # the in-person exemption case, named from the note
    assert_phone_sized(answer, "1.004222")


def test_fee_answer_merges_channels_with_the_same_fee_into_one_sentence() -> None:
    answer = answers.fee_answer(record("3.000347"), DAY)
    assert answer.messages[0].startswith("Lệ phí: 135.000 đồng, mọi cách nộp.\n")
    assert "miễn phí" not in answer.text.lower()  # the note's amount, not the free cell
    assert_phone_sized(answer, "3.000347")


def test_fee_answer_says_when_the_catalogue_gives_no_fee() -> None:
    text = answers.fee_answer(record("1.014061"), DAY).text
    assert text.startswith("Lệ phí: danh mục không ghi lệ phí, mọi cách nộp.") and hotline() in text


def test_fee_answer_says_how_long_a_reduction_lasts_and_under_which_circular() -> None:
    text = answers.fee_answer(record("1.014063"), DAY).text
    assert text.startswith(
        "Lệ phí tùy cách nộp:\n• Trực tiếp, Trực tuyến: 25.000 đồng (giảm 50% đến hết 31/12/2026 theo Thông tư 64/2025/TT-BTC; mức thường 50.000 đồng)"
    )
    assert "(Mức thu tính đến ngày 02/12/2026.)" in text
    assert (
        "• Trực tiếp, Trực tuyến: 50.000 đồng"
        in answers.fee_answer(record("1.014063"), date(2027, 1, 15)).text
    )


@pytest.mark.parametrize(
    "code, says", [("1.013831", "Luật phí và lệ phí"), ("1.013235", "Hội đồng nhân dân")]
)
def test_fee_answer_never_says_free_when_the_law_or_the_province_sets_the_fee(
    code: str, says: str
) -> None:
    answer = answers.fee_answer(record(code), DAY)
    assert (
        "miễn phí" not in answer.text.lower()
        and says in answer.text[:160]
        and hotline() in answer.text
    )
    assert answer.text.startswith("Lệ phí (mọi cách nộp): ")
    assert_phone_sized(answer, code)


def test_fee_answer_uses_assistant_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_TODAY", "2027-01-15")
    text = answers.fee_answer(record("1.014063")).text
    assert "50.000 đồng" in text and "25.000" not in text


def test_time_answer_merges_channels_and_says_the_missing_unit_once() -> None:
    answer = answers.time_answer(record("1.001193"))
    assert answer.text.startswith("Thời hạn giải quyết: 1 (cổng không ghi đơn vị), mọi cách nộp.")
    assert answer.text.count("cổng không ghi đơn vị") == 1
    assert_phone_sized(answer, "1.001193")
    assert answers.time_answer(record("1.004222")).text.startswith(
        "Thời hạn giải quyết: 7 ngày làm việc, mọi cách nộp."
    )


def test_time_answer_with_several_bare_numbers_says_the_missing_unit_once() -> None:
    text = answers.time_answer(record("3.000115")).text
    assert text.startswith(
        "Thời hạn giải quyết tùy cách nộp:\n• Trực tuyến: 5\n• Trực tiếp: 30\nThời hạn chỉ có con số: cổng không ghi đơn vị."
    )
    assert text.count("cổng không ghi đơn vị") == 1


def test_time_answer_says_when_a_channel_has_several_times() -> None:
    text = answers.time_answer(record("1.000028")).text  # one time per stage, each channel twice
    assert "• Trực tiếp, Trực tuyến, Dịch vụ bưu chính: 1 ngày làm việc" in text
    assert "• Trực tuyến, Dịch vụ bưu chính: 2 ngày làm việc" in text
    assert "Cổng ghi nhiều thời hạn cho cùng một cách nộp" in text
    assert "nhiều thời hạn" not in answers.time_answer(record("1.001193")).text


def test_agency_answer_opens_with_where_and_how() -> None:
    answer = answers.agency_answer(record("1.004222"))
    assert answer.text.startswith("Nộp hồ sơ tại Công an cấp Xã; nộp online hoặc trực tiếp.")
    assert_phone_sized(answer, "1.004222")


def test_overview_opens_with_where_and_keeps_the_fee_in_force() -> None:
    answer = answers.overview_answer(record("3.000347"), DAY)
    assert (
        answer.text.startswith("Nộp tại ")
        and "• Trực tuyến, Trực tiếp: 5 ngày làm việc; lệ phí 135.000 đồng" in answer.text
    )  # said once
    assert [b["title"] for b in answer.buttons][:2] == ["Giấy tờ cần nộp", "Các bước"]


def test_short_names_are_at_most_80_characters_and_the_full_name_is_one_tap_away() -> None:
    long_name = record("1.013831")
    assert len(long_name["name"]) > MAX_SHORT_NAME_CHARS
    assert (
        short_name(long_name)
        == "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất"
    )
    assert all(len(short_name(r)) <= MAX_SHORT_NAME_CHARS for r in default_records().values())
    assert short_name(record("1.001193")) == "Đăng ký khai sinh"  # "Thủ tục" dropped
    assert (
        short_name(record("1.013225"))
        == "Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV"
    )  # not inside "(…)"
    fee = answers.fee_answer(long_name, DAY)
    full = next(b for b in fee.buttons if b["title"] == "Tên đầy đủ")
    assert full["payload"] == '/ask_procedure{"procedure": "1.013831", "detail": "name"}'
    assert long_name["name"] in answers.full_name_answer(long_name).text
    assert not any(
        b["title"] == "Tên đầy đủ" for b in answers.fee_answer(record("1.004222"), DAY).buttons
    )


# --- 2. main papers first -----------------------------------------------------------------------


def test_birth_registration_lists_the_birth_certificate_first_and_cases_behind_a_button() -> None:
    answer = answers.documents_answer(record("1.001193"))
    lines = answer.text.splitlines()
    assert lines[0] == "Giấy tờ chính cần nộp:" and lines[1].startswith("1. Giấy chứng sinh;")
    assert "bị bỏ rơi" not in answer.text  # a rare case: behind the button
    assert answer.buttons[0]["title"] == "Xem giấy tờ theo trường hợp"
    assert (
        answer.buttons[0]["payload"]
        == '/ask_documents{"procedure": "1.001193", "detail": "case_papers"}'
    )
    assert [b["title"] for b in answer.buttons[1:3]] == ["Lệ phí", "Nộp ở đâu"]
    cases = answers.documents_answer(record("1.001193"), case_papers=True).text
    assert (
        "Trường hợp trẻ em bị bỏ rơi thì phải có biên bản" in cases
        and "Giấy chứng sinh;" not in cases
    )
    assert_phone_sized(answer, "1.001193")


def test_forms_come_first_and_only_if_needed_papers_share_one_line() -> None:
    answer = answers.documents_answer(record("1.007844"))
    lines = answer.text.splitlines()
    assert lines[1] == "1. a) Tờ khai hàng hóa xuất khẩu;"
    only_if = next(line for line in lines if line.startswith("Chỉ khi cần: "))
    assert (
        "c) Quyết định buộc tái xuất của cơ quan có thẩm quyền (nếu có): 01 bản chụp" in only_if
        and ";;" not in only_if
    )


def test_marriage_abroad_form_first_and_lead_in_kept_with_its_papers() -> None:
    """2.000806: the portal gives "1 bản chính" to a lead-in and to a rule about validity."""
    main = answers.documents_answer(record("2.000806")).text
    assert "Tờ khai đăng ký kết hôn theo mẫu" in main.split("\n3.")[0]  # a form, among the first
    detail = answers.documents_answer(record("2.000806"), case_papers=True)
    lines = detail.text.splitlines()
    lead_in = "Ngoài giấy tờ nêu trên, tùy từng trường hợp, bên nam, bên nữ phải nộp giấy tờ tương ứng sau đây:"
    assert lead_in in lines  # its own line: no number, no count
    assert (
        "Công dân Việt Nam là công chức" in lines[lines.index(lead_in) + 1]
        and "(1 bản chính)" in lines[lines.index(lead_in) + 1]
    )
    validity = next(line for line in lines if "Giá trị sử dụng của giấy tờ chứng minh" in line)
    assert validity.startswith("Lưu ý: Giá trị sử dụng") and not validity.endswith("bản chính)")
    assert_phone_sized(detail, "2.000806")


def test_alternatives_read_as_alternatives() -> None:
    block = answers._Block(
        "Một trong các giấy tờ sau:",
        [
            {
                "name": "Hộ chiếu",
                "form": None,
                "original": 1,
                "copies": 0,
                "group": None,
                "is_note": False,
            },
            {
                "name": "Thẻ căn cước",
                "form": None,
                "original": 1,
                "copies": 0,
                "group": None,
                "is_note": False,
            },
        ],
    )
    assert (
        answers._block_text(block, 2)
        == "2. Một trong các giấy tờ sau:\n   – Hộ chiếu (1 bản chính)\n   – Thẻ căn cước (1 bản chính)"
    )


def test_document_items_are_whole_and_long_answers_are_several_messages() -> None:
    marriage = record("2.000806")
    answer = answers.documents_answer(marriage)
    status_paper = next(
        row["name"]
        for row in marriage["documents"]
        if row["name"].startswith("- Giấy tờ chứng minh tình trạng hôn nhân")
    )
    assert f"{status_paper[2:]} (1 bản chính)" in answer.text and "…" not in answer.text
    assert len(answer.messages) > 1
    assert_phone_sized(answer, "2.000806")


def test_a_portal_note_longer_than_a_message_is_split_between_sentences() -> None:
    rented = "Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ"
    answer = answers.documents_answer(record("1.004222"), rented, case_papers=True)
    assert len(answer.messages) > 2 and "…" not in answer.text
    assert all(
        message.rstrip().endswith((".", ")", ":", record("1.004222")["source_url"]))
        for message in answer.messages
    )
    assert_phone_sized(answer, "1.004222")


def test_long_document_lists_leave_whole_papers_to_the_link_once() -> None:
    company = next(
        r
        for r in default_records().values()
        if not answers.document_cases(r)
        and sum(
            row_kind(row) is RowKind.PAPER and not answers._Block(None, [row]).case_specific
            for row in r["documents"]
        )
        > answers.MAX_LIST_ITEMS + 3
    )
    answer = answers.documents_answer(company)
    shown = sum(line.split(". ", 1)[0].isdigit() for line in answer.text.splitlines())
    assert (
        "Còn " in answer.text
        and "giấy tờ khác trên Cổng" in answer.text
        and shown <= answers.MAX_LIST_ITEMS
    )
    assert_phone_sized(answer, company["code"])


def test_a_note_is_said_once_and_a_paper_once_per_section() -> None:
    salvage = answers.documents_answer(record("1.002771")).text  # the portal lists each paper twice
    assert salvage.count("Tờ khai phê duyệt phương án trục vớt") == 1
    protest = answers.documents_answer(record("1.002372")).text  # one paper needed in two sections
    assert protest.count("Kháng nghị hàng hải (02 bản)") == 2


def test_without_papers_the_answer_says_so_with_the_portal_remark() -> None:
    text = answers.documents_answer(record("1.013644")).text
    assert text.startswith(
        "Cơ sở dữ liệu thủ tục hành chính quốc gia không ghi thông tin này về thành phần hồ sơ"
    )
    assert "Ghi chú của Cổng: Do uỷ ban nhân dân cấp tỉnh quy định" in text


def test_a_chosen_case_names_its_plain_label_and_only_its_papers() -> None:
    residence = record("1.004222")
    rented = "Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ"
    answer = answers.documents_answer(residence, rented)
    assert answer.text.startswith(
        "Giấy tờ chính cần nộp — Nhà thuê, mượn, ở nhờ:\n1. Hợp đồng, văn bản về việc cho thuê, cho mượn, cho ở nhờ"
    )
    assert "cơ sở tín ngưỡng" not in answer.text
    assert (
        answer.buttons[0]["payload"]
        == '/ask_documents{"procedure": "1.004222", "detail": "case_papers", "document_case": "6"}'
    )


# --- 3. citizen steps ---------------------------------------------------------------------------


def test_steps_are_what_the_citizen_does_with_the_officials_steps_behind_a_button() -> None:
    answer = answers.citizen_steps_answer(record("1.001193"), DAY)
    lines = answer.text.splitlines()
    assert lines[:5] == [
        "Bạn làm như sau:",
        "1. Chuẩn bị giấy tờ (bấm «Giấy tờ cần nộp»).",
        "2. Nộp hồ sơ online, qua bưu điện hoặc trực tiếp tại UBND cấp xã (Bộ phận Một cửa).",
        "3. Lệ phí: miễn phí.",
        "4. Nhận kết quả sau 1 (cổng không ghi đơn vị): Giấy khai sinh.",
    ]
    assert answer.buttons[0] == {
        "title": "Các bước của cơ quan",
        "payload": '/ask_steps{"procedure": "1.001193", "detail": "official_steps"}',
    }
    assert_phone_sized(answer, "1.001193")


def test_official_steps_are_whole_with_the_rest_left_to_one_link() -> None:
    marriage = record("2.000806")
    answer = answers.official_steps_answer(marriage)
    assert "…" not in answer.text
    assert f"1. {marriage['steps'][0][2:]}" in answer.text  # whole, without the portal's "- "
    assert f"Còn {len(marriage['steps']) - answers.MAX_LIST_ITEMS} bước khác" in answer.text
    assert_phone_sized(answer, "2.000806")


# --- 4. plain case buttons ----------------------------------------------------------------------


def test_case_menu_uses_plain_labels() -> None:
    residence = record("1.004222")
    menu = answers.case_menu(residence, answers.document_cases(residence))
    assert [b["title"] for b in menu.buttons] == [
        "Nhà của mình",
        "Được chăm sóc, nuôi dưỡng",
        "Nhà người thân",
        "Chùa, cơ sở tôn giáo",
        "Đơn vị quân đội, công an",
        "Nhà thuê, mượn, ở nhờ",
    ]
    assert (
        menu.buttons[0]["payload"]
        == '/ask_documents{"procedure": "1.004222", "document_case": "1"}'
    )
    building = record("1.013225")
    labels = [case_label(building, case) for case in answers.document_cases(building)]
    assert labels[-1] == "Công trình nhà ở riêng lẻ" and all(len(label) <= 40 for label in labels)
    stay = record("1.000049")  # "A.1) Về cấp chứng chỉ …": numbering and "Về" dropped, whole words
    assert (
        case_label(stay, answers.document_cases(stay)[0])
        == "Cấp chứng chỉ hành nghề đo đạc và bản…"
    )
    temporary = record("1.004194")  # "Đăng ký tạm trú theo danh sách, …": curated
    assert [case_label(temporary, case) for case in answers.document_cases(temporary)][
        1
    ] == "Theo danh sách (nhiều người)"


@pytest.mark.parametrize(
    "code, message, case",
    [
        ("1.004222", "nhập hộ khẩu cho vợ về nhà chồng cần gì", 2),
        ("1.004222", "dang ky thuong tru o nha thue can giay to gi", 5),
        ("1.013225", "xin giấy phép xây nhà ở riêng lẻ cần gì", 6),
        ("1.013831", "sang tên sổ đỏ cho con cần giấy tờ gì", 0),
        ("1.012786", "mất trang bổ sung của sổ đỏ làm lại cần gì", 1),
        ("1.004222", "nhập hộ khẩu cần giấy tờ gì", None),
        ("1.013225", "giấy phép xây dựng cần gì", None),
    ],
)
def test_a_question_naming_the_case_is_answered_for_that_case(
    code: str, message: str, case: int | None
) -> None:
    assert named_case(record(code), answers.document_cases(record(code)), message) == case


def test_sections_are_not_cases() -> None:
    assert answers.document_cases(record("1.001193")) == []
    assert answers.is_section("* Giấy tờ phải xuất trình") and not answers.is_section(
        "Trường hợp ủy quyền"
    )


# --- 6. honest gaps -----------------------------------------------------------------------------


def test_empty_conditions_are_not_a_claim() -> None:
    empty = {**record("1.014063"), "conditions": ""}
    text = answers.conditions_answer(empty).text
    assert text.startswith(
        "Cổng Dịch vụ công chưa ghi điều kiện cho thủ tục này; bạn hỏi Công an cấp Xã hoặc"
    )
    assert hotline() in text and "không đặt điều kiện" not in text
    stated = answers.conditions_answer(record("1.004222")).text
    assert stated.startswith(
        "Điều kiện theo Cổng Dịch vụ công:\nNgười thực hiện thủ tục đã được thu thập"
    )


def test_online_answer_tells_full_online_from_partly_online_and_none() -> None:
    full = answers.online_answer(record("1.004222"), DAY)
    assert (
        full.text.startswith("Có, nộp hồ sơ online được")
        and "• Trực tuyến: 7 ngày làm việc; lệ phí 10.000 đồng" in full.text
    )
    assert_phone_sized(full, "1.004222")
    partly = answers.online_answer(
        record("1.013086"), DAY
    )  # named "… dịch vụ công trực tuyến một phần"
    assert partly.text.startswith(
        "Nộp online được một phần: Cổng ghi đây là dịch vụ công trực tuyến một phần"
    )
    noted = {
        **record("1.004222"),
        "methods": [
            {
                **m,
                "note": "Nộp hồ sơ trên Cổng. Trường hợp thực hiện dịch vụ công trực tuyến một phần thì đến nhận kết quả trực tiếp.",
            }
            for m in record("1.004222")["methods"]
        ],
    }
    assert answers.online_answer(noted, DAY).text.startswith(
        "Nộp online được một phần: Cổng ghi «Trường hợp thực hiện dịch vụ công trực tuyến một phần thì đến nhận kết quả trực tiếp.»"
    )
    no_online = {
        **record("1.004222"),
        "methods": [m for m in record("1.004222")["methods"] if m["channel"] != "Trực tuyến"],
    }
    assert answers.online_answer(no_online, DAY).text.startswith("Chưa nộp online được")


def test_where_catalogue_is_silent_the_answer_says_so() -> None:
    text = answers.fee_answer({**record("1.004222"), "methods": []}).text
    assert (
        text.startswith(
            "Cơ sở dữ liệu thủ tục hành chính quốc gia không ghi thông tin này về lệ phí"
        )
        and hotline() in text
    )


def test_the_default_hotline_is_a_real_public_number() -> None:
    assert hotline() == "Tổng đài Cổng Dịch vụ công quốc gia: 1800 1096"


# --- 7. channel fit -----------------------------------------------------------------------------


def test_messages_split_only_between_blocks_or_sentences() -> None:
    blocks = ["a" * 500, "b" * 500, ("Câu một dài. " * 100).strip()]
    joined = answers.messages(blocks)
    assert joined[0] == "a" * 500 and joined[1].startswith("b" * 500 + "\nCâu một dài.")
    assert all(len(message) <= answers.MAX_MESSAGE_CHARS for message in joined) and len(joined) > 3
    assert all(
        message.endswith("Câu một dài.") for message in joined[1:]
    )  # split between sentences


def test_a_fee_note_cut_short_by_the_fee_text_is_finished_from_the_record() -> None:
    """fees_in_force quotes notes and case labels up to a length with "…": the answer says them whole."""
    text = answers.fee_answer(record("1.000656"), DAY).text
    assert (
        "…" not in text and "Thông tư số 281/2016/TT-BTC ngày 14/11/2016 của Bộ Tài chính»)" in text
    )
    residence = answers.fee_answer(record("1.004222"), DAY).text
    assert (
        "…" not in residence
        and "quy định mức thu, chế độ thu, nộp và quản lý lệ phí đăng ký cư trú được sửa đổi"
        in residence
    )
