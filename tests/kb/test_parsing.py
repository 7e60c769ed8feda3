"""Parser tests on real catalogue records (copied into tests/fixtures/raw)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from procedures_kb.importer import build_record
from procedures_kb.parsing import Problems, parse_documents, parse_methods, unwrap_parentheses

RAW = Path(__file__).parent.parent / "fixtures" / "raw"


def record(code: str) -> dict[str, Any]:
    raw = json.loads((RAW / f"{code}.json").read_text(encoding="utf-8"))
    return build_record(raw, Problems())


def method(code: str, channel: str) -> dict[str, Any]:
    return next(m for m in record(code)["methods"] if m["channel"] == channel)


def test_permanent_residence_methods_per_channel() -> None:
    online, in_person = method("1.004222", "Trực tuyến"), method("1.004222", "Trực tiếp")
    assert (online["time_value"], online["time_unit"], online["fee_vnd"]) == (7, "ngày làm việc", 10000)
    assert (in_person["time_value"], in_person["time_unit"], in_person["fee_vnd"]) == (7, "ngày làm việc", 20000)
    assert online["note"] == "Trường hợp công dân nộp hồ sơ qua cổng dịch vụ công trực tuyến thu 10.000 đồng/lần đăng ký."


def test_nested_parentheses_in_description_are_kept_whole() -> None:
    raw = "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp20 Ngày làm việc2,500,000 Việt Nam Đồng(Phí : Đồng (Từ ngày 01/7/2025 áp dụng (tạm thời)))20 ngày kể từ khi nhận đủ hồ sơ.Trực tuyến20 Ngày làm việcMiễn phí"
    rows = parse_methods(raw, Problems())
    assert [row["channel"] for row in rows] == ["Trực tiếp", "Trực tuyến"]
    assert rows[0]["fee_vnd"] == 2500000
    assert rows[0]["note"] == "Phí : Đồng (Từ ngày 01/7/2025 áp dụng (tạm thời)) 20 ngày kể từ khi nhận đủ hồ sơ."
    assert unwrap_parentheses("(a (b) c") == "a (b) c"  # cut short by the crawl: no text lost


def test_bare_number_time_has_no_unit() -> None:
    birth = method("1.001193", "Trực tiếp")
    assert (birth["time_text"], birth["time_value"], birth["time_unit"], birth["fee_vnd"]) == ("1", 1, None, 0)


def test_bare_number_glued_to_numeric_fee_is_reported() -> None:
    problems = Problems()
    rows = parse_methods(json.loads((RAW / "1.007642.json").read_text())["cach_thuc_thuc_hien"], problems)
    assert (rows[0]["time_value"], rows[0]["fee_text"], rows[0]["fee_vnd"]) == (1, "20 VNĐ", 20)
    assert "methods: bare-number time glued to fee" in problems.found


def test_no_information_becomes_empty_or_null() -> None:
    rows = record("1.000232")["methods"]
    assert all(row["time_text"] == "" and row["time_value"] is None and row["fee_vnd"] is None for row in rows)
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
    assert notes[0]["name"].startswith("Trường hợp quy định tại điểm a, b, c khoản 4 Điều 20 Luật Cư trú")


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
    assert [row["name"] for row in rows] == ["Phiếu giao hàng: 02 bản chính", "Tờ khai hải quan: 01 bản chính."]


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
    assert residence["agencies"]["implementing"] == "Công an cấp Xã" and residence["agencies"]["receiving"] == ""
    assert residence["result"][1] == "Thông báo kết quả giải quyết thủ tục về cư trú, hủy bỏ thủ tục về cư trú"
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
