"""The fee model: what the cell and the note state, and the fee payable per channel on a date.

The acceptance cases run on the committed records; the other patterns run on methods built
from the catalogue's own wording (quoted from the records named in each test).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

import pytest

from procedures_kb.fees import annotate_methods, fees_in_force, today
from procedures_kb.store import default_records

DAY = date(2026, 12, 2)
LATER = date(2027, 1, 15)


def in_force(code: str, on: date = DAY) -> dict[str, Any]:
    """channel → (amount, currency, basis, valid_until) for a committed record."""
    return {fee.channel: (fee.amount, fee.currency, fee.basis, fee.valid_until) for fee in fees_in_force(default_records()[code], on)}


def method(fee_text: str, note: Optional[str], channel: str = "Trực tiếp") -> dict[str, Any]:
    return {"channel": channel, "time_text": "", "time_value": None, "time_unit": None, "fee_text": fee_text, "fee_vnd": None, "note": note}


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
    assert all(m["fee_flags"] == ["cell_free_note_amount"] and m["fee_basis"] == "fixed" for m in methods)


def test_id_card_exchange_is_halved_until_the_end_of_2026_then_full() -> None:
    fees = {fee.channel: fee for fee in fees_in_force(default_records()["1.014063"], DAY)}
    online = fees["Trực tuyến"]
    assert (online.amount, online.basis, online.valid_until) == (25000, "reduced", date(2026, 12, 31))
    assert "25.000 đồng" in online.text and "64/2025/TT-BTC" in online.text and "31/12/2026" in online.text
    assert fees["Trực tiếp"].amount == 25000
    later = in_force("1.014063", LATER)
    assert later["Trực tuyến"] == later["Trực tiếp"] == (50000, "VND", "catalogue", None)


def test_fee_cell_in_thousands_uses_the_notes_figure() -> None:
    assert set(in_force("1.004022").values()) == {(900000, "VND", "note", None)}
    assert all(m["fee_flags"] == ["cell_in_thousands"] for m in default_records()["1.004022"]["methods"])


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
    assert in_force("2.000102", date(2026, 5, 1))["Trực tuyến"] == (0, "VND", "exempt", date(2026, 6, 30))


def test_usd_fees_per_card_duration_are_cases_of_each_channel() -> None:
    fees = {fee.channel: fee for fee in fees_in_force(default_records()["1.003358"], DAY)}
    direct = fees["Trực tiếp"]
    assert direct.amount is None and direct.basis == "note"
    assert sorted((case["amount"], case["currency"]) for case in direct.cases) == [(145, "USD"), (155, "USD"), (165, "USD")]
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
        "amount": 70000, "currency": "VND", "unit": "thẻ căn cước", "condition": None,
        "valid_from": None, "valid_to": None, "source": "cell", "reference": None,
    }
    assert [(f["amount"], f["condition"], f["valid_from"], f["valid_to"], f["reference"]) for f in fees[1:]] == [
        (35000, "nộp trực tuyến", "2025-01-01", "2025-12-31", None),
        (35000, None, "2025-07-01", "2026-12-31", "64/2025/TT-BTC"),
    ]


def test_percentage_of_an_unstated_base_is_not_guessed() -> None:
    note = "- Lệ phí đăng ký doanh nghiệp: Bằng 50% mức thu lệ phí quy định tại điểm 1 Biểu phí, lệ phí đăng ký doanh nghiệp"
    rows = record_of(method("100,000 Việt Nam Đồng", note))["methods"]
    assert [f["amount"] for f in rows[0]["fees"]] == [100000]


def test_a_share_of_a_named_amount_is_computed() -> None:  # 1.004137
    note = "Phê duyệt đánh giá an ninh cảng thủy nội địa: 20% của 11.000.000 đồng; Phê duyệt kế hoạch an ninh: 20% của 14.000.000 đồng"
    fee = only_fee(method("Miễn phí", note))
    assert sorted(case["amount"] for case in fee.cases) == [2200000, 2800000]
    assert fee.amount is None and "miễn phí" not in fee.text


def test_dated_exemption_is_zero_with_its_dates_and_circular() -> None:  # 1.000246
    note = "Thực hành 250.000đ/lần(Miễn kể từ ngày 07/4/2026 đến 30/6/2026 theo Thông tư 40/2026/TT-BTC)"
    rows = record_of(method("250,000 VNĐ", note))["methods"]
    assert rows[0]["fees"][1] == {
        "amount": 0, "currency": "VND", "unit": None, "condition": None, "valid_from": "2026-04-07",
        "valid_to": "2026-06-30", "source": "note", "reference": "40/2026/TT-BTC",
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
    fees = {fee.channel: fee for fee in fees_in_force(record_of(method("Miễn phí", note, "Trực tuyến"), method("Miễn phí", note)), DAY)}
    assert (fees["Trực tuyến"].amount, fees["Trực tuyến"].valid_until) == (60000, date(2026, 12, 31))
    assert (fees["Trực tiếp"].amount, fees["Trực tiếp"].valid_until) == (80000, date(2027, 11, 30))


def test_online_only_reduction_does_not_apply_in_person() -> None:  # 3.000347 in 2024
    note = (
        "- Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần. - Trường hợp tổ chức, cá nhân nộp hồ sơ theo hình thức trực tuyến: "
        "Kể từ ngày 01/12/2023 đến hết ngày 31/12/2025, áp dụng mức thu lệ phí là 115.000 đồng/lần cấp."
    )
    on = date(2024, 6, 1)
    fees = {f.channel: f for f in fees_in_force(record_of(method("Miễn phí", note, "Trực tuyến"), method("Miễn phí", note)), on)}
    assert (fees["Trực tuyến"].amount, fees["Trực tuyến"].basis) == (115000, "reduced")
    assert (fees["Trực tiếp"].amount, fees["Trực tiếp"].basis) == (135000, "note")


def test_a_bare_end_date_in_parentheses_dates_the_amount_before_it() -> None:  # 1.014904
    note = (
        "- 50.000đ/tem “AB” (Thông tư số 25/2021/TT-BTC ngày 07/4/2021 của Bộ Tài chính). - 25.000đ/tem “AB” "
        "(áp dụng đến hết ngày 31/12/2026 theo Thông tư số 64/2025/TT-BTC ngày 30/6/2025 của Bộ Tài chính)"
    )
    fee = only_fee(method("50,000 Việt Nam Đồng", note))
    assert (fee.amount, fee.basis, fee.valid_until, fee.cases) == (25000, "reduced", date(2026, 12, 31), [])
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
    fee = only_fee(method("50 VNĐ", "Phí hải quan 50USD/chuyến bay đến đối với chuyến bay của nước ngoài"))  # 1.009094
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
        ("Cấp lại do hết hạn", 1200000), ("Cấp lại do thu hồi", 800000), ("Cấp lại do mất, hỏng", 300000),
    ]


def test_other_cases_beside_the_general_amount() -> None:  # 1.004359-like: the cell names one amount
    fee = only_fee(method("40,000 VNĐ", "Lệ phí cấp mới 40.000đồng/lần; lệ phí cấp lại 20.000 đồng/lần."))
    assert (fee.amount, fee.basis) == (40000, "catalogue")
    assert fee.cases == [{"condition": "lệ phí cấp lại", "amount": 20000, "currency": "VND", "unit": "lần"}]


def test_an_exemption_for_some_people_is_a_case_named_by_its_sentence() -> None:  # 2.002516
    note = "8.000 đồng/Văn bản. Miễn lệ phí cho người thuộc gia đình có công với cách mạng; người thuộc hộ nghèo; người khuyết tật."
    fee = only_fee(method("8,000 VNĐ", note))
    assert fee.amount == 8000 and fee.cases == [{
        "condition": "Miễn lệ phí cho người thuộc gia đình có công với cách mạng; người thuộc hộ nghèo; người khuyết tật",
        "amount": 0, "currency": "VND", "unit": None,
    }]


def test_free_cell_with_a_plain_note_stays_free() -> None:
    fee = only_fee(method("Miễn phí", "Nộp hồ sơ trực tiếp tại Bộ phận Một cửa"))
    assert (fee.amount, fee.basis, fee.text) == (0, "catalogue", "miễn phí")
    assert record_of(method("Miễn phí", "Miễn lệ phí"))["methods"][0]["fee_basis"] == "free"


def test_no_cell_and_no_note_is_unknown() -> None:
    rows = record_of(method("", None))["methods"]
    assert rows[0]["fee_basis"] == "unknown"
    assert fees_in_force(record_of(method("", None)), DAY)[0].basis == "unknown"


# --- Today -----------------------------------------------------------------------------------


def test_today_comes_from_assistant_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_TODAY", "2026-12-02")
    assert today() == DAY


@pytest.mark.parametrize("value", ["02/12/2026", "2026-13-01", "hôm nay"])
def test_a_malformed_assistant_today_fails_clearly(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ASSISTANT_TODAY", value)
    with pytest.raises(ValueError, match="ASSISTANT_TODAY"):
        today()
