"""`python -m bot` database commands: output, exit codes, Vietnamese errors, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.__main__ import main
from bot.db.engine import make_engine, session_scope
from bot.db.models import Dossier
from bot.settings import PROJECT_ROOT

SEED = ["seed", "--demo", "--dossiers", "60", "--today", "2025-06-16"]


def _dossier_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return session.execute(select(func.count()).select_from(Dossier)).scalar_one()
    finally:
        engine.dispose()


def _samples(output: str) -> list[dict]:
    return json.loads(output)


def test_seed_json_is_deterministic_and_covers_every_status(cli, database_url: str) -> None:
    code, out, err = cli(*SEED, "--json")
    assert code == 0
    assert "Đã nạp dữ liệu mẫu" in err
    samples = _samples(out)
    assert {sample["status"] for sample in samples} == set(range(1, 11))
    assert all(set(sample) == {"code", "phone_last4", "status"} for sample in samples)
    code, again, _ = cli(*SEED, "--json", "--reset")
    assert code == 0 and _samples(again) == samples
    assert _dossier_count(database_url) == 60


def test_seed_refuses_a_non_empty_database(cli, database_url: str) -> None:
    assert cli(*SEED)[0] == 0
    code, out, err = cli(*SEED[:3], "100")
    assert code == 1
    assert "đã có dữ liệu (60 hồ sơ, 24 cơ quan)" in err and "--reset" in err
    assert _dossier_count(database_url) == 60


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["seed"], "hãy thêm --demo"),
        (["seed", "--demo", "--dossiers", "abc"], "--dossiers phải là một số nguyên dương"),
        (["seed", "--demo", "--dossiers", "5"], "--dossiers phải từ 10 trở lên"),
        (["seed", "--demo", "--today", "16/13/2025"], "ngày '16/13/2025' không hợp lệ"),
        (["survey", "report", "--since", "hôm qua"], "ngày 'hôm qua' không hợp lệ"),
        (["survey", "report", "--since", "2025-02-30"], "không hợp lệ"),
    ],
)
def test_bad_input_exits_2_with_a_vietnamese_message(
    cli, arguments: list[str], message: str
) -> None:
    code, out, err = cli(*arguments)
    assert code == 2
    assert err.startswith("Lỗi: ") and message in err


def test_report_needs_a_migrated_database(cli) -> None:
    code, _, err = cli("survey", "report")
    assert code == 1 and "python -m bot db upgrade" in err


def test_report_writes_csv_and_png(cli, tmp_path: Path) -> None:
    assert cli(*SEED[:3], "400")[0] == 0
    code, out, _ = cli(
        "survey",
        "report",
        "--since",
        "01/01/2024",
        "--csv",
        str(tmp_path / "r.csv"),
        "--png",
        str(tmp_path / "r.png"),
    )
    assert code == 0
    assert (
        "BÁO CÁO MỨC ĐỘ HÀI LÒNG" in out
        and "Từ ngày 01/01/2024" in out
        and "Theo tiêu chí đánh giá" in out
    )
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").startswith("nhóm,mã,tên")
    assert (tmp_path / "r.png").read_bytes().startswith(b"\x89PNG")


def test_report_unwritable_file(cli, tmp_path: Path) -> None:
    cli("db", "upgrade")
    code, _, err = cli("survey", "report", "--csv", str(tmp_path / "missing" / "r.csv"))
    assert code == 1 and "không ghi được tệp" in err


def test_db_upgrade_and_downgrade(cli, database_url: str) -> None:
    assert cli("db", "upgrade") == (
        0,
        "Đã cập nhật cấu trúc cơ sở dữ liệu lên phiên bản mới nhất.\n",
        "",
    )
    assert cli("db", "downgrade")[0] == 0
    assert cli("survey", "report")[0] == 1  # no longer migrated


def test_unreachable_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody:secret@127.0.0.1:1/none")
    assert main(["survey", "report"]) == 1
    err = capsys.readouterr().err
    assert "không kết nối hoặc không đọc được cơ sở dữ liệu" in err and "secret" not in err


def test_command_line_entry_point(tmp_path: Path) -> None:
    """The real `python -m bot` process: a bad date gives exit code 2 and no traceback."""
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "survey", "report", "--since", "31-12-2025"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": ""},
    )
    assert completed.returncode == 2
    assert "ngày '31-12-2025' không hợp lệ" in completed.stderr
    assert "Traceback" not in completed.stderr
