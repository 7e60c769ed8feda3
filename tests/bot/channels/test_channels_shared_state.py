"""Two gateway instances on one Redis (REDIS_URL) act as one: a delivery seen by either is
not answered again, and one user's rate limit counts the messages sent through both."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot import wording
from bot.channels.server import RunningGateway
from tests.helpers.channel_fakes import FakeRasa, FakeZalo, post_zalo, zalo_text


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("TEST_REDIS_URL must be set in CI")
        pytest.skip("Redis not available (run scripts/start_test_services.sh)")
    return url


@contextlib.asynccontextmanager
async def two_gateways(start_gateway, **env: str) -> AsyncIterator[tuple[RunningGateway, ...]]:
    async with start_gateway(**env) as first, start_gateway(**env) as second:
        yield first, second


async def _ask(http: aiohttp.ClientSession, port: int, sender: str, text: str) -> list[str]:
    url = f"http://127.0.0.1:{port}/api/message"
    async with http.post(url, json={"sender": sender, "message": text}) as response:
        assert response.status == 200
        return [message["text"] for message in (await response.json())["messages"]]


async def test_a_delivery_seen_by_one_instance_is_not_answered_by_the_other(
    start_gateway,
    zalo_env,
    redis_url: str,
    fake_zalo: FakeZalo,
    fake_rasa: FakeRasa,
    http: aiohttp.ClientSession,
) -> None:
    message_id = f"msg-{uuid.uuid4().hex}"  # Redis outlives the test run: ids must be new
    async with two_gateways(start_gateway, REDIS_URL=redis_url, **zalo_env) as (first, second):
        event = zalo_text("câu hỏi một", message_id)
        assert await post_zalo(http, first.zalo_port, event) == 200
        assert await post_zalo(http, second.zalo_port, event) == 200  # the platform retried
        assert (
            await post_zalo(http, second.zalo_port, zalo_text("câu hỏi hai", f"{message_id}-2"))
            == 200
        )
        await fake_zalo.delivered(2)

    received = [item["message"] for item in fake_rasa.received.items]
    assert received == ["câu hỏi một", "câu hỏi hai"]


async def test_the_rate_limit_counts_messages_through_both_instances(
    start_gateway, redis_url: str, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    user = str(uuid.uuid4())
    env = {"REDIS_URL": redis_url, "RATE_LIMIT_PER_MINUTE": "3"}
    async with two_gateways(start_gateway, **env) as (first, second):
        ports = [first.webchat_port, second.webchat_port] * 3
        answers = [await _ask(http, port, user, f"câu {n}") for n, port in enumerate(ports[:5])]
        other = await _ask(http, second.webchat_port, str(uuid.uuid4()), "người khác")

    assert answers == [
        ["Rasa nhận: câu 0"],
        ["Rasa nhận: câu 1"],
        ["Rasa nhận: câu 2"],
        [wording.RATE_LIMITED],
        [],
    ]
    assert other == ["Rasa nhận: người khác"]
    assert len(fake_rasa.received.items) == 4


async def test_without_redis_each_instance_counts_alone(
    start_gateway, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    """What REDIS_URL changes: in-process state lets a user through each instance's limit."""
    user = str(uuid.uuid4())
    async with two_gateways(start_gateway, RATE_LIMIT_PER_MINUTE="2") as (first, second):
        answers = [
            await _ask(http, port, user, "câu")
            for port in [first.webchat_port, second.webchat_port] * 2
        ]

    assert wording.RATE_LIMITED not in {text for texts in answers for text in texts}


async def test_an_unreachable_redis_never_silences_a_citizen(
    start_gateway, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    async with start_gateway(REDIS_URL="redis://127.0.0.1:7599/0") as running:  # nothing listens
        answer = await _ask(http, running.webchat_port, str(uuid.uuid4()), "xin chào")

    assert answer == ["Rasa nhận: xin chào"]
