"""Which rows of a document table are papers to hand in, and which only explain.

The portal's table gives every row a quantity column, so its counts cannot tell a paper
from an explanation: "* Ngoài giấy tờ nêu trên, tùy từng trường hợp … sau đây:" comes with
"1 bản chính", and real papers such as "a) Tờ khai hàng hóa xuất khẩu;" come with
"0 bản chính". The kind is read from the text instead; the counts only decide when the text
does not. Shared by the bot's answers and the staff CLI, so both say the same.
"""
from __future__ import annotations

import re
from enum import Enum

from procedures_kb.store import Document
from procedures_kb.text import fold


class RowKind(Enum):
    PAPER = "paper"  # something to hand in: numbered, with its copy counts
    LEAD_IN = "lead_in"  # introduces the rows after it ("… các giấy tờ sau:")
    NOTE = "note"  # an explanation or rule: never numbered, never counted


# Bullets and list markers before the text: "- ", "+ ", "* ", "a) ", "(ii) ", "3.2. ".
_LIST_MARKER = re.compile(r"^[\W_]*(?:(?:[a-zđ]\d?|[ivx]+|\d+(?:\.\d+)*)[).:]\s*)*[\W_]*")
_DISPLAY_MARKER = re.compile(r"^(?:[-+•*\s]|\d+(?:\.\d+)*[.)](?=\s))+")  # bullets and "2.1." numbers that clash with ours
_NOTE_MARKER = re.compile(r"^(luu y|chu y|ghi chu)\b")
_NOTE_LABEL = re.compile(r"^(?:lưu ý|chú ý|ghi chú)\s*[:：]?[-+•*\s]*", re.IGNORECASE)
# Nouns that name a paper (folded), optionally after "một trong các loại", "những", a count.
_PAPER = (
    r"(?:(?:mot trong|mot so|cac|nhung|loai|mot|hai|\d+|\(\w+\))\s+)*(?:ban|don|to khai|to trinh|giay|van ban|van bang|hop dong|"
    r"quyet dinh|bao cao|tai lieu|chung tu|chung chi|chung thu|hoa don|bien ban|phieu|danh sach|danh muc|phuong an|"
    r"de an|du thao|du an|ke hoach|cong van|cong ham|thong bao|nghi quyet|dieu le|phu luc|ho chieu|the|trich luc|"
    r"mau|bang|so (?:do|ho khau|ho tich|tay|dang ky|theo doi|ata|nhat ky|bao hiem)|anh|thuyet minh|cam ket|ho so|ly lich|"
    r"hinh anh|chung nhan|thoa thuan|quy che|quy trinh|xac nhan|nhan xet|du toan)\b"
)
_STARTS_WITH_PAPER = re.compile(_PAPER)
# Sentences that open on a circumstance rather than on a paper.
_EXPLANATION_START = re.compile(
    r"^(truong hop|trong truong hop|doi voi|ngoai|neu|khi|gia tri|nguoi|tuy)\b"
    r"|^(khong co|khong quy dinh)\W*$"
)
# Words that ask for something to be handed in, or a paper named after "X:", "là", "bằng",
# "phải có", "lập", "a)" ("… còn phải có chữ ký …" asks for no paper).
_ASKS_FOR_PAPER = re.compile(
    r"\b(nop|kem|kem theo|xuat trinh|gui|cung cap|bo sung|tai len|dinh kem|thay the bang|thay bang)\b"
    rf"|(?::|\bla|(?<!van )\bbang|\bphai co|\bco them|\blap|\b[a-zđ]\)|;)\s*[\W\d]*{_PAPER}"
)
# Rules about papers rather than papers: "… phải được hợp pháp hóa", "… chỉ áp dụng đối với …".
_RULE = re.compile(
    r"\b(phai duoc|phai bao dam|co trach nhiem|chiu trach nhiem|khong phai|duoc xac dinh|ap dung|"
    r"duoc nop sau|duoc tao lap)\b"
)
_NOT_NEEDED = re.compile(r"\bkhong (phai|can) (nop|xuat trinh|tai len|cung cap)\b")


def _folded(name: str) -> str:
    return _LIST_MARKER.sub("", fold(name), count=1)


def _asks_for_paper(text: str) -> bool:
    """Does a sentence opening on a circumstance ask for a paper ("… thì nộp bản sao …"), first?"""
    ask, exemption = _ASKS_FOR_PAPER.search(text), _NOT_NEEDED.search(text)
    return ask is not None and (exemption is None or ask.start() < exemption.start())


def row_kind(row: Document) -> RowKind:
    """Paper, lead-in or note, read from the row's text and group (the counts only break ties)."""
    text = _folded(row["name"])
    if _NOTE_MARKER.match(text) or _NOTE_MARKER.match(_folded(row["group"] or "")):
        return RowKind.NOTE
    starts_with_paper = bool(_STARTS_WITH_PAPER.match(text))
    counted = bool(row["original"] or row["copies"])
    if text.endswith(":") and not (starts_with_paper and counted):
        return RowKind.LEAD_IN
    if not counted:
        return RowKind.PAPER if starts_with_paper and not _RULE.search(text) else RowKind.NOTE
    if _EXPLANATION_START.match(text):
        return RowKind.PAPER if _asks_for_paper(text) else RowKind.NOTE
    return RowKind.PAPER


def without_bullets(text: str) -> str:
    """The text without the leading "- ", "+ ", "* " the portal puts before list items."""
    return _DISPLAY_MARKER.sub("", text) or text


def display_name(row: Document) -> str:
    """The row's text without leading bullets; a note also without its own "Lưu ý:" label."""
    name = without_bullets(row["name"])
    return (_NOTE_LABEL.sub("", name) or name) if row_kind(row) is RowKind.NOTE else name
