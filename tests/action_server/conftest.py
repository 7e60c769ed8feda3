"""Helpers to run rasa-sdk actions on a hand-made tracker, as the action server would."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.db import engine as db_engine
from bot.db.models import vietnam_now
from tests.dossier_samples import SampleDossier, store_samples

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_FILE = ROOT / "domain.yml"
RESPONSES: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    DOMAIN_FILE.read_text(encoding="utf-8")
)["responses"]


def rendered(name: str, /, **values: Any) -> str:
    """The text of a domain.yml response with its {variables} filled, as Rasa says it; a
    variable left unfilled fails (KeyError) where Rasa would show "{code}" to the citizen."""
    return str(RESPONSES[name][0]["text"]).format_map(values)


def text_of(message: dict[str, Any]) -> str:
    """What the citizen reads for a message an action sent: its text, or its response filled
    with the values the action passed along."""
    if message.get("response"):
        return rendered(message["response"], **message)
    return message.get("text") or ""


def buttons_of(message: dict[str, Any]) -> list[dict[str, str]]:
    """The response's buttons, then those the action added (Rasa shows both, in that order)."""
    fixed = RESPONSES[message["response"]][0].get("buttons", []) if message.get("response") else []
    return [*fixed, *(message.get("buttons") or [])]


def make_tracker(
    intent: str,
    text: str = "",
    entities: Optional[list[dict[str, Any]]] = None,
    slots: Optional[dict[str, Any]] = None,
    sender_id: str = "test-user",
    active_loop: Optional[str] = None,
    candidates: Optional[dict[str, Any]] = None,
    message_id: str = "message-1",
) -> Tracker:
    """A tracker whose last user message is `text`. With `active_loop`, it looks like the one a
    form hands its validation action: the form ran, then the slot `candidates` were set."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": entities or [],
              "message_id": message_id}
    events: list[dict[str, Any]] = [
        {"event": "user", "text": text, "parse_data": latest, "message_id": message_id, "timestamp": 1700000000.0}
    ]
    if active_loop:
        events.append({"event": "action", "name": active_loop})
    events += [{"event": "slot", "name": name, "value": value} for name, value in (candidates or {}).items()]
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": {**(slots or {}), **(candidates or {})},
            "latest_message": latest,
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": active_loop or "action_listen",
        }
    )


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The project's domain as the action server receives it."""
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def _sample_database(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, SampleDossier]]:
    """A migrated SQLite file with the sample dossiers, copied for every test that needs it."""
    path = tmp_path_factory.mktemp("dossier-db") / "template.db"
    url = f"sqlite:///{path}"
    db_engine.upgrade(url)
    engine = db_engine.make_engine(url)
    try:
        samples = store_samples(engine, vietnam_now())
    finally:
        engine.dispose()  # closing the last connection folds the WAL into the file
    return path, samples


@pytest.fixture
def samples(
    _sample_database: tuple[Path, dict[str, SampleDossier]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, SampleDossier]]:
    """A fresh copy of the sample database as DATABASE_URL (the actions' engine); the samples by role.

    `bot.db.engine.get_engine` keeps one engine per URL for the process: the test's engine is
    disposed of and the cache emptied afterwards, so no test sees another's database.
    """
    template, dossiers = _sample_database
    path = tmp_path / "assistant.db"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("HOTLINE_TEXT", "Tổng đài 1900 0000")
    yield dossiers
    db_engine.get_engine(url).dispose()
    db_engine._shared_engine.cache_clear()
