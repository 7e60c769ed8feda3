"""Two Rasa servers sharing the PostgreSQL tracker store and the Redis lock store.

Uses endpoints.production.yml as a deployment would, pointed at the servers that
.ci/run starts on loopback (TEST_POSTGRES_URL, TEST_REDIS_URL).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from bot.assistant import ActionServer
from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.rasa


@pytest.fixture
def production_endpoints(monkeypatch: pytest.MonkeyPatch, actions: ActionServer) -> Any:
    postgres, redis = os.environ.get("TEST_POSTGRES_URL"), os.environ.get("TEST_REDIS_URL")
    if not (postgres and redis):
        if os.environ.get("CI") == "true":
            pytest.fail("TEST_POSTGRES_URL and TEST_REDIS_URL must be set in CI")
        pytest.skip("PostgreSQL/Redis not available (run scripts/start_test_services.sh)")
    database, cache = urlparse(postgres), urlparse(redis)
    for name, value in {
        "ACTION_SERVER_URL": actions.url,
        "ACTION_SERVER_TOKEN": actions.token,
        "TRACKER_DB_HOST": database.hostname,
        "TRACKER_DB_PORT": str(database.port),
        "TRACKER_DB_NAME": database.path.lstrip("/"),
        "TRACKER_DB_USER": database.username,
        "TRACKER_DB_PASSWORD": database.password,
        "REDIS_HOST": cache.hostname,
        "REDIS_PORT": str(cache.port),
    }.items():
        monkeypatch.setenv(name, value or "")
    from rasa.core.utils import AvailableEndpoints

    return AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.production.yml"))


def server(model: Path, endpoints: Any) -> Any:
    """One Rasa server process's agent, built from the deployment endpoints."""
    from rasa.core.agent import Agent
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore

    tracker_store = TrackerStore.create(endpoints.tracker_store)
    return Agent.load(
        str(model),
        tracker_store=tracker_store,
        lock_store=LockStore.create(endpoints.lock_store),
        action_endpoint=endpoints.action,
    )


async def test_follow_up_on_another_server_keeps_the_context(
    trained_model: Path, production_endpoints: Any
) -> None:
    first, second = (
        server(trained_model, production_endpoints),
        server(trained_model, production_endpoints),
    )
    assert (
        type(first.tracker_store._tracker_store).__name__ == "SQLTrackerStore"
    )  # inside Rasa's fail-safe wrapper
    assert type(first.lock_store).__name__ == "RedisLockStore"
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    reply = await first.handle_text("đăng ký thường trú lệ phí bao nhiêu", sender_id=sender)
    assert "1.004222" in reply[0]["text"]
    follow_up = await second.handle_text("nộp online được không?", sender_id=sender)
    assert "1.004222" in follow_up[0]["text"] and "nộp hồ sơ online được" in follow_up[0]["text"]
    stored = await second.tracker_store.retrieve(sender)
    assert stored.get_slot("procedure") == "1.004222"
