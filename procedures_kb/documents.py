"""How the rows of a document table are shown: papers to hand in, lead-ins and notes.

The portal's table gives every row a quantity column, so its counts cannot tell a paper
from an explanation: "* Ngoài giấy tờ nêu trên, tùy từng trường hợp … sau đây:" comes with
"1 bản chính", and real papers such as "a) Tờ khai hàng hóa xuất khẩu;" come with
"0 bản chính". The importer reads that from the text (`is_note`); this module turns it into
what the bot's answers and the staff CLI show, so both say the same.
"""

from __future__ import annotations

import re
from enum import Enum

from procedures_kb.parsing import LEAD_IN
from procedures_kb.store import Document


class RowKind(Enum):
    PAPER = "paper"  # something to hand in: numbered, with its copy counts
    LEAD_IN = "lead_in"  # introduces the rows after it ("… các giấy tờ sau:")
    NOTE = "note"  # an explanation or rule: never numbered, never counted


_DISPLAY_MARKER = re.compile(
    r"^(?:[-+•*\s]|\d+(?:\.\d+)*[.)](?=\s))+"
)  # bullets and "2.1." numbers that clash with ours
_NOTE_LABEL = re.compile(r"^(?:lưu ý|chú ý|ghi chú)\s*[:：]?[-+•*\s]*", re.IGNORECASE)


def row_kind(row: Document) -> RowKind:
    """Paper, lead-in or note. Whether a row is a paper is read from its text once, at import
    (`is_note`, `procedures_kb.parsing`); a note that ends on ":" introduces the rows after it."""
    if not row["is_note"]:
        return RowKind.PAPER
    return (
        RowKind.LEAD_IN
        if row["name"].rstrip().endswith(":") or LEAD_IN.search(row["name"])
        else RowKind.NOTE
    )


def without_bullets(text: str) -> str:
    """The text without the leading "- ", "+ ", "* " the portal puts before list items."""
    return _DISPLAY_MARKER.sub("", text) or text


def display_name(row: Document) -> str:
    """The row's text without leading bullets; a note also without its own "Lưu ý:" label."""
    name = without_bullets(row["name"])
    return (_NOTE_LABEL.sub("", name) or name) if row_kind(row) is RowKind.NOTE else name
