"""`python -m bot staff add|list|disable` and the console's refusal on an old schema."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.bot.console.conftest import ConsoleDb


def _run(monkeypatch: pytest.MonkeyPatch, args: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(args)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_staff_accounts_from_the_command_line(
    console_db: ConsoleDb, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", console_db.url)
    add = ["staff", "add", "Hoa", "--role", "hotline", "--password-stdin"]
    assert _run(monkeypatch, add, "mat-khau-cua-hoa\n") == 0
    assert _run(monkeypatch, add, "mat-khau-cua-hoa\n") == 2  # already there
    bad_name = ["staff", "add", "x y", "--role", "admin", "--password-stdin"]
    assert _run(monkeypatch, bad_name, "mat-khau-cua-x-y\n") == 2
    assert _run(monkeypatch, ["staff", "disable", "hoa"]) == 0
    assert _run(monkeypatch, ["staff", "disable", "khong-co"]) == 2
    assert _run(monkeypatch, ["staff", "list"]) == 0
    out, err = capsys.readouterr()
    assert "Đã thêm tài khoản hoa (tổng đài)." in out and "mat-khau-cua-hoa" not in out + err
    assert "Tài khoản hoa đã có." in err and "Tên đăng nhập gồm" in err
    assert _run(monkeypatch, add[:2] + ["minh2", *add[3:]], "ngan\n") == 2  # too short
    assert "Không có tài khoản khong-co." in err
    assert any(line.startswith("hoa\ttổng đài\tđã khoá") for line in out.splitlines())


def test_commands_refuse_a_database_without_the_console_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'old.db'}")
    assert _run(monkeypatch, ["staff", "list"]) == 1
    assert _run(monkeypatch, ["console"]) == 1
    assert "python -m bot db upgrade" in capsys.readouterr().err
