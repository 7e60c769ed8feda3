"""A real Agent on a small trained model, with the action server running on loopback."""
from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.assistant import ROOT, action_server, ensure_model, free_port

TEST_CONFIG = ROOT / "config_test.yml"


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Trained once and kept in models/ under a content fingerprint, so reruns reuse it."""
    return ensure_model(TEST_CONFIG)


@pytest.fixture(scope="session")
def action_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("db") / "assistant.db"
    env = {"DATABASE_URL": f"sqlite:///{database}", "HOTLINE_TEXT": "Tổng đài 1900 0000"}
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
