"""Parsers for the flattened tables of the national catalogue's procedure pages.

The portal's crawl glued table cells together without separators ("Trực tuyến7 Ngày làm
việc10,000 Việt Nam Đồng(...)"), so each parser below rebuilds the cells from what is
known of the layout. Where the layout leaves a real ambiguity, the parser picks the most
likely reading and records a `problem` so the importer can report it; it never drops text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from procedures_kb.text import fold, normalize

NO_INFO = "Không có thông tin"
CHANNELS = ("Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính")
METHODS_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
DOCUMENTS_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
TIME_UNITS = ("Ngày làm việc", "Ngày", "Giờ", "Tháng", "Năm", "Tuần", "Phút")
CURRENCIES = ("Việt Nam Đồng", "VNĐ", "Đồng", "USD", "EUR")
FREE = "Miễn phí"


@dataclass
class Problems:
    """Problems met while parsing one record: problem name → short excerpts."""

    found: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, excerpt: str) -> None:
        self.found.setdefault(kind, []).append(excerpt[:120])


def clean(text: Optional[str]) -> str:
    """Normalised text, with the portal's "Không có thông tin" turned into ""."""
    text = normalize(text or "")
    return "" if text == NO_INFO else text


def split_top_level(text: str, starts: re.Pattern[str]) -> list[str]:
    """Split `text` before every match of `starts` that is not inside parentheses."""
    pieces, depth, last = [], 0, 0
    boundaries = {m.start() for m in starts.finditer(text)}
    for index, char in enumerate(text):
        if index in boundaries and depth == 0 and index > last:
            pieces.append(text[last:index])
            last = index
        depth += {"(": 1, ")": -1}.get(char, 0)
        depth = max(depth, 0)
    pieces.append(text[last:])
    return [piece for piece in pieces if piece]


def unwrap_parentheses(text: str) -> str:
    """Turn "(a (b)) tail" into "a (b) tail": the portal wraps descriptions in parentheses."""
    text = text.strip()
    if not text.startswith("("):
        return text
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            inner, tail = text[1:index].strip(), text[index + 1 :].strip()
            return f"{inner} {tail}".strip()
    return text[1:].strip()  # unbalanced: the crawl cut the text short


# --- Cách thức thực hiện: channel, time, fee, description -------------------------------

# A row starts with a channel name glued to the previous cell and to its time cell;
# the same words inside a description have spaces or a colon around them.
_ROW_START = re.compile(rf"(?<!\s)(?:{'|'.join(CHANNELS)})(?=\d|[A-ZĐ])")
_TIME_UNIT = re.compile(rf" ?(?:{'|'.join(TIME_UNITS)})")
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_FEE = re.compile(rf"({_NUMBER}) ?({'|'.join(CURRENCIES)})")


@dataclass(frozen=True)
class _Reading:
    time_text: str
    time_value: Optional[float]
    time_unit: Optional[str]
    rest: str


def _number(text: str) -> float:
    value = float(text.replace(",", ""))
    return int(value) if value.is_integer() else value


def _time_readings(body: str) -> list[_Reading]:
    """Every way the start of `body` can be read as a processing time.

    With a unit ("7 Ngày làm việc") there is one reading. A bare number followed by a
    numeric fee ("120 VNĐ") is ambiguous: "1" + "20 VNĐ" or "12" + "0 VNĐ".
    """
    if body.startswith(NO_INFO):
        return [_Reading(NO_INFO, None, None, body[len(NO_INFO) :])]
    digits = re.match(r"\d+(?:\.\d+)?", body)
    if not digits:
        return _worded_time(body)
    unit = _TIME_UNIT.match(body, digits.end())
    if unit:
        text = body[: unit.end()]
        return [_Reading(text, _number(digits.group()), unit.group().strip().lower(), body[unit.end() :])]
    readings = [_Reading(digits.group(), _number(digits.group()), None, body[digits.end() :])]
    for cut in range(1, len(digits.group())):
        if body[cut] != "0" or not body[cut + 1 : cut + 2].isdigit():
            readings.append(_Reading(body[:cut], _number(body[:cut]), None, body[cut:]))
    return readings


def _worded_time(body: str) -> list[_Reading]:
    """A time written in words ("Không phải trả kết quả...") runs up to the fee cell."""
    fee_start = re.search(rf"{FREE}|{NO_INFO}|{_FEE.pattern}", body)
    if not fee_start or fee_start.start() == 0:
        return []
    return [_Reading(body[: fee_start.start()].strip(), None, None, body[fee_start.start() :])]


def _fee(rest: str) -> tuple[str, Optional[int], str, bool]:
    """(fee_text, fee_vnd, remaining description, whether a fee cell was recognised)."""
    if rest.startswith(FREE):
        return FREE, 0, rest[len(FREE) :], True
    if rest.startswith(NO_INFO):
        return "", None, rest[len(NO_INFO) :], True
    match = _FEE.match(rest)
    if not match:
        return "", None, rest, False
    amount, currency = match.groups()
    is_vnd = currency != "USD" and currency != "EUR"
    fee_vnd = int(_number(amount)) if is_vnd and "." not in amount else None
    return match.group(), fee_vnd, rest[match.end() :], True


def _choose_reading(readings: list[_Reading], known_times: set[str]) -> tuple[_Reading, bool]:
    """Pick the reading whose fee parses, preferring a time another channel states plainly."""
    parsable = [reading for reading in readings if _fee(reading.rest)[3]] or readings
    for reading in parsable:
        if reading.time_text in known_times:
            return reading, len(parsable) > 1
    return min(parsable, key=lambda reading: len(reading.time_text)), len(parsable) > 1


def parse_methods(raw: str, problems: Problems) -> list[dict[str, Any]]:
    text = normalize(raw)
    if text.startswith(normalize(METHODS_HEADER)):
        text = text[len(normalize(METHODS_HEADER)) :]
    elif text:
        problems.add("methods: missing header", text)
    rows = split_top_level(text, _ROW_START)
    if rows and not rows[0].startswith(CHANNELS):
        problems.add("methods: text before first channel", rows[0])
        rows = rows[1:]
    split = [(row, _time_readings(row[len(_channel_of(row)) :])) for row in rows]
    known_times = {readings[0].time_text for _, readings in split if len(readings) == 1}
    return [_method(row, readings, known_times, problems) for row, readings in split]


def _channel_of(row: str) -> str:
    return next(channel for channel in CHANNELS if row.startswith(channel))


def _method(row: str, readings: list[_Reading], known_times: set[str], problems: Problems) -> dict[str, Any]:
    channel = _channel_of(row)
    if not readings:
        problems.add("methods: unreadable time", row)
        readings = [_Reading("", None, None, row[len(channel) :])]
    reading, ambiguous = _choose_reading(readings, known_times)
    if ambiguous:
        problems.add("methods: bare-number time glued to fee", row)
    fee_text, fee_vnd, description, recognised = _fee(reading.rest)
    if not recognised:
        problems.add("methods: unreadable fee", row)
    time_text = "" if reading.time_text == NO_INFO else reading.time_text
    return {
        "channel": channel,
        "time_text": time_text,
        "time_value": reading.time_value,
        "time_unit": reading.time_unit,
        "fee_text": fee_text,
        "fee_vnd": fee_vnd,
        "note": unwrap_parentheses(description) or None,
    }


# --- Thành phần hồ sơ: groups of document rows ---------------------------------------------

_QUANTITY = re.compile(r"(\d+) bản (chính|sao)(?:,(\d+) bản (chính|sao))?")
_FORM_FILE = re.compile(r"\.(?:docx?|pdf|xlsx?|rar|zip|odt|rtf)(?=$|\S)", re.IGNORECASE)
_NON_GLUE_BEFORE = " (\n"  # a tab is glue: the crawl left it at cell edges


def _is_row_end(text: str, match: re.Match[str]) -> bool:
    """Is this quantity the Số lượng cell closing a row, rather than words inside a name?

    A quantity cell is glued to the name before it ("...NĐ-CP).1 bản chính") and to the
    next row after it. Quantities written inside a name have spaces around them
    ("nộp 02 bản chính tờ khai") or punctuation after them ("01 bản chính;").
    """
    before = text[match.start() - 1] if match.start() else " "
    after = text[match.end() : match.end() + 1]
    if _QUANTITY.match(text, match.end()):
        return False  # "02 bản chính1 bản chính": only the last one is the cell
    glued_before = before not in _NON_GLUE_BEFORE
    glued_after = after == "" or after not in " .;,:)"
    return glued_before or glued_after


def _quantities(text: str, problems: Problems) -> list[re.Match[str]]:
    """Row-closing quantity cells.

    A count glued to the digits of a name ("theo Mẫu số 181 bản chính" = "Mẫu số 18" +
    "1 bản chính") keeps only its last digit: real counts are one digit, or "0N".
    """
    found = []
    for match in _QUANTITY.finditer(text):
        if not _is_row_end(text, match):
            continue
        count = match.group(1)
        if len(count) > 2 or (len(count) == 2 and not count.startswith("0")):
            problems.add("documents: count glued to digits of the name", text[max(0, match.start() - 40) : match.end()])
            match = _QUANTITY.match(text, match.start() + len(count) - 1) or match
        found.append(match)
    return found


def _copies(match: re.Match[str]) -> tuple[int, int]:
    counts = {"chính": 0, "sao": 0}
    counts[match.group(2)] += int(match.group(1))
    if match.group(3):
        counts[match.group(4)] += int(match.group(3))
    return counts["chính"], counts["sao"]


def _group_name(heading: str) -> Optional[str]:
    heading = heading.strip()
    if heading.strip("- ") == "":
        return None
    return re.sub(r"^[*\-+•]\s*", "", heading).rstrip(":").strip() or None


def _split_form(cell: str, problems: Problems) -> tuple[str, Optional[str]]:
    """Separate a trailing template file name ("...;Mẫu số 04.docx") from the name."""
    ends = list(_FORM_FILE.finditer(cell))
    if not ends or ends[-1].end() != len(cell):
        return cell, None
    start = _form_start(cell, ends[0].start())
    if start is None:
        problems.add("documents: form name boundary guessed", cell[-80:])
        start = cell.rfind(" ", 0, ends[0].start()) + 1
    # Several files glued together ("Mau05.docxMau07.docx") stay in one form cell.
    return cell[:start].rstrip(), cell[start:].strip()


_FORM_WINDOW = 120


def _is_glue(before: str, after: str, next_char: str, two_before: str) -> bool:
    """Is the cell edge between `before` and `after` (no space between them)?

    Examples: "NĐ-CP;Mẫu", "Chính phủ)Mẫu", "khoáng sảnMau", "2021Mus", "NĐ-CPMau14", "mẫu1.004286".
    """
    if before.isspace() or after.isspace() or after in ".;,:)":
        return False
    if before in ";)]":
        return True
    if after.isupper() and (before.islower() or before.isdigit()):
        return True
    if before.islower() and two_before.isalpha() and after.isdigit():
        return True
    return before.isupper() and after.isupper() and next_char.islower()


def _form_start(cell: str, extension_at: int) -> Optional[int]:
    """Where the template file name starts: the earliest cell edge close to its extension."""
    for position in range(max(1, extension_at - _FORM_WINDOW), extension_at):
        before, after = cell[position - 1], cell[position]
        if before == "." and after not in ". " and (after.isalpha() or not cell[position - 2].isdigit()):
            return position  # "...quy định.Mẫu số 04.docx", "...NĐ-CP.mẫu 3.docx", "...theo mẫu.1.004372.docx"
        if _is_glue(before, after, cell[position + 1 : position + 2], cell[position - 2 : position - 1]):
            return position
    return None


def parse_documents(raw: str, problems: Problems) -> list[dict[str, Any]]:
    text = normalize_keep_tabs(raw)
    if clean(text) == "":
        return []
    sections = text.split(DOCUMENTS_HEADER)
    if len(sections) == 1:
        problems.add("documents: no table header", text)
        return [_note_row(text, None)]
    rows: list[dict[str, Any]] = []
    heading = sections[0]
    for body in sections[1:]:
        group = _group_name(heading)
        heading = _rows_of_section(body, group, rows, problems)
    if _group_name(heading):
        problems.add("documents: text after last quantity", heading)
        rows.append(_note_row(heading, _group_name(sections[0]) if len(sections) == 2 else None))
    return rows


def normalize_keep_tabs(text: str) -> str:
    """Like normalize(), but keeps tabs: the crawl's tab marks a cell edge in this table."""
    return "\t".join(normalize(part) for part in (text or "").split("\t")).strip()


def _rows_of_section(body: str, group: Optional[str], rows: list[dict[str, Any]], problems: Problems) -> str:
    """Append the section's rows; return the text after its last row (the next heading)."""
    last = 0
    for quantity in _quantities(body, problems):
        cell = body[last : quantity.start()].strip(" \t")
        last = quantity.end()
        original, copies = _copies(quantity)
        name, form = _split_form(cell.replace("\t", " ").strip(), problems)
        if not name:
            problems.add("documents: quantity without a name", body[max(0, quantity.start() - 40) : last])
        rows.append(
            {
                "name": name,
                "form": form,
                "original": original,
                "copies": copies,
                "group": group,
                "is_note": original == 0 and copies == 0,
            }
        )
    return body[last:].replace("\t", " ").strip()


def _note_row(text: str, group: Optional[str]) -> dict[str, Any]:
    return {"name": normalize(text), "form": None, "original": 0, "copies": 0, "group": group, "is_note": True}


# --- Căn cứ pháp lý: title + number rows -----------------------------------------------------

_LEGAL_NUMBER = re.compile(
    r"\d+(?:\.\d+)?/\d{4}/(?:QĐ-TTg|[A-ZĐÐ0-9]+(?:-[A-ZĐÐ0-9]+)*)"
    r"|\d+/[A-ZĐÐ]+\d*(?:-[A-ZĐÐ]+)*\b"
)


def parse_legal_basis(raw: str, problems: Problems) -> list[dict[str, str]]:
    text = clean(raw)
    if text.startswith(LEGAL_HEADER):
        text = text[len(LEGAL_HEADER) :]
    if not text:
        return []
    rows, last = [], 0
    for match in _LEGAL_NUMBER.finditer(text):
        end = _legal_number_end(text, match)
        if end is None:
            continue
        title = text[last:match.start()].strip()
        rows.append({"number": text[match.start() : end], "title": title or text[match.start() : end]})
        last = end
    if text[last:].strip():
        tail = text[last:].strip()
        problems.add("legal basis: title without a number", tail)
        rows.append({"number": "", "title": tail})
    return rows


# Words that start a legal document's title: where a number is glued to one of them
# ("NQ-CPThông tư"), the number closes a row.
_TITLE_STARTS = ("luat", "nghi", "thong", "quyet", "van ", "chi thi", "phap", "bo ", "hien", "lenh", "sua", "cong",
                 "huong", "quy ", "ke ", "dieu", "hiep", "nghi quyet", "ban ")


def _starts_title(text: str) -> bool:
    return text[:1].isupper() and fold(text[:10]).startswith(_TITLE_STARTS)


def _legal_number_end(text: str, match: re.Match[str]) -> Optional[int]:
    """End of a number that closes a row (followed by the next title or the end), else None.

    The regex may have eaten the capital letter that starts the next title
    ("NQ-CPThông tư"): give that letter back when a title starts there.
    """
    end = match.end()
    if end == len(text) or _starts_title(text[end:]):
        return end
    if end - 1 > match.start() and _starts_title(text[end - 1 :]):
        return end - 1
    if text[end].isupper() and not text[end - 1].isupper():
        return end  # "...47/2019/TT-BTC" then "Thông thư ..." (a typo the list misses)
    return None


# --- Kết quả, trình tự and the other free-text fields ------------------------------------

_RESULT_CODE = re.compile(r"Mã: ?KQ[A-Z0-9.]*\d")
_PORTAL_TAIL = re.compile(r"Từ khóa.*$", re.DOTALL)


def parse_results(raw: str, problems: Problems) -> list[str]:
    """Result paper names; the crawl appended the page's search widget after them."""
    text = _PORTAL_TAIL.sub("", normalize(raw or ""))
    if clean(text) == "":
        return []
    names, last = [], 0
    for match in _RESULT_CODE.finditer(text):
        name = text[last : match.start()].strip()
        if name:
            names.append(name)
        last = match.end()
    if text[last:].strip():
        if last:
            problems.add("result: text after last code", text[last:])
        names.append(text[last:].strip())
    return names


def parse_steps(raw: str) -> list[str]:
    """Steps, one per line of the portal text, normalised and without empty lines."""
    lines = re.split(r"[\r\n]+", raw or "")
    return [line for line in (clean(line) for line in lines) if line]


def split_list(raw: str) -> list[str]:
    """"Cấp bộ, Cấp tỉnh" → ["Cấp bộ", "Cấp tỉnh"]; commas inside parentheses are kept."""
    text = clean(raw)
    parts = split_top_level(text, re.compile(r"(?<=,) "))
    return [part.strip().rstrip(",").strip() for part in parts if part.strip(" ,")]
