"""Parsers for the flattened tables of the national catalogue's procedure pages.

The portal's crawl glued table cells together without separators ("Trực tuyến7 Ngày làm
việc10,000 Việt Nam Đồng(...)"), so each parser below rebuilds the cells from what is
known of the layout. Where the layout leaves a real ambiguity, the parser picks the most
likely reading and records a `problem` so the importer can report it; it never drops text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from vntext import fold, normalize

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


# Bullets typed in a symbol font (U+F0FC check mark, U+F0A7 square, U+F0D8 arrow) are
# private-use code points: no font shows them. The importer writes every one as "•".
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
BULLET = "•"
_LEADING_BULLET = re.compile(r"^[-+*•]+\s*")


def _matched(pattern: str | re.Pattern[str], text: str, position: int = 0) -> re.Match[str]:
    """`pattern` matched at `position`, where the text is known to fit it (checked before,
    or a pattern that matches the empty string)."""
    match = re.compile(pattern).match(text, position)
    if match is None:
        raise ValueError(
            f"{pattern!r} does not match at {position}: {text[position : position + 40]!r}"
        )
    return match


def normalize_raw(text: str | None) -> str:
    """normalize() for raw portal text, with private-use bullet glyphs written as "•"."""
    return normalize(_PRIVATE_USE.sub(BULLET, text or ""))


def clean(text: str | None) -> str:
    """Normalised text, with the portal's "Không có thông tin" turned into ""."""
    text = normalize_raw(text)
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

# A row starts with a channel name followed by its time cell: a number, "Không có
# thông tin", or (glued to the name) a time written in words. The channel name may follow
# anything: the end of the previous description, a space, a line break, or free text
# ("…nộp hồ sơ Dịch vụ bưu chính5 Ngày"). A candidate is a row only if a time and a fee
# cell can be read after it (see `_is_row_start`), so the same words inside a
# description ("Trực tiếp nộp hồ sơ", "Trực tuyến: 7 ngày") are never taken for a row.
_ROW_CANDIDATE = re.compile(rf"(?:{'|'.join(CHANNELS)})(?=\s*\d|\s*{NO_INFO}|[A-ZĐ])")
_TIME_UNIT = re.compile(rf" ?(?:{'|'.join(TIME_UNITS)})")
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_FEE = re.compile(rf"({_NUMBER}) ?({'|'.join(CURRENCIES)})")


@dataclass(frozen=True)
class _Reading:
    time_text: str
    time_value: float | None
    time_unit: str | None
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
        return [
            _Reading(
                text, _number(digits.group()), unit.group().strip().lower(), body[unit.end() :]
            )
        ]
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


def _fee(rest: str) -> tuple[str, int | None, str, bool]:
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
    text = normalize_raw(raw)
    if text.startswith(normalize(METHODS_HEADER)):
        text = text[len(normalize(METHODS_HEADER)) :]
    elif text:
        problems.add("methods: missing header", text)
    rows = _method_rows(text, problems)
    if rows and not rows[0].startswith(CHANNELS):
        problems.add("methods: text before first channel", rows[0])
        rows = rows[1:]
    split = [(row, _time_readings(_cell_after_channel(row))) for row in rows]
    known_times = {readings[0].time_text for _, readings in split if len(readings) == 1}
    return [_method(row, readings, known_times, problems) for row, readings in split]


def _method_rows(text: str, problems: Problems) -> list[str]:
    """Cut the table at every row start, whatever the parentheses around it.

    Parentheses are not trusted: a note that opens "(" and never closes it would
    otherwise swallow every later row.
    """
    starts = []
    for match in _ROW_CANDIDATE.finditer(text):
        if _is_row_start(text[match.start() :]):
            starts.append(match.start())
        elif _cell_after_channel(text[match.start() :])[:1].isdigit():
            problems.add(
                "methods: channel and time with no fee cell, kept in the note",
                text[match.start() :],
            )
    bounds = [0, *starts, len(text)]
    pieces = (text[begin:end].strip() for begin, end in zip(bounds, bounds[1:], strict=False))
    return [piece for piece in pieces if piece]


def _cell_after_channel(row: str) -> str:
    """The row without its channel name; a number or "Không có thông tin" may follow after spaces."""
    rest = row[len(_channel_of(row)) :]
    stripped = rest.lstrip()
    return stripped if stripped[:1].isdigit() or stripped.startswith(NO_INFO) else rest


def _is_row_start(text: str) -> bool:
    """Does `text` (starting with a channel name) read as channel, time and fee cells?"""
    rest = _cell_after_channel(text)
    return not rest[:1].isspace() and any(_fee(reading.rest)[3] for reading in _time_readings(rest))


def _channel_of(row: str) -> str:
    return next(channel for channel in CHANNELS if row.startswith(channel))


def _method(
    row: str, readings: list[_Reading], known_times: set[str], problems: Problems
) -> dict[str, Any]:
    channel = _channel_of(row)
    if not readings:
        problems.add("methods: unreadable time", row)
        readings = [_Reading("", None, None, _cell_after_channel(row))]
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
            problems.add(
                "documents: count glued to digits of the name",
                text[max(0, match.start() - 40) : match.end()],
            )
            match = _QUANTITY.match(text, match.start() + len(count) - 1) or match
        found.append(match)
    return found


def _copies(match: re.Match[str]) -> tuple[int, int]:
    counts = {"chính": 0, "sao": 0}
    counts[match.group(2)] += int(match.group(1))
    if match.group(3):
        counts[match.group(4)] += int(match.group(3))
    return counts["chính"], counts["sao"]


def _group_name(heading: str) -> str | None:
    heading = heading.strip()
    if heading.strip("- ") == "":
        return None
    return _LEADING_BULLET.sub("", heading).rstrip(":").strip() or None


def _split_form(cell: str, problems: Problems) -> tuple[str, str | None]:
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
    if before in ';)]”"':
        return True
    if (
        before == ","
        and (two_before.isalpha() or two_before == ")")
        and (after.isupper() or after.isdigit())
    ):
        return True  # "…bổ sung),PL 01 TT 62.docx", "…THƯỜNG TRÚ,33-Mẫu số 02.doc"
    if after.isupper() and (before.islower() or before.isdigit()):
        return True
    if before.islower() and two_before.isalpha() and after.isdigit():
        return True
    return before.isupper() and after.isupper() and next_char.islower()


# Words a template's file name starts with; glued to the last word of the paper's name
# they mark the cell edge ("theo quy địnhvăn bản đề nghị.docx", "thời hạnmau so 20.doc").
_FORM_NAME_START = re.compile(
    r"(?:(?:mẫu|văn bản|van ban|đơn|don|tờ khai|tờ trình|bản khai|báo cáo|phương án|phụ lục|phu luc|BC)(?![^\W\d_])|mau)",
    re.IGNORECASE,
)


def _form_start(cell: str, extension_at: int) -> int | None:
    """Where the template file name starts: the earliest cell edge close to its extension."""
    window_start = max(1, extension_at - _FORM_WINDOW)
    numbers = [number for number in _legal_numbers(cell[:extension_at]) if number.has_symbol]
    inside_numbers = {
        position for number in numbers for position in range(number.start + 1, number.end)
    }
    after_numbers = {number.end for number in numbers if _glued_after(cell, number.end)}
    for position in range(window_start, extension_at):
        if position in after_numbers:
            return position  # "…Thông tư số 80/2021/TT-BTC01-LP.docx", "…NĐ-CPmau so 09.docx"
        if position not in inside_numbers and _is_form_edge(cell, position):
            return position
    return None


def _glued_after(cell: str, position: int) -> bool:
    following = cell[position : position + 1]
    return bool(following) and not following.isspace() and following not in ".,;:)"


def _is_form_edge(cell: str, position: int) -> bool:
    before, after = cell[position - 1], cell[position]
    two_before = cell[position - 2 : position - 1]
    if before == ".":
        return _is_edge_after_full_stop(cell, position)
    if _is_glue(before, after, cell[position + 1 : position + 2], two_before):
        return True
    return (
        before.isalpha() and two_before.isalpha() and bool(_FORM_NAME_START.match(cell, position))
    )


def _is_edge_after_full_stop(cell: str, position: int) -> bool:
    """ "…quy định.Mẫu số 04.docx", "…NĐ-CP.mẫu 3.docx", "…(mẫu TB2).71-Mẫu…", "…theo mẫu.1.004372.docx";
    not a number's own dot: "Mẫu số 05.NT", "Mẫu số 10.QLT", "Phụ lục I.9"."""
    after, two_before = cell[position], cell[position - 2 : position - 1]
    if after.isdigit():
        roman_numeral = two_before.isupper() and not cell[position - 3 : position - 2].isalpha()
        return not (two_before.isdigit() or roman_numeral)
    if not after.isalpha():
        return False
    short_number = re.search(r"(?<!\d)\d{1,2}$", cell[: position - 1])
    return not (short_number and after.isupper() and cell[position + 1 : position + 2].isupper())


def parse_documents(raw: str, problems: Problems) -> list[dict[str, Any]]:
    text = normalize_keep_tabs(raw)
    if clean(text) == "" or not re.search(r"\w", text):
        return []  # "--": an empty table
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
    return "\t".join(normalize_raw(part) for part in (text or "").split("\t")).strip()


def _rows_of_section(
    body: str, group: str | None, rows: list[dict[str, Any]], problems: Problems
) -> str:
    """Append the section's rows; return the text after its last row (the next heading)."""
    last = 0
    for quantity in _quantities(body, problems):
        cell = body[last : quantity.start()].strip(" \t")
        last = quantity.end()
        original, copies = _copies(quantity)
        name, form = _split_form(cell.replace("\t", " ").strip(), problems)
        name = name.removeprefix(BULLET).lstrip()  # a row is already a list item
        if not name:
            problems.add(
                "documents: quantity without a name", body[max(0, quantity.start() - 40) : last]
            )
        rows.append(
            {
                "name": name,
                "form": form,
                "original": original,
                "copies": copies,
                "group": group,
                "is_note": _is_note(name, original, copies, group),
            }
        )
    return body[last:].replace("\t", " ").strip()


# A row that introduces a list ("…hồ sơ bao gồm:", "…nộp giấy tờ tương ứng sau đây:") is no paper,
# whatever its quantity cell says; a row whose quantity cell says 0 but whose name states the
# copies ("Tờ khai hải quan: 02 bản chính;") is a paper.
LEAD_IN = re.compile(
    r"(?:bao gồm|gồm|sau đây|như sau)\s*:?\s*$|\bphải (?:nộp|xuất trình)\b[^.;:]*:\s*$"
)
_COPIES_IN_NAME = re.compile(r"\b0?\d+ bản\b")
_NOTE_START = re.compile(r"^[-+*•\s]*(?:Ghi chú|Lưu ý|Chú ý)\b", re.IGNORECASE)
# A row that says what need not be submitted, or how long papers stay valid, is no paper:
# "Trường hợp … thì không phải nộp …", "Thủ tục … không yêu cầu bắt buộc xuất trình …",
# "Không cần …", "Giá trị sử dụng của giấy tờ …".
_LIST_MARKS = re.compile(r"^(?:[-+*•]+\s*|[a-zđ](?:\.\d+)*\)\s*|\d+(?:\.\d+)*[.)/]\s*)+")
_EXEMPTION = re.compile(
    r"(?:Đối với )?[Tt]rường hợp\b(?:[^.;]|(?<=\d)\.(?=\d))*?\bthì (?:[^\s.;]+ ){0,8}?không (?:cần|phải) (?:nộp|cung cấp|xuất trình|có)"
    r"|Thủ tục\b[^.;]*?\bkhông yêu cầu"
    r"|Không cần\b|Không phải nộp\b|Giá trị sử dụng\b"
)


# An uncounted row is still a paper when it names one ("a) Tờ khai hàng hóa xuất khẩu;") and
# states no rule about papers ("… phải được hợp pháp hóa"). List markers before the text
# (folded): "- ", "+ ", "* ", "a) ", "(ii) ", "3.2. ".
_FOLDED_LIST_MARKER = re.compile(r"^[\W_]*(?:(?:[a-zđ]\d?|[ivx]+|\d+(?:\.\d+)*)[).:]\s*)*[\W_]*")
# Nouns that name a paper (folded), optionally after "một trong các loại", "những", a count.
_PAPER = (
    r"(?:(?:mot trong|mot so|cac|nhung|loai|mot|hai|\d+|\(\w+\))\s+)*(?:ban|don|to khai|to trinh|giay|van ban|van bang|hop dong|"
    r"quyet dinh|bao cao|tai lieu|chung tu|chung chi|chung thu|hoa don|bien ban|phieu|danh sach|danh muc|phuong an|"
    r"de an|du thao|du an|ke hoach|cong van|cong ham|thong bao|nghi quyet|dieu le|phu luc|ho chieu|the|trich luc|"
    r"mau|bang|so (?:do|ho khau|ho tich|tay|dang ky|theo doi|ata|nhat ky|bao hiem)|anh|thuyet minh|cam ket|ho so|ly lich|"
    r"hinh anh|chung nhan|thoa thuan|quy che|quy trinh|xac nhan|nhan xet|du toan)\b"
)
_STARTS_WITH_PAPER = re.compile(_PAPER)
# Rules about papers rather than papers: "… phải được hợp pháp hóa", "… chỉ áp dụng đối với …".
_RULE = re.compile(
    r"\b(phai duoc|phai bao dam|co trach nhiem|chiu trach nhiem|khong phai|duoc xac dinh|ap dung|"
    r"duoc nop sau|duoc tao lap|la ban sao|phai nop truoc)\b"
)
# Whatever its quantity cell says, a row that states how the procedure is done and asks for no
# paper of its own is an explanation: "… thì việc ủy quyền thực hiện theo quy định tại …", "Hồ sơ
# … trên môi trường điện tử có giá trị pháp lý tương đương …", "Người ủy quyền … chịu trách
# nhiệm trước pháp luật …", "… thì phải có đầy đủ chữ ký, con dấu …", "… tải bản điện tử các
# giấy tờ nêu trên", "… phải nộp bản sao được chứng thực hoặc bản sao y bản chính (…)", a law
# quoted ("… theo quy định tại điểm c khoản 1 Điều 216 Luật Doanh nghiệp “…”"). Folded.
_EXPLAINS = re.compile(
    r"\b(?:thuc hien theo quy dinh|chiu trach nhiem truoc phap luat|phai co day du chu ky|cac giay to neu tren"
    r"|dieu \d+ [^“.;]{0,40}“|nop ban sao (?:duoc |co )?chung thuc hoac ban sao y ban chinh\s*(?:\(|$))"
)
# What a file is worth, like "Giá trị sử dụng của giấy tờ …", is a note even about "Hồ sơ …".
_FILE_VALIDITY = re.compile(r"\bco gia tri phap ly tuong duong ho so\b")
# A paper asked for: a verb of handing in followed by a paper ("… thì nộp văn bản thỏa thuận …"),
# or a case followed by its paper ("Đối với tổ chức tôn giáo: Quyết định công nhận …"). Folded.
_ASKS_FOR = re.compile(
    r"(?:\b(?:nop|xuat trinh|kem(?: theo)?|gui kem|cung cap|bo sung|phai co|co them)(?: them| lai)?|:)\s*[-+*•]?\s*"
    r"(?!ban sao (?:duoc |co )?chung thuc (?:hoac|cac)|cac giay to\b|ho so\b|thanh phan ho so\b)"
    + _PAPER
)
# A row may go on from the paper before it ("hoặc bản khai cá nhân …").
_CONTINUES = re.compile(r"^(?:hoac|va|kem theo)\s+")


def _folded_words(name: str) -> str:
    """The row's text folded, without its list marker: what the wording rules read."""
    return _FOLDED_LIST_MARKER.sub("", fold(name), count=1)


def _names_a_paper(name: str) -> bool:
    text = _folded_words(name)
    return bool(_STARTS_WITH_PAPER.match(text)) and not _RULE.search(text)


def _explains(name: str) -> bool:
    """Does a row state how the procedure is done or what the file is worth, asking for no paper?"""
    text = _CONTINUES.sub("", _folded_words(name))
    if _ASKS_FOR.search(text):
        return False
    return bool(_FILE_VALIDITY.search(text)) or (
        not _STARTS_WITH_PAPER.match(text) and bool(_EXPLAINS.search(text))
    )


_CASE_OPENING = re.compile(
    r"(?:truong hop|trong truong hop|doi voi|tuy|ngoai|neu|khi|thanh phan ho so)\b"
)


def _heads_a_case(name: str) -> bool:
    """ "Đối với doanh nghiệp bảo hiểm:", "Trường hợp thuê nhà ở xã hội:": a case opened by its
    own row, whose papers are the rows after it (the portal still gives it a copy count)."""
    text = _folded_words(name)
    return name.rstrip().endswith(":") and bool(_CASE_OPENING.match(text))


def _is_note(name: str, original: int, copies: int, group: str | None) -> bool:
    """Is a row an explanation rather than a paper? Its text decides, then its section ("Lưu ý"),
    then its quantity cell."""
    if (
        LEAD_IN.search(name)
        or _NOTE_START.match(name)
        or _EXEMPTION.match(_LIST_MARKS.sub("", name))
    ):
        return True
    if _explains(name) or _heads_a_case(name):
        return True
    if group and _NOTE_START.match(group):
        return True
    return (
        original == 0
        and copies == 0
        and not _COPIES_IN_NAME.search(name)
        and not _names_a_paper(name)
    )


def _note_row(text: str, group: str | None) -> dict[str, Any]:
    return {
        "name": normalize(text),
        "form": None,
        "original": 0,
        "copies": 0,
        "group": group,
        "is_note": True,
    }


# --- Căn cứ pháp lý: title + number rows -----------------------------------------------------
#
# Each row is a title cell then a "Mã văn bản" cell, glued to the next row. The number cell
# is a number like 123/2015/NĐ-CP, 601/QĐ-BTC or 80/2015/QH13, sometimes behind a label
# ("Luật số 32/2024/QH15", "Thông tư 31/2015/TT-BCA"). Titles contain numbers too
# ("Luật 51/2019/QH14" + "51/2019/QH14"), may end with a year glued to the number
# ("sửa đổi 2023" + "23/2023/QH15") and the next title may start in lower case, in capitals
# or without its first letter ("hông tư số 06/2025…").

# Symbol parts the catalogue uses (type of document, issuing body). They resolve a symbol
# glued to a capitalised title: "NĐ-CPQUY ĐỊNH" is NĐ-CP + "QUY ĐỊNH".
_SYMBOL_PARTS = frozenset(
    "NĐ ND NQ QĐ TT TTLT PL L CT VBHN CP TTg BTC BTP BCA BNNMT NHNN BGTVT BXD BTNMT BNNPTNT BHXH BKHĐT UBND "
    "BLĐTBXH HĐND BKHCN VPCP BQP BNV BYT BCT BVHTTDL CSXH BTTTT BNG VPQH TANDTC VKSNDTC CTN BGDĐT BNN BKH "
    "TCHQ TCT BTM BCN BTS BVHTT UBTVQH QH NQLT UBTƯMTTQVN HĐTP".split()
)
_DOCUMENT_TYPES = (
    "Bộ luật",
    "Luật",
    "Nghị định",
    "Nghị quyết",
    "Thông tư liên tịch",
    "Thông tư",
    "Quyết định",
    "Pháp lệnh",
    "Chỉ thị",
    "Văn bản hợp nhất",
    "Lệnh",
    "Hiến pháp",
)
_TYPE = "|".join(_DOCUMENT_TYPES)
# A number cell's label before the number: "Luật số ", "Thông tư ", "số ".
_TYPE_ABBREVIATIONS = "TT|NĐ|QĐ|NQ"  # "…Bộ Tài chính.TT43/2023/TT-BTC"
_LABEL_AT_END = re.compile(
    rf"(?:(?P<type>{_TYPE})\s*|(?-i:{_TYPE_ABBREVIATIONS}))?(?:(?P<so>số)\s*)?$", re.IGNORECASE
)
_LABEL_AT_START = re.compile(
    rf"(?:(?:{_TYPE})\s*|(?-i:{_TYPE_ABBREVIATIONS}))?(?:số\s*)?", re.IGNORECASE
)
# The crawl glued the page's next section to a few legal-basis tables.
LEGAL_PORTAL_TAIL = re.compile(r"Cơ quan thực hiện.*$", re.DOTALL)
_TITLE_CONTINUES = re.compile(r"(?:ngày|của|năm) ")
_DASH_BEFORE_TITLE = re.compile(r"- [A-ZĐ]")  # "…NĐ-CP- Luật…"; " - " continues a title
_NEXT_TITLE_AFTER_SPACE = re.compile(rf" (?:{_TYPE})\b")
_NAMED_NUMBER = re.compile(rf"(?:{_TYPE})\s*(?:số\s*)?(?=\d)", re.IGNORECASE)
_NUMBER_START = re.compile(r"\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d\d")
_CAPITALS = "A-ZĐÐƯƠÂÊÔĂ"
# Between symbol parts: "-", also " - ", "/" and "_" typed by mistake ("198/2016/TT/BTC").
_HYPHEN = re.compile(r" ?[-/_] ?")
_SYMBOL_PART = rf"(?:TTg|[{_CAPITALS}]+(?<=QH)\d{{1,2}}|[{_CAPITALS}]+)"
# number[.sub]/[year/]symbol: 123/2015/NĐ-CP, 66.7/2025/NQ-CP, 80/2015/QH13, 1025/QĐ-BCA.
WELL_FORMED_LEGAL_NUMBER = re.compile(
    rf"\d{{1,4}}(?:\.\d{{1,2}})?/(?:(?:19[4-9]\d|20[0-2]\d)/)?{_SYMBOL_PART}(?:-{_SYMBOL_PART})*"
)


def is_well_formed_legal_number(number: str) -> bool:
    """number/year/symbol with every symbol part one the catalogue's documents use (not "NĐ-C")."""
    if not WELL_FORMED_LEGAL_NUMBER.fullmatch(number):
        return False
    symbol = re.sub(r"^[\d.]+/(?:\d{4}/)?", "", number)
    return all(
        part in _SYMBOL_PARTS or re.fullmatch(r"(?:UBTV)?QH\d{1,2}", part)
        for part in symbol.split("-")
    )


@dataclass(frozen=True)
class _LegalNumber:
    start: int
    end: int
    number: str
    has_symbol: bool


def _capitals_end(text: str, position: int) -> int:
    """End of the run of capital letters (any Vietnamese capital: "SỬA", "ĐỊNH") at `position`."""
    end = position
    while end < len(text) and text[end].isalpha() and text[end].isupper():
        end += 1
    return end


def _symbol_part_end(text: str, position: int) -> int:
    """End of one symbol part starting at `position` ("CP", "TTg", "QH14"), or `position` if none."""
    if text.startswith("TTg", position):
        return position + 3
    run_end = _capitals_end(text, position)
    letters = text[position:run_end]
    if not letters:
        return position
    if letters.endswith("QH"):
        digits = re.match(r"\d{1,2}", text[run_end:])
        keep = (
            digits.group()
            if digits and 10 <= int(digits.group()) <= 16
            else (digits.group()[:1] if digits else "")
        )
        return run_end + len(keep)
    if letters in _SYMBOL_PARTS:
        return run_end
    # The rest of the run must start a word: "BNNMTMẫu", "CPQUY ĐỊNH", "BCASỬA ĐỔI",
    # "CPBC tom tat.docx"; not "BNNMTT ngày" (a typo).
    word_follows = text[run_end : run_end + 1].islower()
    known = [
        length
        for length in range(len(letters) - 1, 0, -1)
        if letters[:length] in _SYMBOL_PARTS
        and (
            word_follows
            or re.search("[aeiouy]", fold(letters[length:]))
            or _FORM_NAME_START.match(text, position + length)
        )
    ]
    if known and text[run_end : run_end + 1] not in "-/_":
        return (
            position + known[0]
        )  # "CPQUY ĐỊNH", "BTCQuy định": the next title starts inside the run
    if word_follows and len(letters) > 1:
        return run_end - 1  # an unknown part glued to a capitalised word: give its capital back
    return run_end


def _symbol_end(text: str, position: int) -> int:
    end = _symbol_part_end(text, position)
    while end > position:
        hyphen = _HYPHEN.match(text, end)
        if not hyphen:
            break
        part_end = _symbol_part_end(text, hyphen.end())
        part = text[hyphen.end() : part_end]
        starts_word = text[part_end : part_end + 1].islower()
        known = part in _SYMBOL_PARTS or part.startswith(("QH", "UBTVQH"))
        if not part or (starts_word and (not known or len(part) == 1)):
            break  # "…QH15 - Luật…", "…NĐ-CP-Quy định…": the next title, not a symbol part
        end = part_end
    return end


def _without_glued_year(text: str, start: int) -> int:
    """Where the number really starts when a year is glued before it.

    "sửa đổi 2023" + "23/2023/QH15" reads "202323/2023/QH15"; "ngày 15/5/2026." +
    "55/2026/TT-BTC" reads "2026.55/2026/TT-BTC".
    """
    digits = re.match(r"(\d+)(\.\d+)?", text[start:])
    assert digits is not None  # the caller found a digit at `start`
    whole = digits.group(1)
    if len(whole) >= 5 and _YEAR.match(whole):
        return start + 4
    if digits.group(2) and _YEAR.fullmatch(whole) and re.search(r"\d/$", text[:start]):
        return start + 5
    return start


def _legal_number_at(text: str, start: int) -> _LegalNumber | None:
    """The number starting at `start` ("123/2015/NĐ-CP", "601/QĐ-BTC"), or a cell cut short ("24/2024", "58")."""
    start = _without_glued_year(text, start)
    digits = _matched(r"\d+(?:\.\d+)?", text[start:]).group()
    if text[start + len(digits) : start + len(digits) + 1] != "/":
        return (
            _LegalNumber(start, start + len(digits), digits, False)
            if _is_cut_cell(text, start, digits)
            else None
        )
    position = start + len(digits) + 1
    year = _YEAR.match(text, position)
    if year and text[year.end() : year.end() + 1] == "/":
        position = year.end() + 1
    elif year and not text[year.end() : year.end() + 1].isdigit():
        if re.search(r"\d/$", text[:start]):
            return None  # the end of a date: "ngày 04/5/2020"
        return _LegalNumber(start, year.end(), text[start : year.end()], False)
    end = _symbol_end(text, position)
    if end == position:
        return None
    return _LegalNumber(start, end, text[start:end], True)


def _is_cut_cell(text: str, start: int, digits: str) -> bool:
    """Digits alone, glued between a title and the next one: a number cell the crawl cut short.

    "…Đầu tư côngLuật số 58Thực hiện…", "…ngày 28/4/2022" + "25" + "Thông tư…".
    """
    after = text[start + len(digits) :]
    before = text[:start]
    ends_cell = after == "" or bool(re.match(r"[A-ZĐ][a-zà-ỹđ]", after))
    glued_before = before[-1:].isalpha() or bool(re.search(r"(?:(?:19|20)\d\d|số )$", before))
    return len(digits) <= 4 and "." not in digits and ends_cell and glued_before


def _legal_numbers(text: str) -> list[_LegalNumber]:
    """The numbers of `text` from left to right; a number's digits never start another one."""
    numbers, position = [], 0
    while match := _NUMBER_START.search(text, position):
        number = _legal_number_at(text, match.start())
        if number:
            numbers.append(number)
        position = number.end if number else match.end()
    return numbers


def _closes_row(text: str, numbers: list[_LegalNumber], index: int, row_start: int) -> bool:
    """Is `numbers[index]` a number cell (the end of a row) rather than a number inside a title?"""
    number = numbers[index]
    after = text[number.end :]
    if not after.strip(" .;,"):
        return True
    following = numbers[index + 1] if index + 1 < len(numbers) else None
    label = _matched(_LABEL_AT_START, after).end()
    if following and following.start == number.end + label:
        if _same_number(number, following):
            return False  # "Luật 51/2019/QH14" + "51/2019/QH14": the title's own number
        if label:
            return True  # "…/QH11" + "Luật 81/2006/QH11": the next row
        # Two numbers glued: the title ends with a number when the second one closes the row
        # ("…bởi Nghị định số 07/2025/NĐ-CP" + "280/2025/NĐ-CP"); else the second one is the
        # next title ("…QH15" + "50/2025/TT-NHNN" + "số 50/2025/TT-NHNN").
        return not _closes_row(text, numbers, index + 1, number.end)
    if _TITLE_CONTINUES.match(after):
        return False  # "53/2025/TT-BCAngày 01/7/2025 của…": a space lost inside the title
    if after[0].isalpha():
        return True  # glued to the next title, whatever its case
    if not number.has_symbol:
        return False
    before = text[number.start - 1 : number.start]
    return (
        (after[0] in ".;" and after[1:2].isalpha())
        or bool(_NEXT_TITLE_AFTER_SPACE.match(after) or _DASH_BEFORE_TITLE.match(after))
        or (
            before.isalpha() or before in ".;)"
        )  # a cell glued to its title: "…NÔNG THÔN34/2018/TT-BNNPTNT"
        or (
            after[0].isspace()
            and before.isspace()
            and text[: number.start].rstrip().endswith((";", ")"))
            and number.number in text[row_start : number.start]
        )  # "…(Luật số 84/2015/QH13…); 84/2015/QH13"
    )


def _same_number(number: _LegalNumber, cell: _LegalNumber) -> bool:
    """ "Luật 51/2019/QH14" + "51/2019/QH14", or a cell cut short ("46/2020/NĐ-CP" + "46/2020")."""
    return cell.number == number.number or (
        not cell.has_symbol and number.number.startswith(f"{cell.number}/")
    )


def parse_legal_basis(raw: str, problems: Problems) -> list[dict[str, str]]:
    text = clean(LEGAL_PORTAL_TAIL.sub("", normalize_raw(raw)))
    if text.startswith(LEGAL_HEADER):
        text = text[len(LEGAL_HEADER) :]
    elif text:
        problems.add("legal basis: no table header (the crawl put other text here)", text)
    if not text:
        return []
    numbers = _legal_numbers(text)
    rows, last = [], 0
    for index, number in enumerate(numbers):
        if number.start < last or not _closes_row(text, numbers, index, last):
            continue
        rows.append(_legal_row(text[last : number.start], number, problems))
        last = number.end
    tail = text[last:].strip(" .;,:")
    if tail:
        rows.append(_numberless_row(tail, problems))
    return rows


def _numberless_row(title: str, problems: Problems) -> dict[str, str]:
    """A title whose number cell is empty, or repeats the title: "Thông tư 36/2021/TT-BGTVT ngày…"."""
    named = _NAMED_NUMBER.match(title)
    number = _legal_number_at(title, named.end()) if named else None
    if number and number.has_symbol:
        problems.add("legal basis: number read from the start of its title", title)
        return {"number": _tidy_symbol(number.number, problems), "title": title, "number_text": ""}
    problems.add("legal basis: title without a number", title)
    return {"number": "", "title": title, "number_text": ""}


def _legal_row(cells: str, number: _LegalNumber, problems: Problems) -> dict[str, str]:
    """One row from the text before its number (title cell, then the number cell's label).

    `number` is the document number in the catalogue's form; `number_text` is the number
    cell as written ("Luật số 32/2024/QH15", "24/2024", "31/2025/TT_BCA").
    """
    label = _LABEL_AT_END.search(cells)
    assert label is not None  # callers pass cells that end with a label
    kind = label.group("type")
    label_start = label.start()
    glued = label_start == 0 or not cells[label_start - 1].isspace()
    if kind and not glued and not fold(cells[:label_start].strip()).startswith(fold(kind)):
        label_start += len(label.group()) - len(
            label.group("so") or ""
        )  # "…quy định tại Thông tư" + "số 01/2020/TT-BTP"
    title = cells[:label_start].strip().lstrip(".;,: ")
    number_text = f"{cells[label_start:]}{number.number}".strip()
    return {
        "number": _completed_number(number, title, problems),
        "title": title or number_text,
        "number_text": number_text,
    }


# A Government decree's symbol cut one letter short by the portal ("118/2025/NĐ-C", 45 records):
# every decree of the Government is "NĐ-CP", so the number is completed (the cell as written
# stays in `number_text`).
_CUT_DECREE_SYMBOL = re.compile(r"/NĐ-C$")


def _tidy_symbol(number: str, problems: Problems) -> str:
    """The number with "-" between its symbol parts ("198/2016/TT/BTC" → "198/2016/TT-BTC")."""
    head = _matched(r"\d+(?:\.\d+)?/(?:\d{4}/)?", number).group()
    tidy = head + re.sub(r" ?[-/_] ?", "-", number[len(head) :])
    if tidy != number:
        problems.add("legal basis: symbol separator normalised", f"{number} → {tidy}")
    if _CUT_DECREE_SYMBOL.search(tidy):
        problems.add("legal basis: decree symbol cut short, completed", f"{tidy} → {tidy}P")
        tidy += "P"
    if not is_well_formed_legal_number(tidy):
        problems.add("legal basis: malformed number", tidy)
    return tidy


def _completed_number(number: _LegalNumber, title: str, problems: Problems) -> str:
    """A number cell cut short ("24/2024") takes its symbol from the title ("24/2024/QĐ-UBND")."""
    if number.has_symbol:
        return _tidy_symbol(number.number, problems)
    in_title = [
        found.number
        for found in _legal_numbers(title)
        if found.has_symbol and found.number.startswith(f"{number.number}/")
    ]
    if in_title:
        problems.add(
            "legal basis: number completed from its title", f"{number.number} → {in_title[0]}"
        )
        return in_title[0]
    law = _LAW_WITH_YEAR.match(title)
    legislature = _LEGISLATURES.get(int(law.group(1))) if law and "/" not in number.number else None
    if legislature:
        assert law is not None  # a legislature is only looked up from a law's year
        completed = f"{number.number}/{law.group(1)}/QH{legislature}"
        problems.add(
            "legal basis: law number completed from the year in its title",
            f"{number.number} → {completed}",
        )
        return completed
    problems.add("legal basis: malformed number", number.number)
    return number.number


# A law is numbered N/year/QH<legislature>. Years where one legislature ended and the next
# began (2016, 2021, 2026) are left out: the year alone does not tell which one passed it.
_LEGISLATURES = (
    {year: 12 for year in range(2008, 2011)}
    | {year: 13 for year in range(2011, 2016)}
    | {year: 14 for year in range(2017, 2021)}
    | {year: 15 for year in range(2022, 2026)}
)
_LAW_WITH_YEAR = re.compile(r"(?:Bộ luật|Luật)\b.*\b((?:19|20)\d\d)$", re.IGNORECASE)


# --- Kết quả, trình tự and the other free-text fields ------------------------------------

_CODE_LABEL = re.compile(r"Mã ?: ?")
_CODE_RUN = re.compile(r"[A-Za-z0-9._/-]*")
_UNKNOWN_CODE = re.compile(r"Chưa xác định(?: rõ)?")
PORTAL_TAIL = re.compile(r"Từ khóa.*$", re.DOTALL)


def result_code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every "Mã: <code>" cell in a results text.

    The code cell is glued to the next result name and codes take many shapes
    ("KQ.G01.000105", "000.00.00.G04-KQ0355", "G19-KQ006098", "BQP-CCS.KQ0001", "1212",
    "VBTT", "Chưa xác định"). A code with digits ends at its last digit ("…000105Quyết
    định"); a code without digits ends before the capital that starts the next name
    ("utwChứng chỉ"), or where the text ends.
    """
    spans = []
    for label in _CODE_LABEL.finditer(text):
        unknown = _UNKNOWN_CODE.match(text, label.end())
        run = _matched(_CODE_RUN, text, label.end()).group()
        if unknown:
            code = unknown.group()
        elif re.search(r"\d", run):
            code = run[: max(index for index, char in enumerate(run) if char.isdigit()) + 1]
        elif text[label.end() + len(run) : label.end() + len(run) + 1].isalpha():
            code = re.sub(
                r"[A-Z][a-z]*$", "", run
            )  # cut mid-word: the next name starts inside the run
        else:
            code = run
        spans.append((label.start(), label.end() + len(code)))
    return spans


def parse_results(raw: str, problems: Problems) -> list[str]:
    """Result paper names without their codes; the crawl appended the page's search widget after them."""
    text = PORTAL_TAIL.sub("", normalize_raw(raw))
    if clean(text) == "":
        return []
    names, last = [], 0
    for start, end in result_code_spans(text):
        name = text[last:start].strip()
        if name:
            names.append(name)
        elif last:
            problems.add("result: code without a name before it", text[max(0, start - 40) : end])
        last = end
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
    """ "Cấp bộ, Cấp tỉnh" → ["Cấp bộ", "Cấp tỉnh"]; commas inside parentheses are kept."""
    text = clean(raw)
    parts = split_top_level(text, re.compile(r"(?<=,) "))
    return [part.strip().rstrip(",").strip() for part in parts if part.strip(" ,")]
