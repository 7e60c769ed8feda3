"""The phone-fit targets of issue 15 hold on the benchmark's hand-written questions."""

from __future__ import annotations

import statistics

import pytest

from benchmarks import bench_answers


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_TODAY", "2026-12-02")


def test_every_answer_meets_the_targets() -> None:
    results = bench_answers.run()
    assert len(results) >= 100
    assert [r.question for r in results if not r.fact_first] == []
    assert statistics.median(r.chars for r in results) <= 350
    assert all(len(message) <= 900 for r in results for message in r.messages)
    assert [
        r.question for r in results if r.truncated or r.repeated or r.placeholder or r.links != 1
    ] == []


def test_the_fact_check_fails_an_answer_that_opens_with_the_name() -> None:
    record = bench_answers.default_records()["1.004222"]
    late = "📄 Đăng ký thường trú (mã 1.004222)\n" + "x" * 200 + "\nLệ phí: 10.000 đồng"
    assert not bench_answers.FACTS["ask_fee"](record, late[: bench_answers.FIRST_CHARS])
