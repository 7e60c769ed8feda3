"""Parser tests on real catalogue records (copied into tests/fixtures/raw)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.settings import PROJECT_ROOT
from procedures_kb.importer import build_record
from procedures_kb.parsing import (
    WELL_FORMED_LEGAL_NUMBER,
    Problems,
    parse_documents,
    parse_legal_basis,
    parse_methods,
    parse_results,
    unwrap_parentheses,
)

RAW = PROJECT_ROOT / "tests" / "fixtures" / "raw"


def record(code: str) -> dict[str, Any]:
    raw = json.loads((RAW / f"{code}.json").read_text(encoding="utf-8"))
    return build_record(raw, Problems())


def method(code: str, channel: str) -> dict[str, Any]:
    return next(m for m in record(code)["methods"] if m["channel"] == channel)


def test_permanent_residence_methods_per_channel() -> None:
    online, in_person = method("1.004222", "Trực tuyến"), method("1.004222", "Trực tiếp")
    assert (online["time_value"], online["time_unit"], online["fee_vnd"]) == (
        7,
        "ngày làm việc",
        10000,
    )
    assert (in_person["time_value"], in_person["time_unit"], in_person["fee_vnd"]) == (
        7,
        "ngày làm việc",
        20000,
    )
    assert (
        online["note"]
        == "Trường hợp công dân nộp hồ sơ qua cổng dịch vụ công trực tuyến thu 10.000 đồng/lần đăng ký."
    )


def test_nested_parentheses_in_description_are_kept_whole() -> None:
    raw = "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp20 Ngày làm việc2,500,000 Việt Nam Đồng(Phí : Đồng (Từ ngày 01/7/2025 áp dụng (tạm thời)))20 ngày kể từ khi nhận đủ hồ sơ.Trực tuyến20 Ngày làm việcMiễn phí"
    rows = parse_methods(raw, Problems())
    assert [row["channel"] for row in rows] == ["Trực tiếp", "Trực tuyến"]
    assert rows[0]["fee_vnd"] == 2500000
    assert (
        rows[0]["note"]
        == "Phí : Đồng (Từ ngày 01/7/2025 áp dụng (tạm thời)) 20 ngày kể từ khi nhận đủ hồ sơ."
    )
    assert unwrap_parentheses("(a (b) c") == "a (b) c"  # cut short by the crawl: no text lost


def test_bare_number_time_has_no_unit() -> None:
    birth = method("1.001193", "Trực tiếp")
    assert (birth["time_text"], birth["time_value"], birth["time_unit"], birth["fee_vnd"]) == (
        "1",
        1,
        None,
        0,
    )


def test_bare_number_glued_to_numeric_fee_is_reported() -> None:
    problems = Problems()
    rows = parse_methods(
        json.loads((RAW / "1.007642.json").read_text())["cach_thuc_thuc_hien"], problems
    )
    assert (rows[0]["time_value"], rows[0]["fee_text"], rows[0]["fee_vnd"]) == (1, "20 VNĐ", 20)
    assert "methods: bare-number time glued to fee" in problems.found


def test_no_information_becomes_empty_or_null() -> None:
    rows = record("1.000232")["methods"]
    assert all(
        row["time_text"] == "" and row["time_value"] is None and row["fee_vnd"] is None
        for row in rows
    )
    assert record("1.000232")["related"] == ""
    household_business = method("1.001612", "Trực tuyến")
    assert (household_business["time_text"], household_business["fee_vnd"]) == ("", 150000)


def test_worded_time_is_kept_as_text() -> None:
    online = method("1.007689", "Trực tuyến")
    assert online["time_text"] == "Không phải trả kết quả cho người nộp thuế"
    assert online["time_value"] is None and online["fee_vnd"] == 0


def test_multi_case_documents_carry_their_case() -> None:
    groups = [row["group"] for row in record("1.004222")["documents"]]
    assert groups[0] == "Đăng ký thường trú vào chỗ ở hợp pháp thuộc quyền sở hữu của mình"
    assert "Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ" in groups
    assert len(set(groups)) >= 6


def test_presented_papers_heading_is_a_group() -> None:
    groups = {row["group"] for row in record("1.001193")["documents"]}
    assert {"Giấy tờ phải nộp", "Giấy tờ phải xuất trình"} <= groups


def test_quantity_zero_rows_are_notes() -> None:
    notes = [row for row in record("1.004222")["documents"] if row["is_note"]]
    assert notes and all(row["original"] == 0 and row["copies"] == 0 for row in notes)
    assert notes[0]["name"].startswith(
        "Trường hợp quy định tại điểm a, b, c khoản 4 Điều 20 Luật Cư trú"
    )


def test_original_and_copy_counts() -> None:
    raw = "--Tên giấy tờMẫu đơn, tờ khaiSố lượngGiấy khai sinh1 bản chính,1 bản saoSổ hộ khẩu (nếu có)0 bản chính,2 bản saoĐơn theo Mẫu số 181 bản chính"
    rows = parse_documents(raw, Problems())
    assert [(row["name"], row["original"], row["copies"]) for row in rows] == [
        ("Giấy khai sinh", 1, 1),
        ("Sổ hộ khẩu (nếu có)", 0, 2),
        ("Đơn theo Mẫu số 18", 1, 0),
    ]
    assert all(row["group"] is None for row in rows)


def test_quantity_inside_a_name_is_not_a_row() -> None:
    raw = "--Tên giấy tờMẫu đơn, tờ khaiSố lượngPhiếu giao hàng: 02 bản chính1 bản chínhTờ khai hải quan: 01 bản chính.1 bản chính"
    rows = parse_documents(raw, Problems())
    assert [row["name"] for row in rows] == [
        "Phiếu giao hàng: 02 bản chính",
        "Tờ khai hải quan: 01 bản chính.",
    ]


def test_form_file_names_are_separated() -> None:
    rows = record("1.000823")["documents"]
    assert rows[0]["form"] == "Mus08.docx"
    assert rows[0]["name"].endswith("ngày 27/12/2021;")
    assert rows[1]["form"] == "Mus09.docx"
    assert rows[2]["form"] is None
    assert record("1.000232")["documents"][0]["form"] == "Mau NA20-BCA.docx"


def test_levels_applicants_agencies_and_results() -> None:
    residence = record("1.004222")
    assert residence["levels"] == ["Cấp xã"]
    assert residence["applicants"] == ["Người Việt Nam định cư ở nước ngoài", "Công dân Việt Nam"]
    assert (
        residence["agencies"]["implementing"] == "Công an cấp Xã"
        and residence["agencies"]["receiving"] == ""
    )
    assert (
        residence["result"][1]
        == "Thông báo kết quả giải quyết thủ tục về cư trú, hủy bỏ thủ tục về cư trú"
    )
    assert residence["legal_basis"][0]["number"] == "66.7/2025/NQ-CP"
    assert {
        "number": "75/2022/TT-BTC",
        "title": "Thông tư số 75/2022/TT-BTC của Bộ Tài chính: Quy định mức thu, chế độ thu, nộp và quản lý lệ phí đăng ký cư trú",
        "number_text": "75/2022/TT-BTC",
    } in residence["legal_basis"]
    assert residence["steps"][0].startswith("Bước 1:")


@pytest.mark.parametrize("text", ["", "Không có thông tin"])
def test_empty_documents(text: str) -> None:
    assert parse_documents(text, Problems()) == []


# --- Legal basis: one row per number cell ------------------------------------------------


def legal(code: str) -> list[dict[str, str]]:
    return record(code)["legal_basis"]


def numbers(code: str) -> list[str]:
    return [row["number"] for row in legal(code)]


def raw_field(code: str, field_name: str) -> str:
    return json.loads((RAW / f"{code}.json").read_text(encoding="utf-8"))[field_name]


def test_legal_title_ending_with_its_own_number() -> None:
    # "Luật 37/2018/QH14" + "37/2018/QH14", "Thông tư 55/2019/TT-BCA" + "55/2019/TT-BCA"
    assert legal("1.004073") == [
        {"number": "37/2018/QH14", "title": "Luật 37/2018/QH14", "number_text": "37/2018/QH14"},
        {
            "number": "55/2019/TT-BCA",
            "title": "Thông tư 55/2019/TT-BCA",
            "number_text": "55/2019/TT-BCA",
        },
    ]


def test_legal_year_at_the_end_of_a_title_and_all_caps_titles() -> None:
    rows = legal("1.002390")
    assert numbers("1.002390") == [
        "23/2023/QH15",
        "51/2019/QH14",
        "25/2021/TT-BTC",
        "47/2014/QH13",
        "31/2015/TT-BCA",
        "06/2025/TT-BCA",
        "65/2022/TT-BCA",
    ]
    assert rows[0]["title"].endswith(
        "sửa đổi 2023"
    )  # "…sửa đổi 2023" + "23/2023/QH15", not "202323/2023/QH15"
    assert rows[2]["title"].startswith("QUY ĐỊNH MỨC THU, CHẾ ĐỘ THU")
    assert rows[4] == {
        "number": "31/2015/TT-BCA",
        "title": "Hướng dẫn một số nội dung về cấp thị thực, cấp thẻ tạm trú, cấp giấy phép xuất nhập cảnh, giải quyết thường trú cho người nước ngoài tại Việt Nam",
        "number_text": "Thông tư 31/2015/TT-BCA",
    }


def test_legal_title_that_lost_its_first_letter_still_starts_a_row() -> None:
    rows = legal("3.000347")
    assert numbers("3.000347") == [
        "12/2025/TT-BCA",
        "06/2025/TT-BTC",
        "37/2023/TT-BTC",
        "63/2023/TT-BTC",
    ]
    assert rows[1]["title"].startswith("hông tư số 06/2025/TT-BTC của Bộ Tài chính")


def test_legal_lower_case_title_start_and_labelled_cells() -> None:
    rows = legal("1.013235")
    assert "175/2024/NĐ-CP" in numbers("1.013235")
    assert any(
        row["number"] == "105/2025/NĐ-CP" and row["title"].startswith("quy định chi tiết")
        for row in rows
    )
    assert {
        "number": "32/2024/QH15",
        "title": "Luật Các tổ chức tín dụng",
        "number_text": "Luật số 32/2024/QH15",
    } in legal("1.014687")
    assert numbers("1.014687") == [
        "32/2024/QH15",
        "50/2025/TT-NHNN",
    ]  # "…QH15" + "50/2025/TT-NHNN" + "số 50/2025/TT-NHNN"


def test_legal_title_ending_with_another_number_before_its_cell() -> None:
    # "…được sửa đổi, bổ sung bởi Nghị định số 07/2025/NĐ-CP" + "280/2025/NĐ-CP"
    assert "07/2025/NĐ-CP" not in numbers("2.000884")
    assert "280/2025/NĐ-CP" in numbers("2.000884")


def test_legal_date_before_a_number_is_not_part_of_it() -> None:
    assert numbers("1.009665") == [
        "96/2026/NĐ-CP",
        "55/2026/TT-BTC",
        "143/2025/QH15",
    ]  # "ngày 15/5/2026.55/2026/TT-BTC"


def test_legal_cell_cut_short_is_completed_and_reported() -> None:
    problems = Problems()
    rows = parse_legal_basis(raw_field("3.000224", "can_cu_phap_ly"), problems)
    assert [(row["number"], row["number_text"]) for row in rows] == [("24/2024/QĐ-UBND", "24/2024")]
    assert problems.found["legal basis: number completed from its title"] == [
        "24/2024 → 24/2024/QĐ-UBND"
    ]
    law = next(row for row in legal("6.005712") if row["title"] == "Luật Thi đua khen thưởng 2022")
    assert (law["number"], law["number_text"]) == ("06/2022/QH15", "06")


def test_legal_numbers_are_well_formed_on_the_fixtures() -> None:
    for path in sorted(RAW.glob("*.json")):
        for row in record(path.stem)["legal_basis"]:
            assert WELL_FORMED_LEGAL_NUMBER.fullmatch(row["number"]), (path.stem, row)


# --- Methods: every channel row of the table --------------------------------------------


def channels(code: str) -> list[str]:
    return [row["channel"] for row in record(code)["methods"]]


def test_channel_after_free_text_and_a_space_starts_a_row() -> None:
    # "…ủy quyền cho người khác thực hiện nộp hồ sơ Dịch vụ bưu chínhKhông có thông tin8,000 VNĐ…"
    assert channels("2.002516") == ["Trực tuyến", "Dịch vụ bưu chính", "Trực tiếp"]
    assert all(row["fee_vnd"] == 8000 for row in record("2.002516")["methods"])


def test_unclosed_parenthesis_in_a_note_does_not_swallow_the_next_row() -> None:
    rows = record("1.002903")["methods"]
    assert [row["channel"] for row in rows] == ["Dịch vụ bưu chính", "Trực tiếp"]
    assert rows[0]["note"] == rows[1]["note"] and rows[1]["fee_vnd"] == 10000000


def test_channel_words_with_a_time_but_no_fee_cell_stay_in_the_note() -> None:
    # "…nêu rõ lý do.\nDịch vụ bưu chính\t02 Ngày làm việc\tPhí : Đồng Không thu lệ phí\n": a line of a note
    problems = Problems()
    rows = parse_methods(raw_field("3.000382", "cach_thuc_thuc_hien"), problems)
    assert [row["channel"] for row in rows] == ["Trực tuyến", "Dịch vụ bưu chính", "Trực tiếp"]
    assert len(problems.found["methods: channel and time with no fee cell, kept in the note"]) == 1
    assert rows[0]["note"].endswith(
        "Dịch vụ bưu chính 02 Ngày làm việc Phí : Đồng Không thu lệ phí"
    )


# --- Results: no code left in a name ---------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "names"),
    [
        (
            "1.002079",
            [
                "Giấy đăng ký hoạt động của công ty luật trách nhiệm hữu hạn hai thành viên trở lên, công ty luật hợp danh"
            ],
        ),
        ("1.004089", ["Quyết định hành chính"]),
        (
            "1.014966",
            [
                "Quyết định cấp lại chứng chỉ hành nghề Quản tài viên",
                "Chứng chỉ hành nghề Quản tài viên",
            ],
        ),
        (
            "3.000578",
            [
                "Quyết định thu hồi Giấy chứng nhận đăng ký đầu tư gián tiếp ra nước ngoài",
                "Quyết định thu hồi Giấy chứng nhận đăng ký hoạt động nhận ủy thác đầu tư gián tiếp ra nước ngoài",
                "văn bản từ chối và nêu rõ lý do.",
                "Văn bản chấm dứt đầu tư gián tiếp ra nước ngoài đối với quỹ đầu tư chứng khoán, công ty đầu tư chứng khoán",
            ],
        ),
    ],
)
def test_result_codes_of_every_shape_are_removed(code: str, names: list[str]) -> None:
    assert (
        record(code)["result"] == names
    )  # "…hợp danhMã: 000.00.00.G15-KQ0187", "Mã: utwChứng chỉ…", "Mã: TP-G12.KQ.120Quyết định…"


def test_result_code_ends_at_its_last_digit() -> None:
    text = (
        "Giấy chứng nhậnMã: KQ.G10.000209-văn bản trả lờiMã: KQ.G10.001330Từ khóaKhông có thông tin"
    )
    assert parse_results(text, Problems()) == ["Giấy chứng nhận", "-văn bản trả lời"]


def test_a_table_with_no_row_has_no_documents() -> None:
    assert record("6.006578")["documents"] == []  # the raw field is "--"


# --- Private-use bullet glyphs ---------------------------------------------------------------


def test_private_use_bullets_never_reach_records() -> None:
    for code in ("1.007610", "1.009823"):
        text = json.dumps(record(code), ensure_ascii=False)
        assert not re.search("[\ue000-\uf8ff]", text)
    assert "\n• Đáp ứng điều kiện" in record("1.009823")["conditions"]
    first = record("1.007610")["documents"][0]
    assert first["name"].startswith(
        "Trường hợp đào tạo tại đơn vị: Quyết định"
    )  # the row's own bullet is dropped


# --- Form files: where the template's file name starts --------------------------------------


@pytest.mark.parametrize(
    ("code", "index", "name_end", "form"),
    [
        (
            "1.000049",
            4,
            "trước thời điểm chứng chỉ hết hạn",
            "mau so 20.doc",
        ),  # "…hết hạnmau so 20.doc"
        ("1.000049", 7, "Nghị định số 39/2026/NĐ -CP", "mau so 12.doc"),  # "…NĐ -CPmau so 12.doc"
        ("1.002409", 0, "Nghị định số 32/2026/NĐ-CP", "mau so 09.QLT. NK.docx"),
        (
            "1.004943",
            1,
            "theo Mẫu số 05.NT Phụ lục I ban hành kèm theo Nghị định số 41/2026/NĐ-CP;",
            "Mẫu số 05.docx",
        ),
        (
            "1.008498",
            12,
            "theo Phụ lục I.9 Nghị quyết 66.16 của Chính phủ",
            "Mẫu 07 XN- NPT-TNCN.docx",
        ),
        ("1.014354", 6, "(đã được sửa đổi, bổ sung),", "PL 01 TT 62.docx"),
        (
            "1.003407",
            0,
            "Thông tư số 01/2026/TT-BNNMTT ngày 01/01/2026.",
            "Mau 2a. Don dang ky kiem dich dong vat xuat khau.docx",
        ),
    ],
)
def test_form_file_boundary(code: str, index: int, name_end: str, form: str) -> None:
    row = record(code)["documents"][index]
    assert row["name"].endswith(name_end) and row["form"] == form


# --- Notes and papers ------------------------------------------------------------------------


def test_copies_stated_in_the_name_make_a_paper_whatever_the_quantity_cell() -> None:
    rows = record("1.007751")["documents"]
    assert (rows[0]["name"], rows[0]["original"], rows[0]["is_note"]) == (
        "a) Tờ khai hải quan: 02 bản chính;",
        0,
        False,
    )


def test_a_row_introducing_a_list_is_a_note_whatever_its_quantity() -> None:
    lead_in = record("2.000806")["documents"][3]
    assert (
        lead_in["name"].endswith("phải nộp giấy tờ tương ứng sau đây:") and lead_in["original"] == 1
    )
    assert lead_in["is_note"]
    assert record("1.012366")["documents"][2][
        "is_note"
    ]  # "Ghi chú: 01 bản tiếng Anh, 01 bản tiếng Việt"


def test_legal_title_with_a_dash_subtitle_is_one_row() -> None:
    # "Luật 54/2010/QH12 - Trọng tài thương mại" + "54/2010/QH12"
    assert numbers("1.008904")[:2] == ["54/2010/QH12", "222/2016/TT-BTC"]
    assert legal("1.008904")[0]["title"] == "Luật 54/2010/QH12 - Trọng tài thương mại"


def test_a_row_saying_what_need_not_be_submitted_is_a_note() -> None:
    exemption = next(
        row for row in record("1.007695")["documents"] if "thì không phải nộp hồ sơ" in row["name"]
    )
    assert exemption["original"] == 1 and exemption["is_note"]
    fire_safety = next(
        row
        for row in record("1.013234")["documents"]
        if row["name"].startswith("Thủ tục về phòng cháy")
    )
    assert fire_safety["is_note"]  # "…không yêu cầu bắt buộc xuất trình…"
    validity = record("2.000806")["documents"][7]
    assert validity["name"].startswith("Giá trị sử dụng của giấy tờ") and validity["is_note"]


def _rows(*cells: str) -> list[dict[str, Any]]:
    """The rows of a documents table made of (name + quantity) cells as the portal glues them."""
    return parse_documents("Tên giấy tờMẫu đơn, tờ khaiSố lượng" + "".join(cells), Problems())


def test_a_heading_naming_the_papers_to_hand_in_or_show_is_a_note() -> None:  # 1.013205
    rows = _rows(
        "- Giấy tờ phải nộp:0 bản chính",
        "Bản sao phiếu kiểm tra chất lượng xuất xưởng (đối với xe sản xuất, lắp ráp trong nước)0 bản chính,1 bản sao",
        "- Giấy tờ phải xuất trình:0 bản chính",
        "Bản chà số khung, số động cơ của xe1 bản chính",
    )
    assert [row["is_note"] for row in rows] == [True, False, True, False]


def test_a_rule_about_papers_listed_elsewhere_is_a_note() -> None:  # 1.013328
    rows = _rows(
        "a) Các tài liệu quy định tại các điểm c, d, đ, e của Mục 2.3.1.1 là bản sao có xác nhận của người nhập khẩu0 bản chính",
        "d) Tài liệu quy định tại điểm e Mục 2.3.1.1 phải nộp trước khi làm thủ tục cấp giấy chứng nhận0 bản chính",
    )
    assert [row["is_note"] for row in rows] == [True, True]


@pytest.mark.parametrize(
    "cell",
    [
        # 1.005277, 2.002643 (quantity "1 bản chính")
        "Hồ sơ đăng ký hợp tác xã, liên hiệp hợp tác xã trên môi trường điện tử bao gồm các giấy tờ theo quy định tại "
        "Luật Hợp tác xã 2023 và Nghị định số 92/2024/NĐ-CP được thể hiện dưới dạng văn bản điện tử. Hồ sơ đăng ký trên "
        "môi trường điện tử có giá trị pháp lý tương đương hồ sơ đăng ký bằng bản giấy1 bản chính",
        "+ Trường hợp ủy quyền cho đơn vị cung cấp dịch vụ bưu chính không phải là bưu chính công ích thực hiện thủ tục "
        "đăng ký hợp tác xã, liên hiệp hợp tác xã thì việc ủy quyền thực hiện theo quy định tại điểm b khoản 2 Điều 12 "
        "Nghị định số 92/2024/NĐ-CP về đăng ký tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã.1 bản chính",
        "+ Người được ủy quyền đăng ký thành lập hợp tác xã, liên hiệp hợp tác xã được ghi trong nghị quyết Hội nghị thành "
        "lập hợp tác xã, liên hiệp hợp tác xã. Việc ủy quyền lại để thực hiện thủ tục đăng ký thành lập hợp tác xã, liên "
        "hiệp hợp tác xã thực hiện theo quy định của pháp luật về dân sự.1 bản chính",
        # 1.011423
        "Trường hợp bên bảo đảm hoặc bên nhận bảo đảm gồm nhiều người thì phải có đầy đủ chữ ký, con dấu (nếu có) của các "
        "chủ thể này (khoản 4 Điều 12 Nghị định số 99/2022/NĐ-CP).0 bản chính,1 bản sao",
        # 1.014900
        "Trường hợp nộp hồ sơ trực tuyến thì cơ quan, tổ chức, doanh nghiệp tải bản điện tử các giấy tờ nêu trên. Trường "
        "hợp cơ sở dữ liệu giữa các cơ quan được kết nối, liên thông với cơ quan cấp tem “AB” thì cơ quan, tổ chức, doanh "
        "nghiệp không phải nộp các giấy tờ khai thác được trên cơ sở dữ liệu.1 bản chính",
        # 1.003703
        "Trường hợp hồ sơ được gửi qua bưu điện, người nhập khẩu phải nộp bản sao được chứng thực hoặc bản sao y bản chính "
        "(có ký tên và đóng dấu)0 bản chính,1 bản sao",
        # 2.002020
        "Yêu cầu doanh nghiệp báo cáo về việc tuân thủ các quy định của Luật Doanh nghiệp theo quy định tại điểm c khoản 1 "
        "Điều 216 Luật Doanh nghiệp “Yêu cầu doanh nghiệp báo cáo về việc tuân thủ quy định của Luật này khi xét thấy cần "
        "thiết; đôn đốc việc thực hiện nghĩa vụ báo cáo của doanh nghiệp”1 bản chính",
    ],
)
def test_a_row_explaining_how_the_procedure_is_done_is_a_note_whatever_its_quantity(
    cell: str,
) -> None:
    (row,) = _rows(cell)
    assert row["is_note"]


@pytest.mark.parametrize(
    "cell",
    [
        # 2.002009: an explanation that ends by asking for a paper
        "Người uỷ quyền và người được ủy quyền phải xác thực điện tử để được cấp đăng ký doanh nghiệp. Trường hợp chưa có "
        "tài khoản định danh điện tử để thực hiện xác thực điện tử thì hồ sơ đăng ký doanh nghiệp phải kèm theo bản sao thẻ "
        "Căn cước hoặc hộ chiếu còn hiệu lực của người uỷ quyền1 bản chính",
        # 1.009636: a paper that may be "giấy tờ có giá trị pháp lý tương đương"
        "Thông tin về tài liệu chứng minh quyền sử dụng đất để cơ quan nhà nước có thẩm quyền tra cứu trên cơ sở dữ liệu "
        "hoặc Giấy chứng nhận quyền sử dụng đất hoặc giấy tờ có giá trị pháp lý tương đương0 bản chính,1 bản sao",
        # 3.000123: a pointer that also asks for a paper
        "- Đối với dự án hoặc các hoạt động thuộc dự toán chi sự nghiệp, hồ sơ thực hiện theo quy định tại thủ tục 4 "
        "Quyết định 230/QĐ-BTC kèm giấy đề nghị xác nhận chi phí hợp lệ vốn sự nghiệp.1 bản chính",
        # 1.013831: a case that asks for a paper
        "Trường hợp có biên bản họp giữa Ủy ban nhân dân cấp xã với người sử dụng đất về việc tặng cho quyền sử dụng đất "
        "thì người sử dụng đất chỉ nộp bản gốc Giấy chứng nhận đã cấp cho Ủy ban nhân dân cấp xã nơi có đất.1 bản chính,1 bản sao",
    ],
)
def test_a_row_asking_for_a_paper_stays_a_paper(cell: str) -> None:
    (row,) = _rows(cell)
    assert not row["is_note"]


def test_a_decree_symbol_cut_short_is_completed_and_the_cell_kept_as_written() -> None:
    problems = Problems()
    raw = "Tên văn bản pháp lýMã văn bảnThực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông118/2025/NĐ-C"
    (row,) = parse_legal_basis(raw, problems)
    assert (row["number"], row["number_text"]) == ("118/2025/NĐ-CP", "118/2025/NĐ-C")
    assert "legal basis: decree symbol cut short, completed" in problems.found


@pytest.mark.parametrize(
    ("name", "is_note"),
    [
        (
            "- Trường hợp thuê nhà ở xã hội:",
            True,
        ),  # 1.012896: the case's papers are the rows after it
        ("++ Đối với doanh nghiệp môi giới bảo hiểm:", True),  # 1.012354
        (
            "-Một hoặc một số phụ lục kèm theo tờ khai ban hành kèm theo Thông tư số 80/2021/TT-BTC:",
            False,
        ),  # 1.008346: a paper, detailed below
    ],
)
def test_a_row_that_opens_a_case_is_a_note_even_with_a_count(name: str, is_note: bool) -> None:
    (row,) = parse_documents(f"Tên giấy tờMẫu đơn, tờ khaiSố lượng{name}1 bản chính", Problems())
    assert row["is_note"] is is_note
