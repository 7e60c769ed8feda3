"""The training data: `rasa data validate` passes with warnings as errors; shared values agree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from bot.dossier_code import NLU_REGEX
from bot.settings import PROJECT_ROOT


def test_rasa_data_validate_is_clean() -> None:
    rasa = Path(sys.executable).with_name("rasa")
    result = subprocess.run(
        [
            str(rasa),
            "data",
            "validate",
            "--data",
            "nlu_data",
            "--domain",
            "domain.yml",
            "--config",
            "config.yml",
            "--fail-on-warnings",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_the_nlu_regex_is_the_one_dossier_code_pattern() -> None:
    data = yaml.safe_load((PROJECT_ROOT / "nlu_data" / "nlu.yml").read_text(encoding="utf-8"))
    regexes = [item for item in data["nlu"] if "regex" in item]
    assert [item["regex"] for item in regexes] == ["dossier_code"]
    assert [line.removeprefix("- ") for line in regexes[0]["examples"].splitlines()] == [NLU_REGEX]
