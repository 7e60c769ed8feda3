"""`make serve` end to end: a seeded --json sample looked up through the REST channel."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.assistant import ROOT, free_port
from bot.db.texts import STATUS_TEXTS

pytestmark = pytest.mark.rasa


def post(url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "make serve stopped"
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(1)
    raise TimeoutError(url)


@pytest.fixture
def served(tmp_path: Path, trained_model: Path) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "RASA_CONFIG": "config_test.yml",
           "RASA_PORT": str(free_port()), "ACTION_SERVER_PORT": str(free_port()), "PYTHONPATH": str(ROOT)}
    seeded = subprocess.run([sys.executable, "-m", "bot", "seed", "--demo", "--json", "--dossiers", "300"],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    process = subprocess.Popen(["bash", "scripts/serve.sh"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{env['RASA_PORT']}"
    try:
        wait_for(f"{base}/", process)
        wait_for(f"http://127.0.0.1:{env['ACTION_SERVER_PORT']}/health", process)
        yield f"{base}/webhooks/rest/webhook", json.loads(seeded.stdout)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def test_lookup_of_a_seeded_sample_through_the_rest_channel(served: tuple[str, list[dict[str, Any]]]) -> None:
    url, samples = served
    sample = next(s for s in samples if s["status"] == 4)
    asked = post(url, {"sender": "rest-citizen", "message": f"tra cứu hồ sơ {sample['code']}"})
    assert "4 chữ số cuối" in " ".join(m.get("text", "") for m in asked)
    answer = " ".join(m.get("text", "") for m in post(url, {"sender": "rest-citizen", "message": sample["phone_last4"]}))
    assert STATUS_TEXTS[4].name in answer and sample["code"] in answer
