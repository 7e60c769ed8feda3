"""Dossier status notifications end to end: lookup and subscription (the actions), the feed
endpoint of the gateway, the delivery worker, and the fake Telegram and Zalo servers."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from actions.dossier import DIGITS_CHECKED, ValidateDossierLookupForm
from actions.notifications import (
    ActionRateNotifiedDossier,
    ActionSubscribeNotifications,
    ActionUnsubscribeNotifications,
)
from bot.channels import telegram
from bot.channels.config import load_config
from bot.channels.feed import FEED_PATH
from bot.channels.http import serve
from bot.channels.notify import DeliveryWorker, QuietHours, TelegramSender, ZaloSender
from bot.channels.zalo import TokenStore, ZaloClient
from bot.db import engine as db_engine
from bot.db.engine import make_engine, run_transaction, session_scope, upgrade
from bot.db.feed import apply_events
from bot.db.models import OutboxMessage, Subscription
from bot.db.outbox import claim_due, subscribe
from bot.db.services import verify_and_get_dossier
from tests.helpers.actions import make_tracker, text_of
from tests.helpers.channel_fakes import (
    USER,
    FakeTelegram,
    FakeZalo,
    post_zalo,
    tg_button_press,
    zalo_text,
)
from tests.helpers.db_factories import CODE, DOSSIER, store
from tests.helpers.postgres import temporary_postgres_schema

TOKEN = "feed-token-for-tests-0123456789"
CHAT = USER["id"]
SENDER = f"tg:{CHAT}"
NOTE = "bản sao giấy khai sinh của con"
FAST = timedelta(seconds=1)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite file with the reference dossier; the actions use it too."""
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    upgrade(url)
    engine = make_engine(url)
    store(engine, DOSSIER)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    db_engine.get_engine(url).dispose()
    db_engine._shared_engine.cache_clear()


def _tracker(intent: str, sender: str, code: str | None = None, **kwargs: object):
    entities = [{"entity": "dossier_code", "value": code}] if code else []
    return make_tracker(intent, f"/{intent}", entities=entities, sender_id=sender, **kwargs)


def lookup_and_subscribe(sender: str = SENDER) -> None:
    """What the chat does: the digits in the lookup form, then the "🔔" button."""
    form = "dossier_lookup_form"
    tracker = make_tracker(
        "nlu_fallback",
        "5678",
        slots={"dossier_code": CODE, "requested_slot": "phone_last4"},
        sender_id=sender,
        active_loop=form,
        candidates={"phone_last4": "5678"},
    )
    slots = ValidateDossierLookupForm().validate_phone_last4(
        "5678", CollectingDispatcher(), tracker, {}
    )
    assert slots == {"phone_last4": DIGITS_CHECKED}
    dispatcher = CollectingDispatcher()
    ActionSubscribeNotifications().run(
        dispatcher, _tracker("subscribe_notifications", sender, CODE), {}
    )
    assert "Đã đăng ký" in text_of(dispatcher.messages[0])


def _event(status: int, hours: int, **fields: object) -> dict:
    at = datetime(2025, 1, 10, 9) + timedelta(hours=hours)
    return {"code": CODE, "status": status, "changed_at": at.isoformat(), **fields}


async def _feed(http: aiohttp.ClientSession, port: int, *events: dict) -> list[str]:
    async with http.post(
        f"http://127.0.0.1:{port}{FEED_PATH}",
        json=list(events),
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as response:
        assert response.status == 202
        return [result["result"] for result in (await response.json())["results"]]


def _gateway_env(telegram_env: dict, database: str) -> dict:
    return {
        **telegram_env,
        "FEED_TOKEN": TOKEN,
        "FEED_PORT": "0",
        "DATABASE_URL": database,
        "NOTIFY_QUIET_HOURS": "off",
        "NOTIFY_POLL_SECONDS": "0.2",
    }


async def test_lookup_subscribe_feed_event_gives_one_message_with_the_status(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, database: str, http
) -> None:
    lookup_and_subscribe()
    async with start_gateway(**_gateway_env(telegram_env, database)) as running:
        assert await _feed(http, running.feed_port, _event(5, 1, note=NOTE)) == ["updated"]
        [first] = await fake_telegram.sent_messages(1, chat_id=CHAT)
        assert await _feed(http, running.feed_port, _event(5, 1, note=NOTE)) == ["unchanged"]
        assert await _feed(http, running.feed_port, _event(6, 2)) == ["updated"]
        _, second = await fake_telegram.sent_messages(2, chat_id=CHAT)
        await asyncio.sleep(0.5)  # a few more rounds of the worker

    assert len(fake_telegram.calls_to("sendMessage")) == 2  # the repeated event notified nobody
    assert first["text"].startswith(
        f"🔔 Hồ sơ {CODE} chuyển sang trạng thái: Yêu cầu bổ sung giấy tờ"
    )
    assert NOTE in first["text"] and "UBND phường Ba Đình" in first["text"]
    assert "Yêu cầu thực hiện nghĩa vụ tài chính" in second["text"] and "nộp phí" in second["text"]
    for sent in (first["text"], second["text"]):
        assert (
            "Nguyễn Văn An" not in sent and "345" not in sent and "5678" not in sent
        )  # never name nor phone
        assert "hủy thông báo" in sent


async def test_status_10_carries_the_survey_button_that_opens_the_survey(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, fake_rasa, database: str, http
) -> None:
    lookup_and_subscribe()
    async with start_gateway(**_gateway_env(telegram_env, database)) as running:
        await _feed(http, running.feed_port, _event(10, 1))
        [sent] = await fake_telegram.sent_messages(1, chat_id=CHAT)
        [[button]] = sent["reply_markup"]["inline_keyboard"]
        fake_telegram.push_update(tg_button_press(1, button["callback_data"]))
        await fake_rasa.received.wait_for(1)

    assert "Đã trả kết quả" in sent["text"] and "bưu chính" in sent["text"]
    assert "Đánh giá" in button["text"]
    payload = fake_rasa.received.items[0]["message"]
    assert payload == f'/rate_notified_dossier{{"dossier_code": "{CODE}"}}'
    events = ActionRateNotifiedDossier().run(
        CollectingDispatcher(), _tracker("rate_notified_dossier", SENDER, CODE), {}
    )
    assert FollowupAction("survey_form") in events


async def test_unsubscribed_conversation_is_not_told(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, database: str, http
) -> None:
    lookup_and_subscribe()
    lookup_and_subscribe("tg:5151")
    ActionUnsubscribeNotifications().run(
        CollectingDispatcher(), _tracker("unsubscribe_notifications", SENDER), {}
    )
    async with start_gateway(**_gateway_env(telegram_env, database)) as running:
        await _feed(http, running.feed_port, _event(6, 1))
        await fake_telegram.sent_messages(1, chat_id=5151)
        await asyncio.sleep(0.5)
    assert [call["chat_id"] for call in fake_telegram.calls_to("sendMessage")] == [5151]


# --- the worker on its own ------------------------------------------------------------------


def _store(url: str) -> Engine:
    upgrade(url)
    engine = make_engine(url)
    store(engine, DOSSIER)
    return engine


def _subscribers(engine: Engine, senders: list[str], status: int = 6) -> None:
    """Verified and subscribed conversations, then the status change that notifies them."""
    now = datetime(2025, 1, 10, 9)
    with session_scope(engine) as session:
        for sender in senders:
            assert verify_and_get_dossier(session, CODE, "5678", sender, now).dossier is not None
            subscribe(session, CODE, sender, now)
    with session_scope(engine) as session:
        [result] = apply_events(session, [_event(status, 1)], now)
        assert result.notifications == len(senders)


def _telegram_worker(
    engine: Engine, http: aiohttp.ClientSession, fake: FakeTelegram, **kwargs
) -> DeliveryWorker:
    sender = TelegramSender(http, fake.url, FakeTelegram.TOKEN, telegram.compact_callback_data)
    return DeliveryWorker(
        engine, {"telegram": sender}, QuietHours.parse("off"), poll_seconds=0.05, **kwargs
    )


async def _until_sent(fake: FakeTelegram, count: int) -> None:
    await fake.calls.wait_for(count, lambda call: call["method"] == "sendMessage")


async def test_quiet_hours_hold_messages_until_morning(
    tmp_path: Path, http, fake_telegram: FakeTelegram
) -> None:
    engine = _store(f"sqlite:///{tmp_path / 'q.db'}")
    _subscribers(engine, [SENDER])
    clock = [datetime(2025, 1, 10, 22, 30)]
    sender = TelegramSender(
        http, fake_telegram.url, FakeTelegram.TOKEN, telegram.compact_callback_data
    )
    worker = DeliveryWorker(
        engine, {"telegram": sender}, QuietHours.parse("21-7"), clock=lambda: clock[0]
    )
    assert await worker.run_once() == 0
    clock[0] = datetime(2025, 1, 11, 6, 59)
    assert await worker.run_once() == 0
    clock[0] = datetime(2025, 1, 11, 7, 0)
    assert await worker.run_once() == 1
    assert len(fake_telegram.calls_to("sendMessage")) == 1
    assert QuietHours.parse("off").active(datetime(2025, 1, 1, 23)) is False
    assert QuietHours.parse("12-14").active(datetime(2025, 1, 1, 13)) is True
    engine.dispose()


async def test_zalo_window_switches_to_transaction_messages(
    start_gateway, tmp_path: Path, fake_zalo: FakeZalo, zalo_env: dict, http
) -> None:
    engine = _store(f"sqlite:///{tmp_path / 'z.db'}")
    _subscribers(engine, ["zalo:zalo-user-1"])  # subscribed (and last wrote) on 10/01 09:00
    config = load_config({**zalo_env}, env_file=None)
    client = ZaloClient(http, config, TokenStore(config.zalo_token_file))
    clock = [datetime(2025, 1, 12, 8, 59)]  # 47 h 59 min later: still inside the window
    worker = DeliveryWorker(
        engine,
        {"zalo": ZaloSender(client, timedelta(hours=48), lambda: clock[0])},
        QuietHours.parse("off"),
        clock=lambda: clock[0],
    )
    assert await worker.run_once() == 1
    with session_scope(engine) as session:
        apply_events(session, [_event(9, 2)], clock[0])
    clock[0] = datetime(2025, 1, 12, 9, 1)  # 48 h 1 min: outside
    assert await worker.run_once() == 1
    consultation, transaction = await fake_zalo.messages.wait_for(2)
    assert consultation["path"] == "/v3.0/oa/message/cs"
    assert transaction["path"] == "/v3.0/oa/message/transaction"
    assert transaction["body"]["recipient"] == {"user_id": "zalo-user-1"}
    elements = transaction["body"]["message"]["attachment"]["payload"]["elements"]
    assert "Đã xử lý xong" in elements[0]["content"]
    engine.dispose()


async def test_a_zalo_message_reopens_the_window(
    start_gateway, zalo_env: dict, fake_zalo, database: str, http
) -> None:
    lookup_and_subscribe("zalo:zalo-user-1")
    env = {**zalo_env, "DATABASE_URL": database, "NOTIFY_WORKER": "on", "NOTIFY_QUIET_HOURS": "off"}
    engine = make_engine(database)
    with session_scope(engine) as session:
        session.execute(
            Subscription.__table__.update().values(last_message_at=datetime(2020, 1, 1))
        )
    async with start_gateway(**env) as running:
        assert await post_zalo(http, running.zalo_port, zalo_text("xin chào", "m-1")) == 200
        await fake_zalo.delivered(1)  # the reply: the webhook handled the message
    with session_scope(engine, read_only=True) as session:
        assert session.execute(select(Subscription.last_message_at)).scalar_one() > datetime(
            2025, 1, 1
        )
    engine.dispose()


async def test_worker_killed_mid_batch_and_restarted_loses_and_repeats_nothing(
    tmp_path: Path, http, fake_telegram: FakeTelegram
) -> None:
    engine = _store(f"sqlite:///{tmp_path / 'k.db'}")
    chats = [f"tg:{10_000 + number}" for number in range(30)]
    _subscribers(engine, chats)
    fake_telegram.send_latency = 0.02
    first = asyncio.create_task(_telegram_worker(engine, http, fake_telegram, lease=FAST).run())
    await _until_sent(fake_telegram, 8)
    first.cancel()  # stopped mid-batch: the message in flight finishes, the rest is handed back
    await asyncio.gather(first, return_exceptions=True)
    crashed = run_transaction(lambda session: claim_due(session, limit=5, lease=FAST), engine)
    assert len(crashed) == 5  # a worker that claimed these, then died without a word
    second = _telegram_worker(engine, http, fake_telegram, lease=FAST)
    restarted = asyncio.create_task(second.run())
    await _until_sent(fake_telegram, len(chats))
    await asyncio.sleep(FAST.total_seconds() + 0.3)  # past every lease: anything left would go now
    restarted.cancel()
    await asyncio.gather(restarted, return_exceptions=True)
    sent = Counter(call["chat_id"] for call in fake_telegram.calls_to("sendMessage"))
    assert sent == Counter({int(chat.split(":")[1]): 1 for chat in chats})
    with session_scope(engine, read_only=True) as session:
        assert set(session.execute(select(OutboxMessage.state)).scalars()) == {"sent"}
    engine.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                "TEST_POSTGRES_URL is not set (CI=true: PostgreSQL tests may not be skipped)"
            )
        pytest.skip("TEST_POSTGRES_URL is not set")
    with temporary_postgres_schema(url) as schema_url:
        yield schema_url


@pytest.mark.postgres
async def test_two_workers_on_postgresql_send_each_message_once(
    postgres_url: str, http, fake_telegram: FakeTelegram
) -> None:
    engine = _store(postgres_url)
    chats = [f"tg:{20_000 + number}" for number in range(60)]
    _subscribers(engine, chats)
    other_engine = make_engine(postgres_url)
    fake_telegram.send_latency = 0.01
    workers = [
        _telegram_worker(used, http, fake_telegram, batch=3) for used in (engine, other_engine)
    ]
    tasks = [asyncio.create_task(worker.run()) for worker in workers]
    await _until_sent(fake_telegram, len(chats))
    await asyncio.sleep(0.3)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    sent = Counter(call["chat_id"] for call in fake_telegram.calls_to("sendMessage"))
    assert sent == Counter({int(chat.split(":")[1]): 1 for chat in chats})
    engine.dispose()
    other_engine.dispose()


@pytest.mark.postgres
def test_a_claim_skips_rows_another_worker_is_claiming(postgres_url: str) -> None:
    engine = _store(postgres_url)
    _subscribers(engine, ["tg:1", "tg:2", "tg:3"])
    with session_scope(engine) as first, session_scope(engine) as second:
        claimed = claim_due(first, limit=2)  # not committed yet: its rows stay locked
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        other = claim_due(second, limit=50)
    assert len(claimed) == 2 and len(other) == 1
    assert {delivery.outbox_id for delivery in claimed}.isdisjoint(
        {delivery.outbox_id for delivery in other}
    )
    engine.dispose()


async def test_failures_are_retried_then_dead_and_a_blocked_chat_dies_at_once(
    tmp_path: Path, http
) -> None:
    engine = _store(f"sqlite:///{tmp_path / 'f.db'}")
    _subscribers(engine, ["tg:1", "tg:2"])
    answers = {
        "1": (502, {"ok": False, "error_code": 502}),
        "2": (403, {"ok": False, "error_code": 403}),
    }

    async def bot_api(request: web.Request) -> web.Response:
        status, body = answers[str((await request.post())["chat_id"])]
        return web.json_response(body, status=status)

    refusing = web.Application()  # a Bot API that refuses every message
    refusing.router.add_post(f"/bot{FakeTelegram.TOKEN}/sendMessage", bot_api)
    clock = [datetime(2025, 1, 10, 10)]
    async with serve(refusing, "127.0.0.1", 0) as port:
        sender = TelegramSender(http, f"http://127.0.0.1:{port}", FakeTelegram.TOKEN, str)
        worker = DeliveryWorker(
            engine,
            {"telegram": sender},
            QuietHours.parse("off"),
            clock=lambda: clock[0],
            max_attempts=2,
        )
        assert await worker.run_once() == 2
        clock[0] += timedelta(minutes=1)
        assert await worker.run_once() == 1  # only the 502 is retried
    with session_scope(engine, read_only=True) as session:
        rows = session.execute(
            select(OutboxMessage.attempts, OutboxMessage.state, OutboxMessage.last_error).order_by(
                OutboxMessage.id
            )
        ).all()
    assert rows == [
        (2, "dead", "Telegram refused: HTTP 502, error 502"),
        (1, "dead", "Telegram refused: HTTP 403, error 403"),
    ]
    engine.dispose()
