"""The real `rasa run` (small test model, credentials.yml, the project's input channel) and
the real action server, with the gateway in front: fuzzing the REST channel, metadata in
the tracker, the shared token, and the apology when the action server is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot import wording
from bot.admin.seed import seed_demo
from bot.assistant import ensure_model, free_port
from bot.db.engine import make_engine, upgrade
from bot.settings import PROJECT_ROOT
from tests.helpers.channel_fakes import (
    HOTLINE,
    FakeTelegram,
    FakeZalo,
    post_zalo,
    tg_text,
    zalo_text,
)
from tests.helpers.fuzz_inputs import SEED, Fuzzer, Tally, check_rasa_answer, latin1, tracebacks_in

pytestmark = pytest.mark.rasa

CHANNEL_TOKEN = "test-channel-token"
API_TOKEN = "test-api-token"
FUZZ_CASES = 400
QUESTION = "đăng ký khai sinh cần những giấy tờ gì"  # answered by a custom action
ANSWER_MARK = "1.001193"  # the procedure code the answer quotes
START_TIMEOUT = 300.0


@dataclass
class Process:
    """A server started by the tests, its output in a log file."""

    command: list[str]
    env: dict[str, str]
    log: Path
    health_url: str
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.launch()
        self.wait_until_healthy()

    def launch(self) -> None:
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                self.command, cwd=PROJECT_ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def wait_until_healthy(self) -> None:
        assert self.popen is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.popen.poll() is None, self.log.read_text(errors="replace")[-3000:]
            try:
                urllib.request.urlopen(self.health_url, timeout=2).close()
                return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(self.health_url)

    def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, how)
            self.popen.wait(timeout=60)

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")


@dataclass
class RasaStack:
    rasa: Process
    actions: Process

    @property
    def url(self) -> str:
        return self.rasa.health_url.removesuffix("/")

    @property
    def webhook(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"


@pytest.fixture(scope="module")
def rasa_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    model = ensure_model(PROJECT_ROOT / "config_test.yml")
    folder = tmp_path_factory.mktemp("rasa_stack")
    database = f"sqlite:///{folder / 'assistant.db'}"
    upgrade(database)
    engine = make_engine(database)
    try:
        seed_demo(engine, 50)
    finally:
        engine.dispose()
    rasa_port, actions_port = free_port(), free_port()
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "DATABASE_URL": database,
        "HOTLINE_TEXT": HOTLINE,
        "RASA_CHANNEL_TOKEN": CHANNEL_TOKEN,
        "ACTION_SERVER_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "ACTION_SERVER_TOKEN": "test-action-server-token",  # for both, where it is required
    }
    actions = Process(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
        env, folder / "actions.log", f"http://127.0.0.1:{actions_port}/health",
    )  # fmt: skip
    rasa = Process(
        [sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(rasa_port),
         "--interface", "127.0.0.1", "--credentials", "credentials.yml",
         "--endpoints", "endpoints.yml", "--enable-api", "--auth-token", API_TOKEN],
        env, folder / "rasa.log", f"http://127.0.0.1:{rasa_port}/",
    )  # fmt: skip
    actions.launch()
    try:
        rasa.launch()
        actions.wait_until_healthy()
        rasa.wait_until_healthy()
        yield RasaStack(rasa, actions)
    finally:
        rasa.stop()
        actions.stop()


async def _post(
    http: aiohttp.ClientSession, url: str, body: bytes, token: str = CHANNEL_TOKEN
) -> tuple[int, bytes]:
    headers = {"X-Rasa-Channel-Token": token, "Content-Type": "application/json"}
    async with http.post(url, data=body, headers=headers) as response:
        return response.status, await response.read()


async def _ask(http: aiohttp.ClientSession, stack: RasaStack, sender: str, text: str) -> str:
    body = json.dumps({"sender": sender, "message": text}).encode()
    status, answer = await _post(http, stack.webhook, body)
    assert status == 200
    return "\n".join(message.get("text", "") for message in json.loads(answer))


async def test_fuzz_the_rest_channel_of_the_real_rasa(
    rasa_stack: RasaStack, http: aiohttp.ClientSession
) -> None:
    """Through NLU, policies and the action server: slash commands with malformed entities,
    odd texts and bodies. No 5xx, no silent answer, no traceback in either server's log."""
    fuzzer, tally = Fuzzer(SEED + 5), Tally("Rasa REST channel (rasa run)")
    servers = (rasa_stack.rasa, rasa_stack.actions)
    log_offsets = [server.log_size() for server in servers]
    senders = [f"fuzz-{n}" for n in range(25)]

    def valid() -> dict[str, Any]:
        text = fuzzer.slash_command() if fuzzer.chance(0.5) else fuzzer.text()
        metadata = {"channel": "web", "client_address": f"203.0.113.{fuzzer.rng.randrange(256)}"}
        return {"sender": fuzzer.rng.choice(senders), "message": text, "metadata": metadata}

    slash_commands = 0
    for _ in range(FUZZ_CASES):
        body = fuzzer.body(valid)
        slash_commands += b'"message": "/' in body
        token = CHANNEL_TOKEN if fuzzer.chance(0.95) else fuzzer.text()[:40]
        status, answer = await _post(http, rasa_stack.webhook, body, latin1(token))
        tally.record(status, answer, body)
        check_rasa_answer(tally, status, answer, body)
    afterwards = await _ask(http, rasa_stack, "fuzz-after", QUESTION)

    print(f"{tally.summary()}; {slash_commands} slash commands")
    assert tally.problems == []
    assert ANSWER_MARK in afterwards
    for server, offset in zip(servers, log_offsets, strict=False):
        assert tracebacks_in(server.log_since(offset)) == [], server.log_since(offset)[-5000:]


async def test_the_channel_refuses_callers_without_the_gateway_token(
    rasa_stack: RasaStack, http: aiohttp.ClientSession
) -> None:
    body = json.dumps({"sender": "tg:4242", "message": QUESTION}).encode()
    statuses = [(await _post(http, rasa_stack.webhook, body, token))[0] for token in ("", "x")]
    assert statuses == [403, 403]


async def test_metadata_reaches_the_tracker(
    rasa_stack: RasaStack, http: aiohttp.ClientSession
) -> None:
    sender, metadata = f"web:{uuid.uuid4()}", {"channel": "web", "client_address": "203.0.113.7"}
    body = json.dumps({"sender": sender, "message": QUESTION, "metadata": metadata}).encode()
    assert (await _post(http, rasa_stack.webhook, body))[0] == 200
    url = f"{rasa_stack.url}/conversations/{sender}/tracker?token={API_TOKEN}"
    async with http.get(url) as response:
        tracker = await response.json()
    assert tracker["latest_message"]["metadata"] == metadata


async def test_action_server_killed_gets_the_apology_on_every_channel(
    rasa_stack: RasaStack,
    start_gateway,
    telegram_env: dict[str, str],
    zalo_env: dict[str, str],
    fake_telegram: FakeTelegram,
    fake_zalo: FakeZalo,
    http: aiohttp.ClientSession,
) -> None:
    env = {
        "RASA_URL": rasa_stack.url,
        "RASA_CHANNEL_TOKEN": CHANNEL_TOKEN,
        "RASA_TIMEOUT_SECONDS": "60",  # a real model on a busy machine, not a fake
    }
    apology = wording.APOLOGY.format(hotline=HOTLINE)
    async with start_gateway(**env, **telegram_env, **zalo_env) as running:
        web_url = f"http://127.0.0.1:{running.webchat_port}/api/message"

        async def web_chat(sender: str) -> str:
            async with http.post(web_url, json={"sender": sender, "message": QUESTION}) as response:
                return "\n".join(m["text"] for m in (await response.json())["messages"])

        assert ANSWER_MARK in await web_chat(str(uuid.uuid4()))  # the action server answers
        rasa_stack.actions.stop(signal.SIGKILL)
        try:
            web_answer = await web_chat(str(uuid.uuid4()))
            fake_telegram.push_update(tg_text(1, QUESTION))
            [telegram_answer] = await fake_telegram.sent_messages(1)
            assert running.zalo_port is not None
            await post_zalo(http, running.zalo_port, zalo_text(QUESTION, "msg-1"))
            [zalo_answer] = await fake_zalo.delivered(1)
        finally:
            rasa_stack.actions.start()

    assert web_answer == apology and HOTLINE in web_answer
    assert telegram_answer["text"] == apology
    assert zalo_answer["message"]["text"] == apology
