"""The dossier feed endpoint of the gateway: Bearer token, per-event results, off without a token."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.channels.feed import FEED_PATH
from bot.db.engine import make_engine, upgrade
from tests.helpers.db_factories import CODE, DOSSIER, store

TOKEN = "feed-token-for-tests-0123456789"


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    upgrade(url)
    engine = make_engine(url)
    store(engine, DOSSIER)
    engine.dispose()
    return url


async def _post(
    http: aiohttp.ClientSession, port: int, body: object, token: str | None = TOKEN
) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with http.post(
        f"http://127.0.0.1:{port}{FEED_PATH}", json=body, headers=headers
    ) as response:
        return response.status, await response.json()


async def test_bad_or_missing_token_is_401(start_gateway, database: str, http) -> None:
    async with start_gateway(FEED_TOKEN=TOKEN, FEED_PORT="0", DATABASE_URL=database) as running:
        event = {"code": CODE, "status": 5, "changed_at": "2025-01-10T09:00:00"}
        for token in (None, "wrong", TOKEN + "x", ""):
            status, body = await _post(http, running.feed_port, event, token)
            assert status == 401 and "FEED_TOKEN" in body["error"]
        async with http.post(
            f"http://127.0.0.1:{running.feed_port}{FEED_PATH}",
            json=event,
            headers={"Authorization": f"Basic {TOKEN}"},
        ) as response:
            assert response.status == 401
        status, body = await _post(http, running.feed_port, event)
        assert status == 202 and body["results"] == [
            {"index": 0, "code": CODE, "result": "updated"}
        ]


async def test_list_with_bad_events_gets_a_result_for_each(
    start_gateway, database: str, http
) -> None:
    events = [
        {"code": CODE, "status": 6, "changed_at": "2025-01-10T09:00:00+07:00"},
        {"code": CODE, "status": "sáu", "changed_at": "2025-01-10T10:00:00"},
        {"code": "abc", "status": 6, "changed_at": "2025-01-10T10:00:00"},
        {"code": CODE, "status": 6, "changed_at": "2025-01-10T02:00:00Z"},  # the same moment again
    ]
    async with start_gateway(FEED_TOKEN=TOKEN, FEED_PORT="0", DATABASE_URL=database) as running:
        status, body = await _post(http, running.feed_port, events)
        bad_status, bad_body = await _post(
            http, running.feed_port, [[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]
        )
    assert status == 202
    assert (body["accepted"], body["rejected"]) == (2, 2)
    assert [result["result"] for result in body["results"]] == [
        "updated",
        "rejected",
        "rejected",
        "unchanged",
    ]
    assert "status" in body["results"][1]["reason"] and "code" in body["results"][2]["reason"]
    assert bad_status == 400 and "sâu" in bad_body["error"]


async def test_feed_is_off_without_a_token(start_gateway, database: str) -> None:
    async with start_gateway(FEED_PORT="0", DATABASE_URL=database) as running:
        assert running.feed_port is None
