"""Full-turn latency: a message through the Agent, its custom action on the action server, back.

Usage: python -m benchmarks.bench_turn [--turns N]. Trains the model first if missing (make train).
Target (docs/benchmarks.md): p95 ≤ 80 ms per turn.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from bot import rasa_speedups
from bot.assistant import ActionServer, action_server, ensure_model, free_port, quiet_rasa_logs
from bot.settings import PROJECT_ROOT

MESSAGES = [
    "đăng ký thường trú lệ phí bao nhiêu",
    "nộp online được không?",
    "mất mấy ngày",
    "lam cccd cho con 15t can gi",
    "dang ky tam tru o dau",
    "Vợ tôi mới sinh cháu, đi làm khai sinh phải mang theo gì?",
    "thủ tục đăng ký kết hôn gồm những bước nào",
    "cho tôi gặp cán bộ",
    "xin chào",
    "cảm ơn nhé",
]


async def measure(actions: ActionServer, turns: int) -> list[float]:
    from rasa.core.agent import Agent

    quiet_rasa_logs()
    rasa_speedups.install()
    agent = Agent.load(
        str(ensure_model(PROJECT_ROOT / "config.yml")), action_endpoint=actions.endpoint()
    )
    await agent.handle_text("xin chào", sender_id="warm-up")
    seconds = []
    for turn in range(turns):
        started = time.perf_counter()
        await agent.handle_text(
            MESSAGES[turn % len(MESSAGES)], sender_id=f"bench-{turn // len(MESSAGES)}"
        )
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=300)
    arguments = parser.parse_args()
    with action_server(free_port()) as actions:
        seconds = sorted(asyncio.run(measure(actions, arguments.turns)))
    p95 = seconds[int(0.95 * (len(seconds) - 1))]
    print(
        f"full turn ({len(seconds)} turns): p50 {1000 * statistics.median(seconds):.1f} ms, p95 {1000 * p95:.1f} ms"
    )


if __name__ == "__main__":
    main()
