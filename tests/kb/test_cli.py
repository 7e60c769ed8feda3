"""The staff command line, run as a hotline operator would run it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "procedures_kb", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_show_json_gives_methods_per_channel() -> None:
    result = run("show", "1.004222", "--json")
    assert result.returncode == 0
    record = json.loads(result.stdout)
    methods = {m["channel"]: (m["time_value"], m["time_unit"], m["fee_vnd"]) for m in record["methods"]}
    assert methods == {"Trực tuyến": (7, "ngày làm việc", 10000), "Trực tiếp": (7, "ngày làm việc", 20000)}
    assert list(record) == [
        "code", "name", "field", "levels", "procedure_type", "applicants", "agencies", "decision", "source_url",
        "methods", "documents", "steps", "conditions", "result", "legal_basis", "related",
    ]


def test_show_human_output_for_the_hotline() -> None:
    result = run("show", "1.004222")
    assert result.returncode == 0
    assert "Đăng ký thường trú" in result.stdout and "1.004222" in result.stdout
    assert "Trực tuyến: 7 ngày làm việc; lệ phí 10.000 đồng" in result.stdout
    assert "[Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ]" in result.stdout
    assert "https://dichvucong.gov.vn/" in result.stdout


def test_search_json_ranks_permanent_residence_first() -> None:
    result = run("search", "nhap ho khau", "--json", "--limit", "3")
    hits = json.loads(result.stdout)
    assert result.returncode == 0 and len(hits) == 3
    assert hits[0]["code"] == "1.004222" and set(hits[0]) == {"code", "name", "score"}


def test_unknown_code_and_empty_query_exit_2_with_a_message() -> None:
    unknown = run("show", "9.999999")
    assert unknown.returncode == 2 and "Không có thủ tục nào mang mã" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    empty = run("search", "   ")
    assert empty.returncode == 2 and "Hãy nhập nội dung cần tìm" in empty.stderr
    bad_limit = run("search", "khai sinh", "--limit", "0")
    assert bad_limit.returncode == 2


def test_show_prints_notes_as_notes_without_counts() -> None:
    """2.000806: the portal gives "1 bản chính" to a lead-in and to a rule; show says what the bot says."""
    lines = run("show", "2.000806").stdout.splitlines()
    assert "    Ngoài giấy tờ nêu trên, tùy từng trường hợp, bên nam, bên nữ phải nộp giấy tờ tương ứng sau đây:" in lines
    validity = next(line for line in lines if "Giá trị sử dụng của giấy tờ chứng minh" in line)
    assert validity.startswith("    Lưu ý: Giá trị sử dụng") and "bản chính)" not in validity
    assert "    - Giấy xác nhận của tổ chức y tế" in "\n".join(lines) and "  [Giấy tờ chung]" in lines
