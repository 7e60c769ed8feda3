"""`python -m bot dossiers import` and `python -m bot notify status`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.db.engine import make_engine, session_scope, upgrade
from bot.db.models import Dossier
from tests.helpers.db_factories import CODE, DOSSIER, PHONE, store

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(cli: Cli, database_url: str) -> Cli:
    """The command line on a database holding the reference dossier."""
    upgrade(database_url)
    engine = make_engine(database_url)
    store(engine, DOSSIER)
    engine.dispose()
    return cli


def test_csv_import_summarises_outcomes_and_rejections(
    cli, tmp_path: Path, database_url: str
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "code,status,changed_at,phone,note\n"
        f"{CODE},5,2025-01-10T09:00:00+07:00,,Bổ sung ảnh 4x6\n"
        f"{CODE},5,2025-01-10T09:00:00+07:00,,Bổ sung ảnh 4x6\n"
        f"000.00.12.H25-250104-0001,2,2025-01-04T08:00:00,{PHONE},\n"
        f"{CODE},12,2025-01-10T10:00:00,,\n",
        encoding="utf-8",
    )
    code, out, err = cli("dossiers", "import", str(path))
    assert code == 0
    assert "tạo mới: 1" in out and "cập nhật trạng thái: 1" in out and "không đổi: 1" in out
    assert "bị từ chối: 1" in out and "dòng 5: status phải là số từ 1 đến 10" in out
    assert "4/4" in err  # the progress bar
    engine = make_engine(database_url)
    with session_scope(engine, read_only=True) as session:
        assert session.query(Dossier).count() == 2
    engine.dispose()


def test_json_lines_import_and_unreadable_lines(cli, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(
        json.dumps({"code": CODE, "status": 6, "changed_at": "2025-01-10T09:00:00"})
        + "\n{broken\n",
        encoding="utf-8",
    )
    code, out, _ = cli("dossiers", "import", str(path), "--no-progress")
    assert code == 0
    assert "cập nhật trạng thái: 1" in out and "dòng 2: sự kiện phải là một đối tượng JSON" in out


def test_missing_file_and_notify_status(cli, tmp_path: Path) -> None:
    code, _, err = cli("dossiers", "import", str(tmp_path / "none.csv"))
    assert code == 2 and "Không tìm thấy tệp" in err
    code, out, _ = cli("notify", "status")
    assert code == 0 and "Thông báo đã gửi: 0; chờ gửi: 0" in out
