"""The demo data as a served stack gets it: `python -m bot seed --demo --json` in a subprocess
(the conversation tests' served stack and `benchmarks/bench_load.py` share it)."""

from __future__ import annotations

import json
import subprocess
import sys
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
