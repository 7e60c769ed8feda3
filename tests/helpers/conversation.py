"""What the end-to-end conversation tests hold: the seeded database, a citizen talking to
the agent, the servers `make serve` starts (the fixtures are in tests/conversation/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.admin.seed import Sample
from tests.helpers.dossier_samples import SampleDossier


@dataclass(frozen=True)
class SeededDatabase:
    """The action server's database: demo data plus the hand-made sample dossiers."""

    url: str
    demo: tuple[Sample, ...]  # seed_demo's samples (code, phone_last4, status): two per status
    dossiers: dict[
        str, SampleDossier
    ]  # tests/helpers/dossier_samples.py, by role; phone digits DIGITS

    def demo_sample(self, status: int) -> Sample:
        return next(sample for sample in self.demo if sample.status == status)


class Conversation:
    """One citizen talking to the agent; keeps the last messages and buttons for `press`."""

    def __init__(self, agent: Any, sender: str) -> None:
        self.agent, self.sender, self.buttons = agent, sender, []
        self.messages: list[str] = []

    async def say(self, text: str) -> str:
        messages = await self.agent.handle_text(text, sender_id=self.sender)
        self.messages = [message.get("text") or "" for message in messages]
        self.buttons = [button for message in messages for button in message.get("buttons") or []]
        return "\n".join(message.get("text") or "" for message in messages)

    async def press(self, title_part: str) -> str:
        button = next(b for b in self.buttons if title_part in b["title"])
        return await self.say(button["payload"])


@dataclass(frozen=True)
class Served:
    """`scripts/serve.sh` (what `make serve` runs) on the small test model, settings from a .env file."""

    rasa: str  # http://127.0.0.1:PORT
    actions: str  # http://127.0.0.1:PORT
    env_file: Path
    database_url: str
    log: Path  # everything both servers printed
    samples: list[dict[str, Any]]  # bot seed --demo --json
    api_token: str

    @property
    def rest(self) -> str:
        return f"{self.rasa}/webhooks/rest/webhook"
