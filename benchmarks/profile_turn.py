"""Where a turn's time goes: cProfile over conversations through the Agent and the action
server, summarised by stage (the "flame summary" in docs/benchmarks.md).

Usage: python -m benchmarks.profile_turn [--turns N] [--config config.yml] [--top 25]
Only the Rasa side is profiled; the action server runs in its own process (its share is
the time Rasa waits for it: "action server round trip").
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from pathlib import Path

from benchmarks.bench_turn import MESSAGES
from bot import rasa_speedups
from bot.assistant import (
    ActionServer,
    action_server,
    ensure_model,
    free_port,
    quiet_rasa_logs,
)
from bot.settings import PROJECT_ROOT

# Stage -> the function whose cumulative time is that stage's share ("file:function").
STAGES = {
    "NLU pipeline (parse_message)": "rasa/core/processor.py:parse_message",
    "dialogue prediction (policies)": "rasa/core/processor.py:predict_next_with_tracker_if_should",
    "action server round trip": "rasa/core/actions/action.py:run",
    "tracker store: retrieve": "rasa/core/processor.py:fetch_tracker_and_update_session",
    "tracker store: save": "rasa/core/processor.py:save_tracker",
    "lock store": "rasa/core/lock_store.py:lock",
    "HTTP client session creation": "aiohttp/client.py:__init__",
}


async def _turns(agent: object, turns: int) -> float:
    started = time.perf_counter()
    for turn in range(turns):
        await agent.handle_text(
            MESSAGES[turn % len(MESSAGES)], sender_id=f"profile-{turn // len(MESSAGES)}"
        )
    return time.perf_counter() - started


def profile(
    actions: ActionServer, config: Path, turns: int, speedups: bool = True
) -> tuple[pstats.Stats, float]:
    from rasa.core.agent import Agent

    quiet_rasa_logs()
    if speedups:
        rasa_speedups.install()
    agent = Agent.load(str(ensure_model(config)), action_endpoint=actions.endpoint())
    loop = asyncio.new_event_loop()
    loop.run_until_complete(_turns(agent, len(MESSAGES)))  # warm-up: caches, TF graphs
    profiler = cProfile.Profile()
    profiler.enable()
    seconds = loop.run_until_complete(_turns(agent, turns))
    profiler.disable()
    loop.close()
    return pstats.Stats(profiler), seconds


def stage_seconds(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds of each stage's function (0 when it never ran)."""
    found = {stage: 0.0 for stage in STAGES}
    entries = stats.stats.items()  # type: ignore[attr-defined]
    for (file, _line, function), (_cc, _nc, _tt, cumulative, _callers) in entries:
        for stage, target in STAGES.items():
            path, name = target.split(":")
            if function == name and file.endswith(path):
                found[stage] += cumulative
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--without-speedups", action="store_true", help="Rasa as shipped (bot/rasa_speedups.py off)"
    )
    arguments = parser.parse_args()
    with action_server(free_port()) as actions:
        stats, seconds = profile(
            actions, arguments.config, arguments.turns, not arguments.without_speedups
        )
    per_turn = 1000 * seconds / arguments.turns
    print(f"{arguments.turns} turns, {per_turn:.1f} ms per turn under the profiler\n")
    print("| stage | ms per turn | share |\n|---|---|---|")
    for stage, cumulative in stage_seconds(stats).items():
        ms = 1000 * cumulative / arguments.turns
        print(f"| {stage} | {ms:.1f} | {100 * ms / per_turn:.0f} % |")
    print()
    stats.sort_stats("cumulative").print_stats(arguments.top)


if __name__ == "__main__":
    main()
