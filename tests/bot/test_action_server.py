"""The action server refuses every call without the shared token (forged survey included)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.assistant import action_server, free_port, wait_until_healthy
from bot.db.engine import make_engine, upgrade
from bot.db.models import SurveyResponse
from bot.settings import PROJECT_ROOT

TOKEN = "a-test-token-that-is-long-enough"


def call(url: str, body: dict[str, Any] | None = None, token: str | None = None) -> tuple[int, str]:
    headers = {
        "Content-Type": "application/json",
        **({"Authorization": f"Bearer {token}"} if token else {}),
    }
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data, headers, method="POST" if body is not None else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def forged_survey(code: str) -> dict[str, Any]:
    """What an attacker posts to store a rating for someone else's dossier."""
    slots = {"survey_dossier": code, "survey_overall": 1, "survey_offered": True}
    return {
        "next_action": "action_submit_survey",
        "sender_id": "tg:1",
        "version": "3.6.21",
        "tracker": {
            "sender_id": "tg:1",
            "slots": slots,
            "latest_message": {},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
        "domain": {},
    }


def test_rasa_sdks_own_server_is_open_to_anyone() -> None:
    """The attack, against the server `make serve` used to run: no credentials needed."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/health", process, 120)
        status, body = call(f"http://127.0.0.1:{port}/actions")
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert status == 200 and "action_submit_survey" in body


def test_our_action_server_refuses_calls_without_the_token(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'actions.db'}"
    upgrade(url)
    env_file = (
        tmp_path / "production.env"
    )  # production: it starts only with the salt from this file
    env_file.write_text(
        f"ASSISTANT_ENV=production\nASSISTANT_HASH_SALT=a-real-salt-from-the-env-file\n"
        f"DATABASE_URL={url}\n",
        encoding="utf-8",
    )
    env = {"ASSISTANT_ENV_FILE": str(env_file), "ACTION_SERVER_TOKEN": TOKEN}
    with action_server(free_port(), env) as server:
        base = server.url.removesuffix("/webhook")
        assert call(f"{base}/health")[0] == 200
        assert call(server.url, forged_survey("000.00.12.H25-250103-0042"))[0] == 401
        assert call(server.url, forged_survey("000.00.12.H25-250103-0042"), token="wrong")[0] == 401
        assert call(f"{base}/actions")[0] == 401
        status, body = call(f"{base}/actions", token=TOKEN)
        failed = call(
            server.url,
            {"next_action": "action_submit_survey", "tracker": "0912345678 bimat"},
            token=TOKEN,
        )
    assert status == 200 and "action_submit_survey" in body
    assert failed[0] == 500 and "0912345678" not in failed[1]  # rasa-sdk echoed the request
    engine = make_engine(url)
    with engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(SurveyResponse)).scalar_one() == 0
        )
    engine.dispose()
