"""Search benchmark: index load time, per-query latency and accuracy on the labelled set.

Prints figures; targets (docs/benchmarks.md): load ≤ 2 s, p95 ≤ 5 ms, top-1 ≥ 90 %, top-3 ≥ 97 %.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from pathlib import Path

import yaml

from procedures_kb.search import SearchIndex
from procedures_kb.store import load_aliases, load_name_words, load_records

QUERIES = Path(__file__).resolve().parent.parent / "procedures_kb" / "eval" / "queries.yml"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    started = time.perf_counter()
    index = SearchIndex(load_records(), load_aliases(), load_name_words())
    load_seconds = time.perf_counter() - started
    queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    top1, top3, seconds = Counter(), Counter(), []
    for repeat in range(3):  # the first round warms the typo-correction cache
        for query in queries:
            started = time.perf_counter()
            codes = [hit.code for hit in index.search(query["q"], limit=3)]
            seconds.append(time.perf_counter() - started)
            if repeat == 0:
                top1[query["style"]] += codes[:1] == [query["code"]]
                top3[query["style"]] += query["code"] in codes
    styles = Counter(query["style"] for query in queries)
    print(f"records: {index.size}  queries: {len(queries)}")
    print(f"index load: {load_seconds:.2f} s")
    print(
        f"query latency: p50 {1000 * statistics.median(seconds):.2f} ms, p95 {1000 * percentile(seconds, 0.95):.2f} ms"
    )
    print(
        f"top-1: {sum(top1.values()) / len(queries):.1%}   top-3: {sum(top3.values()) / len(queries):.1%}"
    )
    for style, count in sorted(styles.items()):
        print(
            f"  {style:<13} n={count:<4} top-1 {top1[style] / count:.1%}  top-3 {top3[style] / count:.1%}"
        )


if __name__ == "__main__":
    main()
