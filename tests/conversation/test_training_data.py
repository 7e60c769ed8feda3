"""`rasa data validate` must pass with warnings treated as errors."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.assistant import ROOT


def test_rasa_data_validate_is_clean() -> None:
    rasa = Path(sys.executable).with_name("rasa")
    result = subprocess.run(
        [str(rasa), "data", "validate", "--data", "nlu_data", "--domain", "domain.yml", "--config", "config.yml",
         "--fail-on-warnings"],
        cwd=ROOT, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
