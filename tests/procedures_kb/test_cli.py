"""The staff command line, called in-process as `main(argv)` (one subprocess smoke test runs
the installed `tthc-kb` console script as a hotline operator would)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from procedures_kb.cli import main


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


Runner = Callable[..., Run]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Runner:
    """Call the CLI in this process; `today` sets ASSISTANT_TODAY as the operator's shell would."""

    def call(*arguments: str, today: str = "2026-12-02") -> Run:
        monkeypatch.setenv("ASSISTANT_TODAY", today)
        capsys.readouterr()
        try:
            code = main(list(arguments))
        except SystemExit as exit_:  # argparse and the CLI's own refusals exit
            code = exit_.code if isinstance(exit_.code, int) else 2
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return call


def test_installed_console_script_runs() -> None:
    """The one subprocess: the entry point `pip install -e .` puts beside the interpreter."""
    script = Path(sys.executable).with_name("tthc-kb")
    result = subprocess.run(
        [str(script), "search", "nhap ho khau", "--json", "--limit", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["code"] == "1.004222"


def test_show_json_gives_methods_per_channel(run: Runner) -> None:
    result = run("show", "1.004222", "--json")
    assert result.returncode == 0
    record = json.loads(result.stdout)
    methods = {
        m["channel"]: (m["time_value"], m["time_unit"], m["fee_vnd"]) for m in record["methods"]
    }
    assert methods == {
        "Trực tuyến": (7, "ngày làm việc", 10000),
        "Trực tiếp": (7, "ngày làm việc", 20000),
    }
    assert list(record) == [
        "code",
        "name",
        "field",
        "levels",
        "procedure_type",
        "applicants",
        "agencies",
        "decision",
        "source_url",
        "methods",
        "documents",
        "steps",
        "conditions",
        "result",
        "legal_basis",
        "related",
    ]


def test_show_human_output_for_the_hotline(run: Runner) -> None:
    result = run("show", "1.004222")
    assert result.returncode == 0
    assert "Đăng ký thường trú" in result.stdout and "1.004222" in result.stdout
    assert "Trực tuyến: 7 ngày làm việc; lệ phí 10.000 đồng" in result.stdout
    assert "[Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ]" in result.stdout
    assert "https://dichvucong.gov.vn/" in result.stdout


def test_show_prints_the_fee_in_force_and_each_channels_note(run: Runner) -> None:
    result = run("show", "3.000347")
    assert result.returncode == 0
    assert "lệ phí áp dụng ngày 02/12/2026" in result.stdout
    assert "• Trực tuyến: 5 ngày làm việc; lệ phí 135.000 đồng" in result.stdout
    assert "• Trực tiếp: 5 ngày làm việc; lệ phí 135.000 đồng" in result.stdout
    assert result.stdout.count("Ghi chú: - Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần.") == 2
    assert "miễn phí" not in result.stdout.lower()


def test_fee_command_gives_the_fee_in_force_today_per_channel(run: Runner) -> None:
    result = run("fee", "3.000347")
    assert result.returncode == 0
    assert (
        "• Trực tuyến: 135.000 đồng" in result.stdout
        and "• Trực tiếp: 135.000 đồng" in result.stdout
    )


def test_fee_command_json_on_a_date(run: Runner) -> None:
    today = json.loads(run("fee", "1.014063", "--json").stdout)
    online = next(fee for fee in today if fee["channel"] == "Trực tuyến")
    assert (online["amount"], online["basis"], online["valid_until"]) == (
        25000,
        "reduced",
        "2026-12-31",
    )
    later = json.loads(run("fee", "1.014063", "--on", "2027-01-15", "--json").stdout)
    assert {
        (fee["channel"], fee["amount"], fee["basis"])
        for fee in later
        if fee["channel"] != "Dịch vụ bưu chính"
    } == {
        ("Trực tiếp", 50000, "catalogue"),
        ("Trực tuyến", 50000, "catalogue"),
    }
    assert list(later[0]) == [
        "channel",
        "amount",
        "currency",
        "basis",
        "valid_until",
        "text",
        "cases",
    ]
    by_law = json.loads(run("fee", "1.013831", "--json").stdout)
    assert {(fee["amount"], fee["basis"]) for fee in by_law} == {(None, "by_regulation")}
    assert {fee["amount"] for fee in json.loads(run("fee", "1.004022", "--json").stdout)} == {
        900000
    }


@pytest.mark.parametrize(
    "arguments, today, message",
    [
        (("fee", "9.999999"), "2026-12-02", "Không có thủ tục nào mang mã “9.999999”"),
        (
            ("fee", "3.000347", "--on", "2026-02-30"),
            "2026-12-02",
            "Ngày không hợp lệ (--on 2026-02-30)",
        ),
        (("fee", "3.000347"), "02/12/2026", "ASSISTANT_TODAY='02/12/2026'"),
        (("show", "3.000347"), "mai", "ASSISTANT_TODAY='mai'"),
    ],
)
def test_fee_command_refuses_unknown_codes_and_bad_dates(
    run: Runner, arguments: tuple[str, ...], today: str, message: str
) -> None:
    result = run(*arguments, today=today)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_search_json_ranks_permanent_residence_first(run: Runner) -> None:
    result = run("search", "nhap ho khau", "--json", "--limit", "3")
    hits = json.loads(result.stdout)
    assert result.returncode == 0 and len(hits) == 3
    assert hits[0]["code"] == "1.004222" and set(hits[0]) == {"code", "name", "score"}


def test_unknown_code_and_empty_query_exit_2_with_a_message(run: Runner) -> None:
    unknown = run("show", "9.999999")
    assert unknown.returncode == 2 and "Không có thủ tục nào mang mã" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    empty = run("search", "   ")
    assert empty.returncode == 2 and "Hãy nhập nội dung cần tìm" in empty.stderr
    bad_limit = run("search", "khai sinh", "--limit", "0")
    assert bad_limit.returncode == 2


def test_show_prints_notes_as_notes_without_counts(run: Runner) -> None:
    """2.000806: the portal gives "1 bản chính" to a lead-in and to a rule; show says what the bot says."""
    lines = run("show", "2.000806").stdout.splitlines()
    assert (
        "    Ngoài giấy tờ nêu trên, tùy từng trường hợp, bên nam, bên nữ phải nộp giấy tờ tương ứng sau đây:"
        in lines
    )
    validity = next(line for line in lines if "Giá trị sử dụng của giấy tờ chứng minh" in line)
    assert validity.startswith("    Lưu ý: Giá trị sử dụng") and "bản chính)" not in validity
    assert (
        "    - Giấy xác nhận của tổ chức y tế" in "\n".join(lines) and "  [Giấy tờ chung]" in lines
    )
