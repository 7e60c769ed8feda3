"""Papers, lead-ins and notes told apart from the text of real document rows."""

from __future__ import annotations

from procedures_kb.documents import RowKind, display_name, row_kind
from procedures_kb.store import Document, default_records


def row(code: str, start: str) -> Document:
    return next(
        row for row in default_records()[code]["documents"] if row["name"].startswith(start)
    )


def test_rows_the_portal_counts_can_still_be_explanations() -> None:
    lead_in = row("2.000806", "* Ngoài giấy tờ nêu trên")
    validity = row("2.000806", "Giá trị sử dụng của giấy tờ")
    assert lead_in["original"] == validity["original"] == 1  # what the portal says
    assert row_kind(lead_in) is RowKind.LEAD_IN and row_kind(validity) is RowKind.NOTE
    assert (
        row_kind(row("2.000806", "- Người nước ngoài, công dân Việt Nam")) is RowKind.PAPER
    )  # "phải nộp bản sao"


def test_rows_the_portal_does_not_count_can_still_be_papers() -> None:
    assert row_kind(row("1.007844", "a) Tờ khai hàng hóa xuất khẩu")) is RowKind.PAPER
    assert (
        row_kind(row("2.000806", "- Giấy tờ do cơ quan có thẩm quyền")) is RowKind.NOTE
    )  # in the "Lưu ý" section
    assert (
        row_kind(row("2.000806", "- Trường hợp gửi hồ sơ qua hệ thống bưu chính")) is RowKind.NOTE
    )


def test_a_circumstance_is_a_paper_only_when_it_asks_for_one_first() -> None:
    assert (
        row_kind(row("1.011423", "Trường hợp chi nhánh của pháp nhân")) is RowKind.PAPER
    )  # "là tài liệu phải có"
    assert (
        row_kind(row("1.000082", "- Trường hợp văn bằng, chứng chỉ được lưu trữ")) is RowKind.NOTE
    )  # "không cần nộp"
    assert row_kind(row("1.004222", "Đối với Quân đội nhân dân: Giấy giới thiệu")) is RowKind.PAPER


def test_display_drops_bullets_clashing_numbers_and_a_note_label() -> None:
    assert display_name(row("1.013428", "* Lưu ý: Trường hợp trực tiếp")).startswith(
        "Trường hợp trực tiếp nộp hồ sơ"
    )
    assert display_name(row("1.007638", "4. Danh sách kiểm toán viên")).startswith(
        "Danh sách kiểm toán viên"
    )
    assert display_name(row("1.007844", "a) Tờ khai")) == "a) Tờ khai hàng hóa xuất khẩu;"
