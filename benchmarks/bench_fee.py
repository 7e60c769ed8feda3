"""Fee benchmark: time of `fees_in_force` per record after the records load, over the whole
catalogue on one date, plus what the fee model reads from the catalogue.

Prints figures; target (docs/benchmarks.md): p95 ≤ 5 ms per call.
Run: `python -m benchmarks.bench_fee [--on YYYY-MM-DD]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

from procedures_kb.fees import cell_amount, fees_in_force, parse_date
from procedures_kb.store import Record, load_records


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def differs_from_cell(record: Record, on_date) -> bool:  # type: ignore[no-untyped-def]
    """Does any channel's general fee on the date differ from the literal fee cell?"""
    for fee in fees_in_force(record, on_date):
        method = next(m for m in record["methods"] if m["channel"] == fee.channel)
        cell = cell_amount(method)
        literal = (cell.amount, cell.currency) if cell else None
        if literal != ((fee.amount, fee.currency) if fee.amount is not None else None):
            return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--on", default="2026-12-02")
    on = parse_date(parser.parse_args().on)
    started = time.perf_counter()
    records = list(load_records().values())
    load_seconds = time.perf_counter() - started
    seconds = []
    for _ in range(3):
        for record in records:
            started = time.perf_counter()
            fees_in_force(record, on)
            seconds.append(time.perf_counter() - started)
    methods = [method for record in records for method in record["methods"]]
    bases = Counter(method["fee_basis"] for method in methods)
    flags = Counter(flag for method in methods for flag in method["fee_flags"])
    in_force = Counter(fee.basis for record in records for fee in fees_in_force(record, on))
    print(f"records: {len(records)}  methods: {len(methods)}  date: {on}")
    print(f"records load: {load_seconds:.2f} s")
    print(
        f"fees_in_force per record: p50 {1000 * statistics.median(seconds):.3f} ms, p95 {1000 * percentile(seconds, 0.95):.3f} ms"
    )
    print(f"fee_basis per method: {dict(bases.most_common())}")
    print(f"fee_flags per method: {dict(flags.most_common())}")
    print(f"basis in force per channel: {dict(in_force.most_common())}")
    print(
        f"records whose fee in force differs from the literal cell: {sum(differs_from_cell(r, on) for r in records)}"
    )


if __name__ == "__main__":
    main()
