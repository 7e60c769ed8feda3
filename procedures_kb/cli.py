"""Staff command line: `python -m procedures_kb import|search|show|fee|lookup` (a hotline lookup aid)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

from procedures_kb.documents import RowKind, display_name, row_kind
from procedures_kb.fees import fees_in_force, parse_date, today
from procedures_kb.format import document_count, method_line, where_to_file
from procedures_kb.store import Document, Record, default_records
from vntext import normalize

EXIT_USAGE = 2


def _import(arguments: argparse.Namespace) -> int:
    from procedures_kb.importer import REPORT_FILE, import_catalogue

    raw_dir = Path(arguments.raw_dir)
    if not raw_dir.is_dir():
        print(f"Không tìm thấy thư mục dữ liệu gốc: {raw_dir}", file=sys.stderr)
        return EXIT_USAGE
    report = import_catalogue(raw_dir)
    REPORT_FILE.write_text(report.to_markdown(), encoding="utf-8")
    print(report.to_markdown())
    return 0


def _search(arguments: argparse.Namespace) -> int:
    from procedures_kb.search import search

    query = normalize(arguments.query)
    if not query:
        print('Hãy nhập nội dung cần tìm, ví dụ: search "đăng ký tạm trú".', file=sys.stderr)
        return EXIT_USAGE
    hits = search(query, limit=arguments.limit)
    if arguments.json:
        print(
            json.dumps(
                [{"code": h.code, "name": h.name, "score": h.score} for h in hits],
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    if not hits:
        print(f"Không tìm thấy thủ tục nào khớp với “{query}”.")
        return 0
    records = default_records()
    for rank, hit in enumerate(hits, 1):
        levels = ", ".join(records[hit.code]["levels"])
        print(f"{rank}. {hit.name} — mã {hit.code} ({levels}) · điểm {hit.score:.1f}")
        print(f"   khớp: {', '.join(hit.matched[:8])}")
    return 0


def _record_or_none(raw_code: str) -> Record | None:
    code = normalize(raw_code)
    record = default_records().get(code)
    if record is None:
        print(
            f"Không có thủ tục nào mang mã “{code}”. Dùng lệnh search để tìm mã.", file=sys.stderr
        )
    return record


def _date_or_none(on: str | None) -> date | None:
    """The --on date, else today; None (after a Vietnamese message) when either is malformed."""
    try:
        return parse_date(on) if on else today()
    except ValueError as error:
        shown = f"--on {on}" if on else str(error)
        print(
            f"Ngày không hợp lệ ({shown}): hãy ghi ngày dạng YYYY-MM-DD, ví dụ 2026-12-02.",
            file=sys.stderr,
        )
        return None


def _show(arguments: argparse.Namespace) -> int:
    record = _record_or_none(arguments.code)
    if record is None:
        return EXIT_USAGE
    if arguments.json:
        print(json.dumps(record, ensure_ascii=False, indent=1))
        return 0
    on = _date_or_none(None)
    if on is None:
        return EXIT_USAGE
    print(render_record(record, on))
    return 0


def _fee(arguments: argparse.Namespace) -> int:
    record = _record_or_none(arguments.code)
    on = _date_or_none(arguments.on)
    if record is None or on is None:
        return EXIT_USAGE
    fees = fees_in_force(record, on)
    if arguments.json:
        print(json.dumps([fee.to_json() for fee in fees], ensure_ascii=False, indent=1))
        return 0
    print(f"{record['name']} (mã {record['code']}) — lệ phí áp dụng ngày {on:%d/%m/%Y}:")
    print(
        "\n".join(f"  • {fee.channel}: {fee.text}" for fee in fees)
        or "  (Cổng không ghi thông tin)"
    )
    return 0


def _lookup(arguments: argparse.Namespace) -> int:
    """Interactive prompt for hotline staff: type words to search, a number to open a hit."""
    from procedures_kb.search import search

    records, on = default_records(), _date_or_none(None)
    hits: list[Any] = []
    if on is None:
        return EXIT_USAGE
    print(
        "Tra cứu thủ tục hành chính — gõ từ khóa (có dấu hoặc không), số thứ tự để xem chi tiết, Enter trống để thoát."
    )
    while True:
        try:
            line = normalize(input("tra cứu> "))
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not line:
            return 0
        if line.isdigit() and 1 <= int(line) <= len(hits):
            print(render_record(records[hits[int(line) - 1].code], on))
            continue
        hits = search(line, limit=arguments.limit)
        if not hits:
            print("Không tìm thấy thủ tục phù hợp. Thử diễn đạt khác hoặc dùng tên thủ tục.")
        for rank, hit in enumerate(hits, 1):
            print(f"  {rank}. {hit.name} — {hit.code} ({', '.join(records[hit.code]['levels'])})")


def render_record(record: Record, on: date) -> str:
    """The record as a hotline operator reads it: where, time and fee on `on` with each
    channel's note, papers by case, link."""
    lines = [f"{record['name']}", f"Mã thủ tục: {record['code']} · Lĩnh vực: {record['field']}"]
    lines.append(f"Cấp thực hiện: {', '.join(record['levels']) or 'không ghi'}")
    lines.append(f"Nơi nộp: {where_to_file(record)}")
    lines.append("")
    lines.append(f"Thời hạn và lệ phí theo cách nộp (lệ phí áp dụng ngày {on:%d/%m/%Y}):")
    lines += _method_lines(record, on) or ["  (Cổng không ghi thông tin)"]
    lines.append("")
    lines.append("Thành phần hồ sơ:")
    if not record["documents"]:
        lines.append("  (Cổng không ghi thông tin)")
    headed = any(row["group"] for row in record["documents"])
    for group, rows in groupby(record["documents"], key=lambda row: row["group"]):
        if headed:
            lines.append(f"  [{group or 'Giấy tờ chung'}]")
        lines += [f"    {document_line(row)}" for row in rows]
    if record["conditions"]:
        lines += ["", "Điều kiện:", record["conditions"]]
    lines += ["", f"Chi tiết: {record['source_url']}"]
    return "\n".join(lines)


def _method_lines(record: Record, on: date) -> list[str]:
    """Per channel: time and fee in force, then the channel's notes (each once)."""
    lines = []
    for fee in fees_in_force(record, on):
        lines.append(f"  • {method_line(record, fee)}")
        notes = dict.fromkeys(
            m["note"] for m in record["methods"] if m["channel"] == fee.channel and m["note"]
        )
        lines += [f"    Ghi chú: {note}" for note in notes]
    return lines


def document_line(row: Document) -> str:
    """A paper with its counts and form; a note or lead-in as the bot shows it: no counts."""
    kind = row_kind(row)
    if kind is RowKind.NOTE:
        return f"Lưu ý: {display_name(row)}"
    if kind is RowKind.LEAD_IN:
        return display_name(row)
    form = f" — mẫu: {row['form']}" if row["form"] else ""
    return f"- {display_name(row)} ({document_count(row)}){form}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m procedures_kb", description="Tra cứu thủ tục hành chính"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    importer = commands.add_parser(
        "import", help="nhập dữ liệu gốc của Cổng DVCQG vào procedures_kb/records"
    )
    importer.add_argument("raw_dir")
    importer.set_defaults(handler=_import)
    searcher = commands.add_parser(
        "search", help="tìm thủ tục theo lời người dân (có hoặc không dấu)"
    )
    searcher.add_argument("query")
    searcher.add_argument("--limit", type=int, default=5)
    searcher.add_argument("--json", action="store_true")
    searcher.set_defaults(handler=_search)
    shower = commands.add_parser("show", help="xem đầy đủ một thủ tục theo mã")
    shower.add_argument("code")
    shower.add_argument("--json", action="store_true")
    shower.set_defaults(handler=_show)
    feer = commands.add_parser(
        "fee", help="lệ phí áp dụng theo từng cách nộp vào một ngày (mặc định hôm nay)"
    )
    feer.add_argument("code")
    feer.add_argument("--on", help="ngày dạng YYYY-MM-DD")
    feer.add_argument("--json", action="store_true")
    feer.set_defaults(handler=_fee)
    lookup = commands.add_parser("lookup", help="dấu nhắc tra cứu tương tác cho tổng đài viên")
    lookup.add_argument("--limit", type=int, default=5)
    lookup.set_defaults(handler=_lookup)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    if getattr(arguments, "limit", 1) < 1:
        print("--limit phải là số nguyên dương.", file=sys.stderr)
        return EXIT_USAGE
    return arguments.handler(arguments)
