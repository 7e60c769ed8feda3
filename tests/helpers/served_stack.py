"""Starting a served stack the way `make serve` / `make cluster` do, shared by the conversation
tests and `benchmarks/bench_load.py`: demo data from `python -m bot seed --demo --json`, and a
`scripts/*.sh` launcher in its own session with its output in a log file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT


def seed_demo_subprocess(env: dict[str, str], dossiers: int) -> list[dict[str, Any]]:
    """Seeds `dossiers` demo dossiers into the database `env` names; the JSON samples it prints."""
    out = subprocess.run(
        [sys.executable, "-m", "bot", "seed", "--demo", "--json", "--dossiers", str(dossiers)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(out.stdout))


def start_script(script: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Runs `bash scripts/<script>` in its own session (stop it by its process group)."""
    with log.open("wb") as output:
        return subprocess.Popen(
            ["bash", f"scripts/{script}"],
            cwd=PROJECT_ROOT,
            env=env,
            start_new_session=True,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
