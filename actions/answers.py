"""Phone-sized Vietnamese answers built only from a knowledge-base record.

Every answer names the procedure and its code. Where the catalogue says nothing, the
answer says so instead of guessing. Long lists are shortened, with the portal link for
the full text.
"""
from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import Optional

from actions.settings import hotline
from procedures_kb.fees import fees_in_force, today
from procedures_kb.format import document_count, method_line, time_phrase, where_to_file
from procedures_kb.store import Document, Record
from procedures_kb.text import fold

MAX_LIST_ITEMS = 8
MAX_ITEM_CHARS = 220
NOTHING_IN_CATALOGUE = "Cơ sở dữ liệu thủ tục hành chính quốc gia không ghi thông tin này"


def title(record: Record) -> str:
    return f"📄 {record['name']} (mã {record['code']})"


def more_at(record: Record) -> str:
    return f"Xem đầy đủ: {record['source_url']}"


def shorten(text: str, limit: int = MAX_ITEM_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def numbered(items: list[str], record: Record) -> list[str]:
    lines = [f"{index}. {shorten(item)}" for index, item in enumerate(items[:MAX_LIST_ITEMS], 1)]
    if len(items) > MAX_LIST_ITEMS:
        lines.append(f"… và {len(items) - MAX_LIST_ITEMS} mục khác. {more_at(record)}")
    return lines


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


def documents_answer(record: Record, case: Optional[str] = None) -> str:
    """Papers for everyone plus those of the chosen case, under their section headings."""
    cases = document_cases(record)
    rows: list[Document] = [row for row in record["documents"] if row["group"] not in cases or row["group"] == case]
    papers = [row for row in rows if not row["is_note"]]
    if not papers:
        return f"{title(record)}\n{NOTHING_IN_CATALOGUE} về thành phần hồ sơ. {more_at(record)}"
    heading = f"Hồ sơ cần có — trường hợp: {case}" if case else "Hồ sơ cần có"
    lines = [title(record), f"{heading}:"]
    number, headed = 0, any(row["group"] for row in papers)
    for group, group_rows in groupby(papers, key=lambda row: row["group"]):
        if headed and group != case and number < MAX_LIST_ITEMS:
            lines.append(f"[{group or 'Giấy tờ chung'}]")
        for row in group_rows:
            number += 1
            if number <= MAX_LIST_ITEMS:
                lines.append(f"{number}. {shorten(row['name'].lstrip('-+• '))} ({document_count(row)})")
    if number > MAX_LIST_ITEMS:
        lines.append(f"… và {number - MAX_LIST_ITEMS} mục khác. {more_at(record)}")
    notes = [row["name"] for row in rows if row["is_note"]]
    if notes:
        lines += ["", f"Lưu ý: {shorten(notes[0], 300)}"]
    lines += ["", more_at(record)]
    return "\n".join(lines)


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
    if not record["methods"]:
        return f"{title(record)}\n{NOTHING_IN_CATALOGUE} về thời hạn giải quyết. {more_at(record)}"
    lines = [title(record), "Thời hạn giải quyết theo cách nộp:"]
    lines += [f"• {method['channel']}: {time_phrase(method)}" for method in record["methods"]]
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


def steps_answer(record: Record) -> str:
    if not record["steps"]:
        return f"{title(record)}\n{NOTHING_IN_CATALOGUE} về trình tự thực hiện. {more_at(record)}"
    return "\n".join([title(record), "Các bước thực hiện:", *numbered(record["steps"], record), "", more_at(record)])


def overview_answer(record: Record, on: Optional[date] = None) -> str:
    """What a citizen naming only a need gets: where, time and fee, then what to ask next."""
    lines = [title(record), f"Nơi nộp: {where_to_file(record)}"]
    lines += [f"• {method_line(record, fee)}" for fee in fees_in_force(record, on or today())[:3]]
    lines += ["", "Bạn có thể hỏi tiếp: cần giấy tờ gì, lệ phí, bao lâu, nộp online được không."]
    return "\n".join(lines)
