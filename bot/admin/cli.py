"""Database commands of `python -m bot`: seed, survey report, db upgrade/downgrade.

Each handler returns the exit code: 0 done, 1 the operation failed (database unreachable,
not empty…), 2 invalid input. Failures are reported in Vietnamese on stderr, never as a
traceback.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.admin.report import build_report, format_report, write_csv, write_png
from bot.admin.seed import DEFAULT_SEED, MIN_DOSSIERS, DatabaseNotEmptyError, seed_demo
from bot.db import engine as db
from bot.wording import Messages

logger = logging.getLogger(__name__)

DEFAULT_DOSSIERS = 2000
Handler = Callable[[argparse.Namespace], int]


class CommandError(Exception):
    """A failure to report to the user as is."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the database commands to the project's command line."""
    seed = subparsers.add_parser("seed", help="nạp dữ liệu mẫu (hồ sơ, cơ quan, phiếu đánh giá)")
    seed.add_argument(
        "--demo", action="store_true", help="dữ liệu mẫu tất định, cho demo và kiểm thử"
    )
    seed.add_argument(
        "--dossiers",
        metavar="SỐ",
        default=str(DEFAULT_DOSSIERS),
        help=f"số hồ sơ (mặc định {DEFAULT_DOSSIERS})",
    )
    seed.add_argument(
        "--seed",
        metavar="SỐ",
        dest="random_seed",
        default=str(DEFAULT_SEED),
        help="hạt giống ngẫu nhiên",
    )
    seed.add_argument(
        "--today", metavar="NGÀY", help="ngày tham chiếu của dữ liệu (mặc định: hôm nay)"
    )
    for flag, help_text in (
        ("--json", "in danh sách hồ sơ mẫu để tra cứu, dạng JSON"),
        ("--reset", "XÓA toàn bộ dữ liệu hiện có trước khi nạp"),
        ("--if-empty", "chỉ nạp khi cơ sở dữ liệu còn trống (không báo lỗi)"),
    ):
        seed.add_argument(flag, action="store_true", help=help_text)
    seed.set_defaults(handler=_friendly(_seed))

    survey_commands = command_group(subparsers, "survey", "phiếu đánh giá mức độ hài lòng")
    report = survey_commands.add_parser("report", help="báo cáo tỷ lệ hài lòng")
    report.add_argument(
        "--since",
        metavar="NGÀY",
        help="chỉ tính phiếu từ ngày này (NĂM-THÁNG-NGÀY hoặc NGÀY/THÁNG/NĂM)",
    )
    report.add_argument("--csv", metavar="TỆP", type=Path, help="ghi bảng số liệu ra tệp CSV")
    report.add_argument("--png", metavar="TỆP", type=Path, help="ghi biểu đồ ra tệp PNG")
    report.set_defaults(handler=_friendly(_survey_report))

    database_commands = command_group(subparsers, "db", "cấu trúc cơ sở dữ liệu (DATABASE_URL)")
    database_commands.add_parser("upgrade", help="cập nhật lên phiên bản mới nhất").set_defaults(
        handler=_friendly(_db_upgrade)
    )
    downgrade = database_commands.add_parser(
        "downgrade", help="hạ phiên bản (mặc định: xóa hết bảng)"
    )
    downgrade.add_argument(
        "--revision", metavar="PHIÊN_BẢN", default="base", help="phiên bản đích (mặc định base)"
    )
    downgrade.set_defaults(handler=_friendly(_db_downgrade))


# --- handlers -----------------------------------------------------------------------------


def _seed(arguments: argparse.Namespace) -> int:
    if not arguments.demo:
        raise CommandError(Messages.DEMO_REQUIRED, 2)
    dossiers = _positive_int("--dossiers", arguments.dossiers)
    if dossiers < MIN_DOSSIERS:
        raise CommandError(Messages.TOO_FEW_DOSSIERS.format(minimum=MIN_DOSSIERS), 2)
    random_seed = _positive_int("--seed", arguments.random_seed)
    today = parse_date(arguments.today) if arguments.today else None
    url = db.database_url()
    started = time.perf_counter()
    if arguments.reset:
        db.downgrade(url, "base")
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        summary = seed_demo(engine, dossiers, random_seed, today)
    except DatabaseNotEmptyError as error:
        if arguments.if_empty:
            print(Messages.ALREADY_SEEDED.format(dossiers=error.dossiers), file=sys.stderr)
            return 0
        message = Messages.DATABASE_NOT_EMPTY.format(
            dossiers=error.dossiers, agencies=error.agencies
        )
        raise CommandError(message) from error
    finally:
        engine.dispose()
    done = Messages.SEED_DONE.format(
        agencies=summary.agencies,
        dossiers=summary.dossiers,
        events=summary.events,
        surveys=summary.surveys,
        seconds=time.perf_counter() - started,
    )
    if arguments.json:
        print(done, file=sys.stderr)
        print(
            json.dumps(
                [sample.as_dict() for sample in summary.samples], ensure_ascii=False, indent=2
            )
        )
    else:
        print(done)
    return 0


def _survey_report(arguments: argparse.Namespace) -> int:
    since = parse_date(arguments.since) if arguments.since else None
    engine = db.make_engine()
    try:
        if not db.is_up_to_date(engine):
            raise CommandError(Messages.DATABASE_NOT_MIGRATED)
        with db.session_scope(
            engine, read_only=True
        ) as session:  # action servers may write meanwhile
            report = build_report(session, since)
    finally:
        engine.dispose()
    print(format_report(report))
    for path, write, written in (
        (arguments.csv, write_csv, Messages.CSV_WRITTEN),
        (arguments.png, write_png, Messages.PNG_WRITTEN),
    ):
        if path is None:
            continue
        try:
            write(report, path)
        except OSError as error:
            raise CommandError(
                Messages.CANNOT_WRITE_FILE.format(path=path, detail=error.strerror or error)
            ) from error
        print(written.format(path=path))
    return 0


def _db_upgrade(_arguments: argparse.Namespace) -> int:
    db.upgrade()
    print(Messages.UPGRADE_DONE)
    return 0


def _db_downgrade(arguments: argparse.Namespace) -> int:
    db.downgrade(revision=arguments.revision)
    print(Messages.DOWNGRADE_DONE.format(revision=arguments.revision))
    return 0


# --- input and errors ---------------------------------------------------------------------


def parse_date(text: str) -> date:
    """A date as YYYY-MM-DD or DD/MM/YYYY; `CommandError` (exit code 2) otherwise."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise CommandError(Messages.BAD_DATE.format(value=text), 2)


def _positive_int(option: str, text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise CommandError(Messages.BAD_POSITIVE_INT.format(option=option, value=text), 2)
    return int(text)


def _friendly(handler: Handler) -> Handler:
    """Turn every failure of `handler` into a Vietnamese message and an exit code."""

    @functools.wraps(handler)
    def run(arguments: argparse.Namespace) -> int:
        try:
            return handler(arguments)
        except CommandError as error:
            message, code = error.message, error.exit_code
        except SQLAlchemyError as error:
            message, code = Messages.DATABASE_UNREACHABLE.format(detail=_first_line(error)), 1
        except Exception as error:  # the last resort: a user never sees a traceback
            logger.debug("Unexpected failure", exc_info=True)
            message, code = (
                Messages.UNEXPECTED.format(detail=f"{type(error).__name__}: {_first_line(error)}"),
                1,
            )
        print(Messages.ERROR_PREFIX + message, file=sys.stderr)
        return code

    return run


def _first_line(error: BaseException) -> str:
    original: BaseException | None = getattr(error, "orig", None)
    text = str(original or error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__


def command_group(
    subparsers: argparse._SubParsersAction, name: str, help: str
) -> argparse._SubParsersAction:
    """A command with sub-commands (`python -m bot NAME SUB ...`); alone it shows the choices."""
    group = subparsers.add_parser(name, help=help)
    group.set_defaults(handler=_usage(group))
    return group.add_subparsers(dest=f"{name}_command")


def _usage(parser: argparse.ArgumentParser) -> Handler:
    """Handler of a command group called without its sub-command: show the choices."""

    def show(_arguments: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    return show
