"""A real Agent on a small trained model, with the action server running on loopback."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import rasa_speedups
from bot.admin.seed import seed_demo
from bot.assistant import ActionServer, action_server, ensure_model, free_port
from bot.db.engine import make_engine, upgrade
from bot.db.models import vietnam_now
from bot.settings import PROJECT_ROOT
from tests.helpers.conversation import Conversation, SeededDatabase, Served
from tests.helpers.dossier_samples import store_samples
from tests.helpers.served_stack import seed_demo_subprocess, start_script

TEST_CONFIG = PROJECT_ROOT / "config_test.yml"
DEMO_DOSSIERS = 200


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Trained once and kept in models/ under a content fingerprint, so reruns reuse it."""
    return ensure_model(TEST_CONFIG)


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
def actions(seeded_database: SeededDatabase) -> Iterator[ActionServer]:
    """`python -m bot actions` on loopback; it requires its token on every call."""
    # A short SQLite busy timeout: the test of a locked database waits for it.
    env = {
        "DATABASE_URL": f"{seeded_database.url}?timeout=2",
        "HOTLINE_TEXT": "Tổng đài 1900 0000",
        "ASSISTANT_TODAY": "2026-12-02",
    }
    with action_server(free_port(), env) as server:
        yield server


@pytest.fixture(scope="session")
def event_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def agent(trained_model: Path, actions: ActionServer) -> Any:
    from rasa.core.agent import Agent

    rasa_speedups.install()
    return Agent.load(str(trained_model), action_endpoint=actions.endpoint())


@pytest.fixture
def conversation(agent: Any, request: pytest.FixtureRequest) -> Conversation:
    return Conversation(agent, sender=f"test-{request.node.name}-{os.getpid()}")


SERVED_ENV_FILE = """\
DATABASE_URL={database_url}
ASSISTANT_HASH_SALT=salt-from-the-env-file
HOTLINE_TEXT=Tổng đài thử nghiệm 1900 4242
OFFICE_TEXT=Văn phòng thử nghiệm số 9
RASA_AUTH_TOKEN={api_token}
RASA_PORT={rasa_port}
ACTION_SERVER_PORT={actions_port}
"""


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Iterator[Served]:
    """One `make serve` stack for the whole session (Rasa starts slowly on 2 cores).

    Every setting comes from a `.env` file (ASSISTANT_ENV_FILE), none from the environment,
    so the tests also show that the file reaches the CLI, Rasa and the action server. The
    HTTP API is on, behind RASA_AUTH_TOKEN.
    """
    import secrets
    import signal
    import time
    import urllib.request

    folder = tmp_path_factory.mktemp("served")
    rasa_port, actions_port = free_port(), free_port()
    database_url = f"sqlite:///{folder / 'serve.db'}"
    env_file, log = folder / ".env", folder / "serve.log"
    api_token = secrets.token_urlsafe(24)
    env_file.write_text(
        SERVED_ENV_FILE.format(
            database_url=database_url,
            api_token=api_token,
            rasa_port=rasa_port,
            actions_port=actions_port,
        ),
        encoding="utf-8",
    )
    from bot.settings import ENV_NAMES

    env = {name: value for name, value in os.environ.items() if name not in ENV_NAMES}
    env.update(ASSISTANT_ENV_FILE=str(env_file), RASA_CONFIG="config_test.yml")
    samples = seed_demo_subprocess(env, 300)
    process = start_script("serve.sh", env, log)
    stack = Served(
        f"http://127.0.0.1:{rasa_port}",
        f"http://127.0.0.1:{actions_port}",
        env_file,
        database_url,
        log,
        samples,
        api_token,
    )
    try:
        deadline = time.monotonic() + 600
        for url in (f"{stack.actions}/health", f"{stack.rasa}/"):
            while True:
                assert process.poll() is None, log.read_text(errors="replace")[-3000:]
                assert time.monotonic() < deadline, f"{url} never answered"
                try:
                    urllib.request.urlopen(url, timeout=2).close()
                    break
                except OSError:
                    time.sleep(1)
        yield stack
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
