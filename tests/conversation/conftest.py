"""A real Agent on a small trained model, with the action server running on loopback."""
from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.assistant import ROOT, action_server, ensure_model, free_port
from bot.db.engine import make_engine, upgrade
from bot.db.models import vietnam_now
from bot.db.seed import Sample, seed_demo
from tests.dossier_samples import SampleDossier, store_samples

TEST_CONFIG = ROOT / "config_test.yml"
DEMO_DOSSIERS = 200


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Trained once and kept in models/ under a content fingerprint, so reruns reuse it."""
    return ensure_model(TEST_CONFIG)


@dataclass(frozen=True)
class SeededDatabase:
    """The action server's database: demo data plus the hand-made sample dossiers."""

    url: str
    demo: tuple[Sample, ...]  # seed_demo's samples (code, phone_last4, status): two per status
    dossiers: dict[str, SampleDossier]  # tests/dossier_samples.py, by role; phone digits DIGITS

    def demo_sample(self, status: int) -> Sample:
        return next(sample for sample in self.demo if sample.status == status)


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> SeededDatabase:
    """Migrated and seeded before the action server starts (it reads DATABASE_URL once)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'assistant.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        summary = seed_demo(engine, DEMO_DOSSIERS)
        dossiers = store_samples(engine, vietnam_now())
    finally:
        engine.dispose()
    return SeededDatabase(url, summary.samples, dossiers)


@pytest.fixture(scope="session")
def action_url(seeded_database: SeededDatabase) -> Iterator[str]:
    # A short SQLite busy timeout: the test of a locked database waits for it.
    env = {"DATABASE_URL": f"{seeded_database.url}?timeout=2", "HOTLINE_TEXT": "Tổng đài 1900 0000"}
    with action_server(free_port(), env) as url:
        yield url


@pytest.fixture(scope="session")
def event_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def agent(trained_model: Path, action_url: str) -> Any:
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    return Agent.load(str(trained_model), action_endpoint=EndpointConfig(url=action_url))


class Conversation:
    """One citizen talking to the agent; keeps the last buttons for `press`."""

    def __init__(self, agent: Any, sender: str) -> None:
        self.agent, self.sender, self.buttons = agent, sender, []

    async def say(self, text: str) -> str:
        messages = await self.agent.handle_text(text, sender_id=self.sender)
        self.buttons = [button for message in messages for button in message.get("buttons") or []]
        return "\n".join(message.get("text") or "" for message in messages)

    async def press(self, title_part: str) -> str:
        button = next(b for b in self.buttons if title_part in b["title"])
        return await self.say(button["payload"])


@pytest.fixture
def conversation(agent: Any, request: pytest.FixtureRequest) -> Conversation:
    return Conversation(agent, sender=f"test-{request.node.name}-{os.getpid()}")
