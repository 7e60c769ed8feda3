"""Phone-sized Vietnamese answers built only from a knowledge-base record.

Every answer names the procedure and its code, and ends with the portal link, once. Where
the catalogue says nothing, the answer says so instead of guessing. List items (papers,
steps, notes) are never cut: a long list answer is several messages split between items,
and what does not fit is counted and left to the link.
"""
from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import Optional, Sequence

from actions.settings import hotline
from procedures_kb.documents import RowKind, display_name, row_kind, without_bullets
from procedures_kb.fees import fees_in_force, today
from procedures_kb.format import UNIT_NOT_GIVEN, document_count, method_line, time_phrase, where_to_file
from procedures_kb.store import Document, Record
from procedures_kb.text import fold, words

MAX_LIST_ITEMS = 8
MAX_NOTES = 3
MAX_ITEM_CHARS = 220
MAX_MESSAGE_CHARS = 900  # one phone screen or so; a single longer item gets a message of its own
MAX_LIST_CHARS = 2700  # the items of one answer, about three messages; the rest is left to the link
NOTHING_IN_CATALOGUE = "Cơ sở dữ liệu thủ tục hành chính quốc gia không ghi thông tin này"


def title(record: Record) -> str:
    return f"📄 {record['name']} (mã {record['code']})"


def more_at(record: Record) -> str:
    return f"Xem đầy đủ: {record['source_url']}"


def shorten(text: str, limit: int = MAX_ITEM_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def messages(blocks: Sequence[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """The blocks joined into messages of at most `limit` characters, split only between blocks."""
    joined: list[str] = []
    for block in blocks:
        if joined and len(joined[-1]) + 1 + len(block) <= limit:
            joined[-1] += "\n" + block
        else:
            joined.append(block)
    return joined


def fitting(items: Sequence[str]) -> int:
    """How many leading items the answer shows whole: at most MAX_LIST_ITEMS and MAX_LIST_CHARS, at least one."""
    count, used = 0, 0
    for item in items[:MAX_LIST_ITEMS]:
        if count and used + len(item) > MAX_LIST_CHARS:
            break
        count, used = count + 1, used + len(item)
    return count


def left_for_the_link(counts: Sequence[tuple[int, str]]) -> list[str]:
    """The line counting what the answer leaves out ("Còn 4 giấy tờ và 2 ghi chú khác …"), if anything."""
    named = [f"{count} {noun}" for count, noun in counts if count]
    return [f"Còn {' và '.join(named)} khác trên Cổng, ở đường dẫn dưới đây."] if named else []


# Headings that split one dossier into parts everybody hands in, rather than
# alternative cases ("Trường hợp ..."), which only some citizens are in.
_SECTION_HEADINGS = ("giay to phai nop", "giay to phai xuat trinh", "giay to xuat trinh", "luu y", "thanh phan ho so", "ho so gom")


def is_section(group: Optional[str]) -> bool:
    return group is None or fold(group).lstrip("*-+•() abc1234.").startswith(_SECTION_HEADINGS)


def document_cases(record: Record) -> list[str]:
    """The alternative cases of the document table, in order (empty when there are fewer than two)."""
    groups = [group for group, _ in groupby(record["documents"], key=lambda row: row["group"])]
    cases = [group for group in dict.fromkeys(groups) if group and not is_section(group)]
    return cases if len(cases) > 1 else []


def documents_answer(record: Record, case: Optional[str] = None) -> list[str]:
    """Papers for everyone plus those of the chosen case, under their section headings.

    Papers are numbered with their copy counts; notes (explanations, rules) are not numbered
    and carry no counts; a lead-in ("… các giấy tờ sau:") is shown only before what it leads.
    """
    cases = document_cases(record)
    rows = _by_group(_unique([row for row in record["documents"] if row["group"] not in cases or row["group"] == case]))
    kinds = [row_kind(row) for row in rows]
    if RowKind.PAPER not in kinds:
        return _no_papers(record, [row for row, kind in zip(rows, kinds) if kind is RowKind.NOTE])
    heading = f"Hồ sơ cần có — trường hợp: {case}" if case else "Hồ sơ cần có"
    headed = any(row["group"] for row, kind in zip(rows, kinds) if kind is RowKind.PAPER)
    blocks, left = [f"{title(record)}\n{heading}:"], {RowKind.PAPER: 0, RowKind.NOTE: 0}
    shown, used, full = {RowKind.PAPER: 0, RowKind.NOTE: 0}, 0, False
    for group, members in groupby(zip(rows, kinds), key=lambda pair: pair[0]["group"]):
        pending = [f"[{group or 'Giấy tờ chung'}]"] if headed and (case is None or group != case) else []
        for row, kind in members:
            if kind is RowKind.LEAD_IN:
                pending.append(display_name(row))
                continue
            block = "\n".join([*pending, _document_line(row, kind, shown[RowKind.PAPER] + 1)])
            limit = MAX_LIST_ITEMS if kind is RowKind.PAPER else MAX_NOTES
            first_paper = kind is RowKind.PAPER and not shown[kind]
            if full or shown[kind] >= limit or (used + len(block) > MAX_LIST_CHARS and not first_paper):
                left[kind] += 1
                full = full or kind is RowKind.PAPER  # after a paper left out, everything is left out
                continue
            blocks.append(block)
            shown[kind], used, pending = shown[kind] + 1, used + len(block), []
    blocks += left_for_the_link([(left[RowKind.PAPER], "giấy tờ"), (left[RowKind.NOTE], "ghi chú")])
    return messages([*blocks, more_at(record)])


def _document_line(row: Document, kind: RowKind, number: int) -> str:
    if kind is RowKind.NOTE:
        return f"Lưu ý: {display_name(row)}"
    counted = row["original"] or row["copies"]
    return f"{number}. {display_name(row)}" + (f" ({document_count(row)})" if counted else "")


def _unique(rows: list[Document]) -> list[Document]:
    """The rows that say something ("****" does not), each once: the portal repeats some rows.

    A paper is the same only within its section (two sections may each need it); a note is
    the same wherever it appears.
    """
    unique: dict[tuple[Optional[str], str], Document] = {}
    for row in rows:
        section = row["group"] if row_kind(row) is RowKind.PAPER else None
        if words(row["name"]):
            unique.setdefault((section, fold(display_name(row))), row)
    return list(unique.values())


def _by_group(rows: list[Document]) -> list[Document]:
    """The rows of each group together, groups in order of first appearance, so each heading shows once."""
    first_seen = {group: index for index, group in reversed(list(enumerate(row["group"] for row in rows)))}
    return sorted(rows, key=lambda row: first_seen[row["group"]])


def _no_papers(record: Record, notes: list[Document]) -> list[str]:
    """No paper listed: say so, with the portal's own remarks when they are sentences ("Do UBND cấp tỉnh quy định")."""
    remarks = [f"Ghi chú của Cổng: {display_name(row)}" for row in notes if len(words(row["name"])) >= 3]
    return messages([title(record), f"{NOTHING_IN_CATALOGUE} về thành phần hồ sơ.", *remarks[:MAX_NOTES], more_at(record)])


def fee_answer(record: Record, on: Optional[date] = None) -> str:
    """The fee payable today per channel (channels with the same fee on one line).

    Where the catalogue gives no figure (the law or the province sets it), the answer says
    what the catalogue says and points to the hotline instead of saying "miễn phí".
    """
    if not record["methods"]:
        return f"{title(record)}\n{NOTHING_IN_CATALOGUE} về lệ phí. {more_at(record)}"
    on = on or today()
    channel_fees = fees_in_force(record, on)
    lines = [title(record), f"Lệ phí theo cách nộp (áp dụng ngày {on:%d/%m/%Y}):"]
    by_text = groupby(sorted(channel_fees, key=lambda fee: fee.text), key=lambda fee: fee.text)
    merged = {text: [fee.channel for fee in fees] for text, fees in by_text}
    ordered = sorted(merged.items(), key=lambda item: min(_channel_rank(record, channel) for channel in item[1]))
    lines += [f"• {', '.join(channels)}: {text}" for text, channels in ordered]
    if any(fee.amount is None for fee in channel_fees):
        lines.append(f"Để biết mức thu chính xác, bạn liên hệ {hotline()}.")
    return "\n".join([*lines, "", more_at(record)])


def _channel_rank(record: Record, channel: str) -> int:
    return next(index for index, method in enumerate(record["methods"]) if method["channel"] == channel)


def time_answer(record: Record) -> str:
    """One line per time, naming every channel it applies to ("Trực tiếp, Trực tuyến: 5 ngày làm việc")."""
    if not record["methods"]:
        return f"{title(record)}\n{NOTHING_IN_CATALOGUE} về thời hạn giải quyết. {more_at(record)}"
    channels_by_time: dict[str, dict[str, None]] = {}
    for method in record["methods"]:
        channels_by_time.setdefault(time_phrase(method), {})[method["channel"]] = None
    remark = f" ({UNIT_NOT_GIVEN})"
    bare_numbers = sum(time.endswith(remark) for time in channels_by_time) > 1  # say the remark once, below
    lines = [title(record), "Thời hạn giải quyết theo cách nộp:"]
    lines += [
        f"• {', '.join(channels)}: {time.removesuffix(remark) if bare_numbers else time}"
        for time, channels in channels_by_time.items()
    ]
    if bare_numbers:
        lines.append(f"Thời hạn chỉ có con số: {UNIT_NOT_GIVEN}.")
    channel_lines = [channel for channels in channels_by_time.values() for channel in channels]
    if len(channel_lines) > len(set(channel_lines)):
        lines.append("Cổng ghi nhiều thời hạn cho cùng một cách nộp (theo từng bước hoặc trường hợp); chi tiết ở đường dẫn dưới đây.")
    return "\n".join([*lines, "", more_at(record)])


def agency_answer(record: Record) -> str:
    channels = ", ".join(method["channel"].lower() for method in record["methods"]) or "không ghi"
    return "\n".join(
        [title(record), f"Nơi nộp hồ sơ: {where_to_file(record)}", f"Cách nộp: {channels}.", "", more_at(record)]
    )


def online_answer(record: Record, portal_url: str, on: Optional[date] = None) -> str:
    online = next((fee for fee in fees_in_force(record, on or today()) if fee.channel == "Trực tuyến"), None)
    if online is None:
        verdict = "Theo danh mục quốc gia, thủ tục này chưa có hình thức nộp trực tuyến."
        return "\n".join([title(record), verdict, f"Nơi nộp: {where_to_file(record)}", "", more_at(record)])
    return "\n".join(
        [
            title(record),
            "Có, thủ tục này nộp trực tuyến được.",
            f"• {method_line(record, online)}",
            f"Nộp tại Cổng Dịch vụ công quốc gia: {portal_url}",
            more_at(record),
        ]
    )


def conditions_answer(record: Record) -> str:
    if not record["conditions"] or record["conditions"].lower() in {"không", "không có"}:
        return f"{title(record)}\nDanh mục quốc gia không đặt điều kiện riêng cho thủ tục này. {more_at(record)}"
    return "\n".join([title(record), "Điều kiện:", shorten(record["conditions"], 900), "", more_at(record)])


def steps_answer(record: Record) -> list[str]:
    if not record["steps"]:
        return [f"{title(record)}\n{NOTHING_IN_CATALOGUE} về trình tự thực hiện. {more_at(record)}"]
    unique_steps: dict[str, str] = {}  # a few records list a step twice
    for step in record["steps"]:
        unique_steps.setdefault(fold(step), without_bullets(step))
    steps = [f"{number}. {step}" for number, step in enumerate(unique_steps.values(), 1)]
    shown = fitting(steps)
    closing = left_for_the_link([(len(steps) - shown, "bước")])
    return messages([f"{title(record)}\nCác bước thực hiện:", *steps[:shown], *closing, more_at(record)])


def overview_answer(record: Record, on: Optional[date] = None) -> str:
    """What a citizen naming only a need gets: where, time and fee, then what to ask next."""
    lines = [title(record), f"Nơi nộp: {where_to_file(record)}"]
    lines += [f"• {method_line(record, fee)}" for fee in fees_in_force(record, on or today())[:3]]
    lines += ["", "Bạn có thể hỏi tiếp: cần giấy tờ gì, lệ phí, bao lâu, nộp online được không."]
    return "\n".join(lines)
