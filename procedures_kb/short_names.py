"""Short, citizen-facing procedure names (at most 80 characters) derived from the catalogue name.

Answers open with the asked fact and name the procedure at the end; the official name can
run to 585 characters, so the answer shows this short form and offers the full name on a
button. The short form never adds words: it is the official name without "Thủ tục", cut
after a whole clause where one ends early enough ("… đối với …", "… trong trường hợp …",
"(…)"), or at a word with "…" when no clause does.
"""

from __future__ import annotations

import re

from procedures_kb.store import Record

MAX_SHORT_NAME_CHARS = 80
MIN_SHORT_NAME_CHARS = 20  # a cut leaving less than this says too little: cut later, at a word
_PREFIX = re.compile(r"^thủ tục\s+", re.IGNORECASE)
# Where a qualifying clause starts: the name before it still names the procedure.
_CLAUSE_START = re.compile(
    r"\s+(?:\(|đối với\b|trong trường hợp\b|trường hợp\b|theo\b|tại\b|do\b|của\b|cho\b|thuộc\b|trong\b|từ\b|khi\b)|\s*[,;:–-]\s+",
    re.IGNORECASE,
)


def short_name(record: Record) -> str:
    """The name as a citizen would say it, ≤ MAX_SHORT_NAME_CHARS characters."""
    name = _PREFIX.sub("", record["name"]).strip()
    name = name[:1].upper() + name[1:]
    if len(name) <= MAX_SHORT_NAME_CHARS:
        return name
    cuts = [
        match.start()
        for match in _CLAUSE_START.finditer(name)
        if MIN_SHORT_NAME_CHARS <= match.start() <= MAX_SHORT_NAME_CHARS
        and name[: match.start()].count("(")
        == name[: match.start()].count(")")  # never inside brackets
    ]
    if cuts:
        return name[: cuts[-1]].rstrip(" ,;:")
    return name[: MAX_SHORT_NAME_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def head_name(record: Record) -> str:
    """What the procedure is about, without its verb and qualifiers: "thẻ căn cước" for "Cấp thẻ
    căn cước cho người từ đủ 14 tuổi trở lên". A question naming these words names the procedure."""
    name = _PREFIX.sub("", record["name"]).strip()
    first_clause = _CLAUSE_START.search(name)
    head = name[: first_clause.start()] if first_clause else name
    return head.split(" ", 1)[1] if " " in head else head
