"""Commands of the staff console: `python -m bot console` and `python -m bot staff ...`.

Exit codes: 0 done, 1 failed (database unreachable or not migrated), 2 invalid input.
Messages are Vietnamese, on stderr, never a traceback; a password is never echoed.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot.channels.http import serve
from bot.console import accounts
from bot.console.app import ConsoleConfig, build_app
from bot.db import engine as db
from bot.db.models import STAFF_ROLES
from bot.settings import get_settings

NOT_MIGRATED = "Cơ sở dữ liệu chưa được cập nhật cấu trúc: chạy `python -m bot db upgrade` trước."
UNREACHABLE = "Không kết nối được cơ sở dữ liệu ({kind})."
ROLE_NAMES = {"hotline": "tổng đài", "supervisor": "giám sát", "admin": "quản trị"}


def register(subparsers: argparse._SubParsersAction) -> None:
    console = subparsers.add_parser(
        "console", help="bàn làm việc cán bộ (web) trên CONSOLE_HOST:CONSOLE_PORT"
    )
    console.set_defaults(handler=_guarded(_serve))
    staff = subparsers.add_parser("staff", help="tài khoản cán bộ của bàn làm việc")
    commands = staff.add_subparsers(dest="staff_command", required=True)
    add = commands.add_parser("add", help="thêm tài khoản (mật khẩu đọc từ stdin hoặc hỏi)")
    add.add_argument("username")
    add.add_argument("--role", choices=STAFF_ROLES, required=True)
    add.add_argument(
        "--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin"
    )
    add.set_defaults(handler=_guarded(_add))
    listing = commands.add_parser("list", help="liệt kê tài khoản")
    listing.set_defaults(handler=_guarded(_list))
    disable = commands.add_parser("disable", help="khoá tài khoản và đăng xuất mọi phiên của nó")
    disable.add_argument("username")
    disable.set_defaults(handler=_guarded(_disable))


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Database failures and bad input as a Vietnamese line and an exit code."""

    def run(arguments: argparse.Namespace) -> int:
        try:
            if not db.is_up_to_date(db.get_engine()):
                return _fail(NOT_MIGRATED, 1)
            return handler(arguments)
        except accounts.AccountError as error:
            return _fail(str(error), 2)
        except SQLAlchemyError as error:
            return _fail(UNREACHABLE.format(kind=type(error).__name__), 1)

    return run


def _fail(message: str, code: int) -> int:
    print(f"LỖI: {message}", file=sys.stderr)
    return code


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: ")
    if first != getpass.getpass("Nhập lại mật khẩu: "):
        raise accounts.AccountError("Hai lần nhập mật khẩu không khớp.")
    return first


def _add(arguments: argparse.Namespace) -> int:
    password = _read_password(arguments.password_stdin)
    db.run_transaction(
        lambda s: accounts.add_account(s, arguments.username, arguments.role, password)
    )
    print(
        f"Đã thêm tài khoản {accounts.normalize_username(arguments.username)} "
        f"({ROLE_NAMES[arguments.role]})."
    )
    return 0


def _list(_arguments: argparse.Namespace) -> int:
    rows = db.run_transaction(accounts.list_accounts, read_only=True)
    if not rows:
        print(
            "Chưa có tài khoản nào. Thêm bằng: "
            "python -m bot staff add TÊN --role hotline --password-stdin"
        )
    for row in rows:
        state = f"đã khoá {row.disabled_at:%d/%m/%Y}" if row.disabled_at else "đang dùng"
        last = f"{row.last_login_at:%d/%m/%Y %H:%M}" if row.last_login_at else "chưa đăng nhập"
        print(f"{row.username}\t{ROLE_NAMES[row.role]}\t{state}\tđăng nhập gần nhất: {last}")
    return 0


def _disable(arguments: argparse.Namespace) -> int:
    if not db.run_transaction(lambda s: accounts.disable_account(s, arguments.username)):
        return _fail(f"Không có tài khoản {arguments.username}.", 2)
    print(f"Đã khoá tài khoản {accounts.normalize_username(arguments.username)}.")
    return 0


def _serve(_arguments: argparse.Namespace) -> int:
    settings = get_settings()
    config = ConsoleConfig(
        db.get_engine(),
        timedelta(minutes=settings.console_idle_minutes),
        settings.console_secure_cookies,
    )
    print(
        f"Bàn làm việc cán bộ: http://{settings.console_host}:{settings.console_port}/", flush=True
    )
    try:
        asyncio.run(_run(config, settings.console_host, settings.console_port))
    except KeyboardInterrupt:
        pass
    except OSError as error:
        return _fail(f"Không mở được cổng {settings.console_port} ({error.strerror or error}).", 1)
    return 0


async def _run(config: ConsoleConfig, host: str, port: int) -> None:
    async with serve(build_app(config), host, port):
        await asyncio.Event().wait()
