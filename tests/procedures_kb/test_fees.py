"""The fee model: what the cell and the note state, and the fee payable per channel on a date.

The acceptance cases run on the committed records; the other patterns run on methods built
from the catalogue's own wording (quoted from the records named in each test).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from procedures_kb.fees import annotate_methods, fees_in_force, today
from procedures_kb.store import default_records

DAY = date(2026, 12, 2)
LATER = date(2027, 1, 15)


def in_force(code: str, on: date = DAY) -> dict[str, Any]:
    """channel → (amount, currency, basis, valid_until) for a committed record."""
    return {
        fee.channel: (fee.amount, fee.currency, fee.basis, fee.valid_until)
        for fee in fees_in_force(default_records()[code], on)
    }


def method(fee_text: str, note: str | None, channel: str = "Trực tiếp") -> dict[str, Any]:
    return {
        "channel": channel,
        "time_text": "",
        "time_value": None,
        "time_unit": None,
        "fee_text": fee_text,
        "fee_vnd": None,
        "note": note,
    }


def record_of(*methods: dict[str, Any]) -> dict[str, Any]:
    rows = [dict(row) for row in methods]
    annotate_methods(rows)
    return {"code": "test", "methods": rows}


def only_fee(*methods: dict[str, Any], on: date = DAY):  # type: ignore[no-untyped-def]
    fees = fees_in_force(record_of(*methods), on)
    assert len(fees) == 1
    return fees[0]


# --- Acceptance (issue 8) ---------------------------------------------------------------------


def test_driving_licence_fee_is_the_notes_amount_on_both_channels() -> None:
    expected = (135000, "VND", "note", None)
    assert in_force("3.000347") == {"Trực tuyến": expected, "Trực tiếp": expected}
    methods = default_records()["3.000347"]["methods"]
    assert all(
        m["fee_flags"] == ["cell_free_note_amount"] and m["fee_basis"] == "fixed" for m in methods
    )


def test_id_card_exchange_is_halved_until_the_end_of_2026_then_full() -> None:
    fees = {fee.channel: fee for fee in fees_in_force(default_records()["1.014063"], DAY)}
    online = fees["Trực tuyến"]
    assert (online.amount, online.basis, online.valid_until) == (
        25000,
        "reduced",
        date(2026, 12, 31),
    )
    assert (
        "25.000 đồng" in online.text
        and "64/2025/TT-BTC" in online.text
        and "31/12/2026" in online.text
    )
    assert fees["Trực tiếp"].amount == 25000
    later = in_force("1.014063", LATER)
    assert later["Trực tuyến"] == later["Trực tiếp"] == (50000, "VND", "catalogue", None)


def test_fee_cell_in_thousands_uses_the_notes_figure() -> None:
    assert set(in_force("1.004022").values()) == {(900000, "VND", "note", None)}
    assert all(
        m["fee_flags"] == ["cell_in_thousands"] for m in default_records()["1.004022"]["methods"]
    )


def test_land_transfer_fee_set_by_law_has_no_amount() -> None:
    fees = fees_in_force(default_records()["1.013831"], DAY)
    assert {(fee.amount, fee.basis) for fee in fees} == {(None, "by_regulation")}
    assert all("miễn phí" not in fee.text and "Luật phí và lệ phí" in fee.text for fee in fees)


def test_fee_set_by_the_provincial_council_has_no_amount() -> None:
    fees = fees_in_force(default_records()["1.013235"], DAY)
    assert {(fee.amount, fee.basis) for fee in fees} == {(None, "provincial")}
    assert all("Hội đồng nhân dân" in fee.text and "miễn phí" not in fee.text for fee in fees)


def test_an_exemption_that_ended_is_not_applied() -> None:
    assert in_force("2.000102")["Trực tuyến"] == (30000000, "VND", "catalogue", None)
    assert in_force("2.000102", date(2026, 5, 1))["Trực tuyến"] == (
        0,
        "VND",
        "exempt",
        date(2026, 6, 30),
    )


def test_usd_fees_per_card_duration_are_cases_of_each_channel() -> None:
    fees = {fee.channel: fee for fee in fees_in_force(default_records()["1.003358"], DAY)}
    direct = fees["Trực tiếp"]
    assert direct.amount is None and direct.basis == "note"
    assert sorted((case["amount"], case["currency"]) for case in direct.cases) == [
        (145, "USD"),
        (155, "USD"),
        (165, "USD"),
    ]
    assert any("không quá 02 năm" in case["condition"] for case in direct.cases)
    flags = {flag for m in default_records()["1.003358"]["methods"] for flag in m["fee_flags"]}
    assert flags == {"cell_currency"}  # "155 VNĐ" beside "155 USD/thẻ"


# --- Patterns of the catalogue ------------------------------------------------------------------

ID_CARD_NOTE = (
    "- Cấp lại thẻ căn cước đối với các trường hợp quy định tại khoản 2 Điều 24 Luật Căn cước: 70.000 đồng/thẻ căn cước. "
    "Kể từ ngày 01/01/2025 đến hết ngày 31/12/2025, mức thu lệ phí khi công dân nộp hồ sơ cấp đổi, cấp lại thẻ căn cước "
    "theo hình thức trực tuyển bằng 50% mức thu lệ phí quy định. - Kể từ ngày 01/7/2025 đến hết ngày 31/12/2026 mức thu "
    "lệ phí cấp đổi, cấp lại thẻ căn cước bằng 50% mức thu nêu trên theo quy định tại Thông tư số 64/2025/TT-BTC"
)


def test_percentage_of_the_stated_amount_becomes_an_amount_with_its_period() -> None:
    fees = record_of(method("70,000 Việt Nam Đồng", ID_CARD_NOTE))["methods"][0]["fees"]
    assert fees[0] == {
        "amount": 70000,
        "currency": "VND",
        "unit": "thẻ căn cước",
        "condition": None,
        "valid_from": None,
        "valid_to": None,
        "source": "cell",
        "reference": None,
        "share": None,
    }
    assert [
        (f["amount"], f["condition"], f["valid_from"], f["valid_to"], f["reference"])
        for f in fees[1:]
    ] == [
        (35000, "nộp trực tuyến", "2025-01-01", "2025-12-31", None),
        (35000, None, "2025-07-01", "2026-12-31", "64/2025/TT-BTC"),
    ]


def test_percentage_of_an_unstated_base_is_not_guessed() -> None:
    note = "- Lệ phí đăng ký doanh nghiệp: Bằng 50% mức thu lệ phí quy định tại điểm 1 Biểu phí, lệ phí đăng ký doanh nghiệp"
    rows = record_of(method("100,000 Việt Nam Đồng", note))["methods"]
    assert [(f["amount"], f["share"]) for f in rows[0]["fees"]] == [(100000, None), (None, 50)]
    assert rows[0]["fee_basis"] == "unknown"
    # The cell is not the base unless the note says so: neither 100.000 nor a guessed 50.000 is stated.
    fee = only_fee(method("100,000 Việt Nam Đồng", note))
    assert (fee.amount, fee.basis, fee.valid_until) == (None, "unknown", None)
    assert "Bằng 50% mức thu lệ phí quy định tại điểm 1" in fee.text and "50.000" not in fee.text


def test_percentage_of_an_unstated_base_in_a_period_is_unknown_then_the_cell() -> None:  # 1.011423
    note = (
        "/Lần. Giá trị giao dịch dưới 2,1 tỷ đồng Phí đăng ký giao dịch bảo đảm đối với tàu bay: Bằng 50% mức thu phí quy "
        "định tại Mục VIII Phần A Biểu mức thu phí, lệ phí trong lĩnh vực hàng không ban hành kèm theo Thông tư số "
        "193/2016/TT-BTC (Kể từ ngày 01 tháng 7 năm 2025 đến hết ngày 31 tháng 12 năm 2026, mức thu một số khoản phí, lệ "
        "phí được quy định như sau (khoản 1 Điều 1 Thông tư số 64/2025/TT-BTC)."
    )
    during = only_fee(method("1,800,000 Việt Nam Đồng", note))
    assert (during.amount, during.basis, during.valid_until) == (None, "unknown", None)
    assert "50%" in during.text and "31/12/2026" in during.text and "900.000" not in during.text
    after = only_fee(method("1,800,000 Việt Nam Đồng", note), on=LATER)
    assert (after.amount, after.basis) == (1800000, "catalogue")


def test_a_share_of_a_named_amount_is_computed() -> None:  # 1.004137
    note = "Phê duyệt đánh giá an ninh cảng thủy nội địa: 20% của 11.000.000 đồng; Phê duyệt kế hoạch an ninh: 20% của 14.000.000 đồng"
    fee = only_fee(method("Miễn phí", note))
    assert sorted(case["amount"] for case in fee.cases) == [2200000, 2800000]
    assert fee.amount is None and "miễn phí" not in fee.text


def test_dated_exemption_is_zero_with_its_dates_and_circular() -> None:  # 1.000246
    note = "Thực hành 250.000đ/lần(Miễn kể từ ngày 07/4/2026 đến 30/6/2026 theo Thông tư 40/2026/TT-BTC)"
    rows = record_of(method("250,000 VNĐ", note))["methods"]
    assert rows[0]["fees"][1] == {
        "amount": 0,
        "currency": "VND",
        "unit": None,
        "condition": None,
        "valid_from": "2026-04-07",
        "valid_to": "2026-06-30",
        "source": "note",
        "reference": "40/2026/TT-BTC",
        "share": None,
    }
    during = only_fee(method("250,000 VNĐ", note), on=date(2026, 6, 30))
    assert (during.amount, during.basis, during.valid_until) == (0, "exempt", date(2026, 6, 30))
    assert "40/2026/TT-BTC" in during.text and "mức thường 250.000 đồng" in during.text
    assert only_fee(method("250,000 VNĐ", note), on=date(2026, 7, 1)).amount == 250000


def test_a_period_not_yet_started_is_not_applied() -> None:
    note = "áp dụng mức phí 400.000 đồng/hồ sơ kể từ ngày 01/7/2027 đến hết ngày 31/12/2027 theo Thông tư số 99/2027/TT-BTC"
    fee = only_fee(method("800,000 Việt Nam Đồng", note))
    assert (fee.amount, fee.basis, fee.valid_until) == (800000, "catalogue", None)
    assert only_fee(method("800,000 Việt Nam Đồng", note), on=date(2027, 7, 1)).amount == 400000


def test_overlapping_reductions_apply_the_lowest_not_compounded() -> None:
    note = (
        "- Lệ phí: 100.000 đồng/lần. - Trường hợp nộp hồ sơ theo hình thức trực tuyến: Kể từ ngày 01/01/2026 đến hết ngày "
        "31/12/2026, áp dụng mức thu là 60.000 đồng/lần. - Kể từ ngày 01/7/2026 đến hết ngày 30/11/2027 áp dụng mức thu "
        "80.000 đồng/lần theo Thông tư số 64/2025/TT-BTC"
    )
    fees = {
        fee.channel: fee
        for fee in fees_in_force(
            record_of(method("Miễn phí", note, "Trực tuyến"), method("Miễn phí", note)), DAY
        )
    }
    assert (fees["Trực tuyến"].amount, fees["Trực tuyến"].valid_until) == (
        60000,
        date(2026, 12, 31),
    )
    assert (fees["Trực tiếp"].amount, fees["Trực tiếp"].valid_until) == (80000, date(2027, 11, 30))


def test_online_only_reduction_does_not_apply_in_person() -> None:  # 3.000347 in 2024
    note = (
        "- Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần. - Trường hợp tổ chức, cá nhân nộp hồ sơ theo hình thức trực tuyến: "
        "Kể từ ngày 01/12/2023 đến hết ngày 31/12/2025, áp dụng mức thu lệ phí là 115.000 đồng/lần cấp."
    )
    on = date(2024, 6, 1)
    fees = {
        f.channel: f
        for f in fees_in_force(
            record_of(method("Miễn phí", note, "Trực tuyến"), method("Miễn phí", note)), on
        )
    }
    assert (fees["Trực tuyến"].amount, fees["Trực tuyến"].basis) == (115000, "reduced")
    assert (fees["Trực tiếp"].amount, fees["Trực tiếp"].basis) == (135000, "note")


def test_a_bare_end_date_in_parentheses_dates_the_amount_before_it() -> None:  # 1.014904
    note = (
        "- 50.000đ/tem “AB” (Thông tư số 25/2021/TT-BTC ngày 07/4/2021 của Bộ Tài chính). - 25.000đ/tem “AB” "
        "(áp dụng đến hết ngày 31/12/2026 theo Thông tư số 64/2025/TT-BTC ngày 30/6/2025 của Bộ Tài chính)"
    )
    fee = only_fee(method("50,000 Việt Nam Đồng", note))
    assert (fee.amount, fee.basis, fee.valid_until, fee.cases) == (
        25000,
        "reduced",
        date(2026, 12, 31),
        [],
    )
    assert only_fee(method("50,000 Việt Nam Đồng", note), on=LATER).amount == 50000


def test_a_full_period_without_an_amount_dates_nothing() -> None:  # 1.013217
    note = (
        "Từ ngày 01/7/2025 đến hết ngày 31/12/2026 áp dụng theo quy định tại Thông tư số 64/2025/TT-BTC ngày 30/6/2025 "
        "của Bộ trưởng Bộ Tài chính quy định mức thu, miễn một số khoản phí, lệ phí nhằm hỗ trợ cho doanh nghiệp, người dân"
    )
    rows = record_of(method("Miễn phí", note))["methods"]
    assert (rows[0]["fees"], rows[0]["fee_basis"]) == ([], "by_regulation")


def test_a_dated_rate_inconsistent_with_a_cell_in_thousands_is_not_stated() -> None:  # 1.012680
    note = "25.000.000đ/giấy thông hành (áp dụng đến hết ngày 31/12/2026 theo Thông tư số 64/2025/TT-BTC)."
    fee = only_fee(method("25 VNĐ", note))
    assert fee.amount is None and "25.000.000đ/giấy thông hành" in fee.text


def test_usd_note_corrects_a_cell_in_vnd() -> None:
    fee = only_fee(
        method("50 VNĐ", "Phí hải quan 50USD/chuyến bay đến đối với chuyến bay của nước ngoài")
    )  # 1.009094
    assert (fee.amount, fee.currency, fee.basis) == (50, "USD", "note") and fee.text == "50 USD"


def test_thousands_cell_without_a_confirming_note_is_not_stated() -> None:
    rows = record_of(method("20 VNĐ", None))["methods"]
    assert rows[0]["fee_flags"] == ["cell_implausible"] and rows[0]["fees"] == []
    fee = fees_in_force(record_of(method("20 VNĐ", None)), DAY)[0]
    assert fee.amount is None and "20 VNĐ" in fee.text


def test_several_amounts_in_a_free_cells_note_are_cases() -> None:  # 1.007632
    note = "- Cấp lại do hết hạn: 1.200.000 VNĐ - Cấp lại do thu hồi: 800.000 VNĐ - Cấp lại do mất, hỏng: 300.000 VNĐ"
    fee = only_fee(method("Miễn phí", note))
    assert fee.amount is None and fee.basis == "note"
    assert [(c["condition"], c["amount"]) for c in fee.cases] == [
        ("Cấp lại do hết hạn", 1200000),
        ("Cấp lại do thu hồi", 800000),
        ("Cấp lại do mất, hỏng", 300000),
    ]


def test_other_cases_beside_the_general_amount() -> (
    None
):  # 1.004359-like: the cell names one amount
    fee = only_fee(
        method("40,000 VNĐ", "Lệ phí cấp mới 40.000đồng/lần; lệ phí cấp lại 20.000 đồng/lần.")
    )
    assert (fee.amount, fee.basis) == (40000, "catalogue")
    assert fee.cases == [
        {"condition": "lệ phí cấp lại", "amount": 20000, "currency": "VND", "unit": "lần"}
    ]


def test_an_exemption_for_some_people_is_a_case_named_by_its_sentence() -> None:  # 2.002516
    note = "8.000 đồng/Văn bản. Miễn lệ phí cho người thuộc gia đình có công với cách mạng; người thuộc hộ nghèo; người khuyết tật."
    fee = only_fee(method("8,000 VNĐ", note))
    assert fee.amount == 8000 and fee.cases == [
        {
            "condition": "Miễn lệ phí cho người thuộc gia đình có công với cách mạng; người thuộc hộ nghèo; người khuyết tật",
            "amount": 0,
            "currency": "VND",
            "unit": None,
        }
    ]


def test_free_cell_with_a_plain_note_stays_free() -> None:
    fee = only_fee(method("Miễn phí", "Nộp hồ sơ trực tiếp tại Bộ phận Một cửa"))
    assert (fee.amount, fee.basis, fee.text) == (0, "catalogue", "miễn phí")
    assert record_of(method("Miễn phí", "Miễn lệ phí"))["methods"][0]["fee_basis"] == "free"


def test_no_cell_and_no_note_is_unknown() -> None:
    rows = record_of(method("", None))["methods"]
    assert rows[0]["fee_basis"] == "unknown"
    assert fees_in_force(record_of(method("", None)), DAY)[0].basis == "unknown"


def test_a_minimum_or_maximum_is_part_of_its_case_not_a_case() -> None:  # 1.002687, 2.000815
    note = (
        "+ Đối với tàu có tổng dung tích đăng ký dưới 500 GT là 3.000 đồng/GT - lần (mức thu tối thiểu không dưới 300.000 "
        "đồng); + Đối với tàu có dung tích đăng ký từ 3.000 GT trở lên là 1.500 đồng/GT - lần."
    )
    fee = only_fee(method("Miễn phí", note))
    assert sorted(case["amount"] for case in fee.cases) == [1500, 3000]
    assert "tối thiểu không dưới 300.000 đồng" in fee.cases[0]["condition"]
    pages = "2.000 đồng/trang; từ trang thứ 3 trở lên thu 1.000 đồng/trang, tối đa thu không quá 200.000 đồng/bản."
    fee = only_fee(method("2,000 Việt Nam Đồng", pages))
    assert (fee.amount, [c["amount"] for c in fee.cases]) == (2000, [1000])
    assert "tối đa thu không quá 200.000 đồng/bản" in fee.cases[0]["condition"]


def test_an_exemption_for_filing_online_is_the_online_channels_fee() -> None:  # 1.002055, 2.002069
    note = "Tổ chức hành nghề luật sư thực hiện đăng ký hoạt động qua mạng điện tử được miễn lệ phí đăng ký hoạt động."
    fee = only_fee(method("1 VNĐ", note, "Trực tuyến"))
    assert (fee.amount, fee.basis, fee.cases) == (0, "note", [])
    in_person = only_fee(method("50,000 Việt Nam Đồng", note))  # on another channel it stays a case
    assert (in_person.amount, [c["amount"] for c in in_person.cases]) == (50000, [0])
    both = "Miễn lệ phí đăng ký doanh nghiệp đối với trường hợp đăng ký qua mạng điện tử (Thông tư số 47/2019/TT-BTC)."
    fee = only_fee(method("Miễn phí", both, "Trực tuyến"))
    assert (fee.amount, fee.basis) == (0, "catalogue")


def test_a_free_cell_confirmed_by_the_note_is_the_catalogues_free() -> None:  # 2.002020
    rows = record_of(method("Miễn phí", "- Miễn lệ phí (Thông tư số 47/2019/TT-BTC)."))["methods"]
    assert rows[0]["fee_basis"] == "free" and rows[0]["fees"][0]["source"] == "cell"
    fee = only_fee(method("Miễn phí", "- Miễn lệ phí (Thông tư số 47/2019/TT-BTC)."))
    assert (fee.amount, fee.basis, fee.text) == (0, "catalogue", "miễn phí")


def test_a_cell_in_thousands_is_confirmed_by_another_rows_note() -> None:  # 1.009096
    online = method(
        "Miễn phí",
        "Lệ phí đối với phương tiện quá cảnh đường thủy (tàu): 500.000 đồng/phương tiện.",
        "Trực tuyến",
    )
    in_person = method("500 VNĐ", "Lệ phí đối với phương tiện quá cảnh đường thủy (tàu):")
    fees = {fee.channel: fee for fee in fees_in_force(record_of(online, in_person), DAY)}
    assert (fees["Trực tiếp"].amount, fees["Trực tiếp"].basis) == (500000, "note")
    assert record_of(online, in_person)["methods"][1]["fee_flags"] == ["cell_in_thousands"]
    # another row's cell is no confirmation: only a note states the figure
    alone = fees_in_force(
        record_of(
            method("800 Việt Nam Đồng", None, "Trực tuyến"), method("800,000 Việt Nam Đồng", None)
        ),
        DAY,
    )
    assert (alone[0].amount, alone[0].basis) == (None, "unknown")


def test_an_implausible_cell_is_unknown_even_when_the_note_cites_a_rule() -> (
    None
):  # 2.002041, 1.013224
    note = (
        "Từ ngày 01/01/2026 áp dụng theo quy định tại Thông tư số 156/2025/TT-BTC ngày 31/12/2025"
    )
    rows = record_of(method("500 VNĐ", note))["methods"]
    assert (rows[0]["fee_basis"], rows[0]["fee_flags"]) == ("unknown", ["cell_implausible"])
    fee = only_fee(method("500 VNĐ", note))
    assert (fee.amount, fee.basis) == (None, "unknown")
    assert "«500 VNĐ»" in fee.text and "có vẻ sai" in fee.text and "đường dây nóng" in fee.text


def test_a_period_set_by_a_circular_without_an_amount_suspends_the_cell() -> None:  # 1.002613
    note = (
        "Phí : Đồng (Từ ngày 01/7/2025 đến hết ngày 31/12/2026 áp dụng theo quy định tại Thông tư số 64/2025/TT-BTC ngày "
        "30/6/2025 của Bộ trưởng Bộ Tài chính quy định mức thu, miễn một số khoản phí, lệ phí nhằm hỗ trợ cho doanh nghiệp)"
    )
    during = only_fee(method("2,500,000 Việt Nam Đồng", note))
    assert (during.amount, during.basis, during.valid_until) == (None, "by_regulation", None)
    assert "64/2025/TT-BTC" in during.text and "31/12/2026" in during.text
    after = only_fee(method("2,500,000 Việt Nam Đồng", note), on=LATER)
    assert (after.amount, after.basis) == (2500000, "catalogue")


def test_dated_parts_of_a_dated_amount_are_not_rates() -> None:  # 1.008904
    note = (
        "(Áp dụng mức phí 2.000.000 đồng kể từ ngày 01/7/2025 đến hết ngày 31/12/2026 theo Thông tư số 64/2025/TT-BTC) Bao "
        "gồm: - 1.000.000 đồng đối với Trung tâm trọng tài (Áp dụng mức phí: 500.000 đồng kể từ ngày 01/7/2025 đến hết "
        "ngày 31/12/2026 theo Thông tư số 64/2025/TT-BTC) - 3.000.000 đồng đối với Chi nhánh (Áp dụng mức phí 1.500.000 "
        "đồng kể từ ngày 01/7/2025 đến hết ngày 31/12/2026 theo Thông tư số 64/2025/TT-BTC)"
    )
    fee = only_fee(method("4,000,000 Việt Nam Đồng", note))
    assert (fee.amount, fee.basis, fee.valid_until) == (2000000, "reduced", date(2026, 12, 31))


def test_a_rule_for_an_optional_extra_leaves_the_cell_free() -> None:  # 1.004837
    note = "Phí cấp bản sao Trích lục đăng ký giám hộ (nếu có yêu cầu) thực hiện theo quy định tại Thông tư số 281/2016/TT-BTC."
    assert only_fee(method("Miễn phí", note)).basis == "catalogue"


def test_a_service_price_or_a_fee_set_by_a_decree_is_by_regulation() -> None:  # 1.013205, 3.000049
    price = "Giá dịch vụ kiểm định an toàn kỹ thuật đối với xe cơ giới theo Thông tư số 238/2016/TT-BTC ngày 11/12/2016."
    decree = "Mức phí bảo lãnh chính phủ được quy định cụ thể tại Khoản 1 Điều 51 Nghị định số 91/2018/NĐ-CP ngày 26/06/2018."
    for note in (price, decree):
        fee = only_fee(method("Miễn phí", note))
        assert (fee.amount, fee.basis) == (None, "by_regulation")


def test_amounts_per_case_across_rows_are_a_note_answer() -> None:  # 1.013836
    changed = "- Đối với trường hợp thay đổi tên, địa chỉ trụ sở thì được cấp lại giấy đăng ký hoạt động, mức phí: 500.000đ;"
    other = "- Đối với trường hợp thay đổi nội dung đăng ký hoạt động khác thì Sở Tư pháp ghi nhận, mức phí: 0đ."
    fee = only_fee(method("500,000 Việt Nam Đồng", changed), method("1 Việt Nam Đồng", other))
    assert (fee.amount, fee.basis) == (None, "note")
    assert sorted(case["amount"] for case in fee.cases) == [0, 500000]


def test_a_cell_cut_from_a_list_of_amounts_per_case_is_one_of_the_cases() -> None:  # 1.003917
    note = (
        "Đồng (Sát hạch thực hành) Phí: 400000 Đồng (- Sát hạch bổ sung năng định giấy phép) Phí: 600000 Đồng "
        "(Sát hạch cấp giấy phép lần đầu) (Miễn phí từ ngày 07/4/2026 đến 30/6/2026 theo quy định tại Thông tư "
        "40/2026/TT-BTC)15 ngày, kể từ ngày nhận được hồ sơ hợp lệ"
    )
    fee = only_fee(method("250,000 VNĐ", note))
    assert (fee.amount, fee.basis) == (None, "note")
    assert sorted((case["amount"], case["condition"]) for case in fee.cases) == [
        (250000, "Sát hạch thực hành"),
        (400000, "Sát hạch bổ sung năng định giấy phép"),
        (600000, "Sát hạch cấp giấy phép lần đầu"),
    ]
    exempt = only_fee(method("250,000 VNĐ", note), on=date(2026, 5, 1))
    assert (exempt.amount, exempt.basis) == (0, "exempt")


def test_a_cell_followed_by_an_exemption_period_stays_the_general_amount() -> None:  # 1.003850
    note = "Đồng (Miễn phí từ ngày 07/4/2026 đến 30/6/2026 theo quy định tại Thông tư 40/2026/TT-BTC)27 ngày"
    fee = only_fee(method("20,000,000 VNĐ", note))
    assert (fee.amount, fee.basis) == (20000000, "catalogue")


def test_rows_giving_only_the_time_of_another_step_leave_the_free_cell_general() -> (
    None
):  # 1.009452
    free = "- Thời hạn Cảng vụ Hàng hải (đối với trường hợp bến thủy nội địa trong vùng nước cảng biển): Trong thời hạn 05 ngày làm việc."
    step = "- Thời hạn thẩm định, thỏa thuận thông số kỹ thuật xây dựng: Trong thời hạn 02 ngày làm việc."
    fee = only_fee(method("Miễn phí", free), method("Không có thông tin", step), method("", step))
    assert (fee.amount, fee.basis, fee.cases) == (0, "catalogue", [])


def test_a_row_naming_another_case_without_a_fee_keeps_the_amount_a_case() -> None:  # 1.014244
    other_case = "1 Trường hợp tổ chức, cá nhân đề nghị cấp đổi giấy phép khai thác khoáng sản được cấp trước ngày 01/01/2026:"
    fee = only_fee(
        method("", other_case),
        method("20,000,000 Việt Nam Đồng", "(2) Trường hợp tổ chức, cá nhân đề nghị: cấp đổi"),
    )
    assert (fee.amount, fee.basis) == (None, "note")
    assert [case["amount"] for case in fee.cases] == [20000000]


def test_a_cell_stated_only_in_an_ended_period_is_not_current() -> None:  # 1.001456
    note = (
        "+ 160.000/hộ chiếu, trường hợp cấp lại do bị hư hỏng hoặc bị mất: 320.000đ/hộ chiếu (áp dụng đến hết ngày "
        "31/12/2023 theo Thông tư số 44/2023/TT-BTC ngày 29/6/2023 của Bộ tài chính)."
    )
    fee = only_fee(method("160,000 Việt Nam Đồng", note))
    assert (fee.amount, fee.basis) == (None, "unknown") and "160,000" in fee.text
    assert only_fee(method("160,000 Việt Nam Đồng", note), on=date(2023, 12, 1)).amount == 160000


# --- Today -----------------------------------------------------------------------------------


def test_a_free_cell_whose_note_speaks_of_a_fee_is_not_free_when_another_channel_charges() -> (
    None
):  # 1.002866
    fees = fees_in_force(
        record_of(
            method("Miễn phí", "5.000.000đồng/lần cấp.", channel="Trực tuyến"),
            method("Miễn phí", "Phí, lệ phí", channel="Trực tiếp"),
            method(
                "Miễn phí",
                "Trả phí cho đơn vị cung cấp dịch vụ. Trả kết quả qua dịch vụ bưu chính.",
                channel="Dịch vụ bưu chính",
            ),
        ),
        DAY,
    )
    assert [(fee.channel, fee.amount, fee.basis) for fee in fees] == [
        ("Trực tuyến", 5000000, "note"),
        ("Trực tiếp", None, "unknown"),
        ("Dịch vụ bưu chính", None, "unknown"),
    ]
    assert all("miễn phí" not in fee.text and "đường dây nóng" in fee.text for fee in fees[1:])


def test_a_free_cell_whose_note_speaks_of_a_fee_stays_free_when_no_channel_charges() -> None:
    fees = fees_in_force(
        record_of(
            method("Miễn phí", "Phí, lệ phí", channel="Trực tuyến"),
            method("Miễn phí", "Phí, lệ phí"),
        ),
        DAY,
    )
    assert [(fee.amount, fee.basis) for fee in fees] == [(0, "catalogue"), (0, "catalogue")]


def test_today_comes_from_assistant_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_TODAY", "2026-12-02")
    assert today() == DAY


@pytest.mark.parametrize("value", ["02/12/2026", "2026-13-01", "hôm nay"])
def test_a_malformed_assistant_today_fails_clearly(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("ASSISTANT_TODAY", value)
    with pytest.raises(ValueError, match="ASSISTANT_TODAY"):
        today()
