"""Feed and notification commands of `python -m bot`:

    python -m bot dossiers import FILE   # CSV with a header, or JSON lines (one event a line)
    python -m bot notify status          # outbox: sent, pending, dead messages

The import applies the events of `bot.db.feed` in batches (one transaction each) with a
progress bar on stderr, then prints a summary: created, updated, unchanged, kept in the
history, rejected with the line and reason of each.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from tqdm import tqdm

from bot.admin.cli import CommandError, _friendly, command_group
from bot.db import engine as db
from bot.db.feed import EventResult, Outcome, apply_events
from bot.db.outbox import outbox_summary
from bot.wording import STATUS_TEXTS, Messages

BATCH = 500  # events per transaction
SHOWN_REJECTIONS = 50
OUTCOME_LABELS = {
    Outcome.CREATED: "tạo mới",
    Outcome.UPDATED: "cập nhật trạng thái",
    Outcome.UNCHANGED: "không đổi",
    Outcome.HISTORY: "chỉ ghi lịch sử (cũ hơn trạng thái hiện tại)",
    Outcome.REJECTED: "bị từ chối",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    dossier_commands = command_group(subparsers, "dossiers", "hồ sơ từ hệ thống một cửa")
    importer = dossier_commands.add_parser(
        "import", help="nạp sự kiện trạng thái hồ sơ từ tệp CSV (có dòng tiêu đề) hoặc JSON lines"
    )
    importer.add_argument("file", type=Path, metavar="TỆP")
    importer.add_argument("--no-progress", action="store_true", help="không hiện thanh tiến độ")
    importer.set_defaults(handler=_friendly(_import))

    notify_commands = command_group(subparsers, "notify", "thông báo trạng thái hồ sơ")
    notify_commands.add_parser(
        "status", help="tình hình gửi thông báo (đã gửi, chờ gửi, thất bại)"
    ).set_defaults(handler=_friendly(_notify_status))


@dataclass
class ImportSummary:
    counts: Counter = field(default_factory=Counter)
    rejections: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    def add(self, lines: list[int], results: list[EventResult]) -> None:
        for line, result in zip(lines, results, strict=False):
            self.counts[result.outcome] += 1
            if result.outcome is Outcome.REJECTED:
                self.rejections.append((line, result.reason or ""))

    def format(self) -> str:
        lines = [f"Đã xử lý {sum(self.counts.values())} sự kiện:"]
        lines += [f"  {label}: {self.counts[outcome]}" for outcome, label in OUTCOME_LABELS.items()]
        for line, reason in self.rejections[:SHOWN_REJECTIONS]:
            lines.append(f"  dòng {line}: {reason}")
        if len(self.rejections) > SHOWN_REJECTIONS:
            lines.append(
                f"  … và {len(self.rejections) - SHOWN_REJECTIONS} sự kiện bị từ chối khác"
            )
        return "\n".join(lines)


def is_json_lines(path: Path) -> bool:
    """JSON lines when the first line opens an object, else CSV with a header."""
    with path.open(encoding="utf-8-sig") as file:
        return file.readline().lstrip().startswith("{")


def read_events(path: Path, json_lines: bool) -> Iterator[tuple[int, Any]]:
    """(line number, raw event) of a CSV file with a header, or of a JSON-lines file.
    A JSON line that does not parse is passed on as None (rejected with a reason)."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        if json_lines:
            for number, line in enumerate(file, 1):
                if line.strip():
                    yield number, _json_line(line)
        else:
            reader = csv.DictReader(file)
            for row in reader:
                yield reader.line_num, {key.strip(): value for key, value in row.items() if key}


def _json_line(line: str) -> Any:
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def import_events(engine: Engine, rows: Iterable[tuple[int, Any]], progress: tqdm) -> ImportSummary:
    summary = ImportSummary()
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        lines, events = [line for line, _ in batch], [event for _, event in batch]
        summary.add(
            lines, db.run_transaction(functools.partial(apply_events, items=events), engine)
        )
        progress.update(len(batch))
    return summary


def _import(arguments: argparse.Namespace) -> int:
    path: Path = arguments.file
    if not path.is_file():
        raise CommandError(f"Không tìm thấy tệp {path}.", 2)
    engine = db.make_engine()
    try:
        if not db.is_up_to_date(engine):
            raise CommandError(Messages.DATABASE_NOT_MIGRATED)
        json_lines = is_json_lines(path)
        with path.open("rb") as file:
            total = max(sum(1 for line in file if line.strip()) - (0 if json_lines else 1), 0)
        with tqdm(total=total, unit=" sự kiện", disable=arguments.no_progress) as progress:
            summary = import_events(engine, read_events(path, json_lines), progress)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CommandError(f"Không đọc được tệp {path}: {error}", 2) from error
    finally:
        engine.dispose()
    print(summary.format())
    return 0


def _notify_status(_arguments: argparse.Namespace) -> int:
    engine = db.make_engine()
    try:
        if not db.is_up_to_date(engine):
            raise CommandError(Messages.DATABASE_NOT_MIGRATED)
        with db.session_scope(engine, read_only=True) as session:
            summary = outbox_summary(session)
    finally:
        engine.dispose()
    counts = summary.counts
    print(f"Đăng ký nhận thông báo đang hiệu lực: {summary.subscriptions}")
    print(
        f"Thông báo đã gửi: {counts['sent']}; chờ gửi: {counts['pending']} (đến hạn: {summary.due}); "
        f"thất bại hẳn: {counts['dead']}"
    )
    for dead in summary.dead:
        print(
            f"  #{dead.outbox_id} {dead.dossier_code} → {STATUS_TEXTS[dead.status].name} qua {dead.channel}, "
            f"{dead.attempts} lần, lỗi cuối: {dead.last_error or '?'} ({dead.created_at:%d/%m/%Y %H:%M})"
        )
    return 0
