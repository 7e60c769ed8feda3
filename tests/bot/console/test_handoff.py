"""Human handoff end to end below the browser: the action opens it, the gateway keeps the
conversation from Rasa, staff replies reach Telegram, the citizen or staff give it back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import procedures
from actions.procedures import ActionRequestHuman
from bot import handoff, wording
from bot.channels import telegram
from bot.channels.config import load_config
from bot.channels.gateway import Gateway, RasaClient, Reply
from bot.channels.handoff import HandoffDesk, HandoffRelay
from bot.channels.notify import TelegramSender
from bot.channels.server import running_gateway
from bot.db.engine import run_transaction
from bot.office_hours import OfficeHours
from tests.bot.console.conftest import MONDAY_MORNING, ConsoleDb
from tests.helpers.actions import make_tracker, rendered, text_of
from tests.helpers.channel_fakes import FakeRasa, FakeTelegram

SATURDAY_AFTERNOON = datetime(2026, 12, 5, 15, 0)
SENDER = "web:abcdef12-3456"
OFFICE = "Bộ phận Một cửa UBND phường Ba Đình"


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    server = FakeRasa()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def action_database(console_db: ConsoleDb, monkeypatch: pytest.MonkeyPatch) -> ConsoleDb:
    monkeypatch.setenv("DATABASE_URL", console_db.url)
    monkeypatch.setenv("HOTLINE_TEXT", "Tổng đài 1900 0000")
    monkeypatch.setenv("OFFICE_TEXT", OFFICE)
    return console_db


def _request_human(monkeypatch: pytest.MonkeyPatch, now: datetime, sender: str = SENDER) -> str:
    monkeypatch.setattr(procedures, "vietnam_now", lambda: now)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "request_human", "cho tôi gặp cán bộ", slots={"procedure": "1.014063"}, sender_id=sender
    )
    tracker.events.append({"event": "bot", "text": "Lệ phí cấp đổi thẻ căn cước là 25.000 đồng."})
    ActionRequestHuman().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    return text_of(message)


def test_default_office_hours() -> None:
    hours = OfficeHours.parse("mon-fri 07:30-11:30 13:30-17:00; sat 07:30-11:30")
    assert hours.open_at(MONDAY_MORNING) and hours.open_at(datetime(2026, 12, 5, 7, 30))
    assert not hours.open_at(datetime(2026, 11, 30, 12, 0)) and not hours.open_at(
        SATURDAY_AFTERNOON
    )
    assert not hours.open_at(datetime(2026, 12, 6, 9, 0))  # Sunday
    for bad in (
        "mon-fri",
        "xyz 07:00-08:00",
        "mon 09:00-08:00",
        "fri-mon 07:00-08:00",
        "mon 7h-8h",
    ):
        with pytest.raises(ValueError):
            OfficeHours.parse(bad)


def test_in_office_hours_the_action_hands_over_with_context(
    action_database: ConsoleDb, monkeypatch
) -> None:
    text = _request_human(monkeypatch, MONDAY_MORNING)
    assert text == rendered("utter_handed_over", hotline="Tổng đài 1900 0000", office=OFFICE)
    [row] = run_transaction(handoff.inbox, action_database.engine)
    view = run_transaction(
        lambda s: handoff.conversation_view(s, row.conversation_id), action_database.engine
    )
    assert view is not None and view.live and view.channel == "web"
    assert view.context["procedure"]["code"] == "1.014063"
    assert view.context["answers"] == ["Lệ phí cấp đổi thẻ căn cước là 25.000 đồng."]


def test_outside_office_hours_it_offers_the_hotline_and_takes_a_message(
    action_database: ConsoleDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _request_human(monkeypatch, SATURDAY_AFTERNOON)
    assert "ngoài giờ làm việc" in text and "Tổng đài 1900 0000" in text and OFFICE in text
    [row] = run_transaction(handoff.inbox, action_database.engine)
    assert not row.live


def test_channels_without_a_way_back_only_get_the_contacts(
    action_database: ConsoleDb, monkeypatch
) -> None:
    text = _request_human(monkeypatch, MONDAY_MORNING, sender="cli-user")
    assert (
        text.startswith("Bạn có thể liên hệ cán bộ")
        and run_transaction(handoff.inbox, action_database.engine) == []
    )
    monkeypatch.setenv("HANDOFF", "off")
    assert _request_human(monkeypatch, MONDAY_MORNING).startswith("Bạn có thể liên hệ cán bộ")


async def test_the_gateway_keeps_a_handed_off_conversation_from_rasa(
    console_db: ConsoleDb, fake_rasa: FakeRasa
) -> None:
    engine = console_db.engine
    said: list[list[Reply]] = []

    async def collect(batch: Sequence[Reply]) -> None:
        said.append(list(batch))

    async with aiohttp.ClientSession() as http:
        gateway = Gateway(
            RasaClient(http, fake_rasa.url, 5),
            hotline_text="Tổng đài",
            rate_limit_per_minute=100,
            desk=HandoffDesk(engine),
        )

        async def say(text: str) -> list[Reply]:
            await gateway.converse(SENDER, text, collect, metadata={"channel": "web"})
            return said[-1]

        assert (await say("xin chào"))[0].text == "Rasa nhận: xin chào"
        conversation = run_transaction(
            lambda s: handoff.open_handoff(s, SENDER, "{}", live=True), engine
        )
        assert await say("Tôi cần hỏi về lệ phí") == []  # live: staff answer, the bot is silent
        assert await say("gặp trợ lý ảo") == [Reply(wording.HandoffTexts.BACK_TO_BOT)]
        assert (await say("xin chào lần nữa"))[0].text.startswith("Rasa nhận")
        run_transaction(lambda s: handoff.open_handoff(s, SENDER, "{}", live=False), engine)
        assert await say("Nhờ cán bộ gọi lại") == [Reply(wording.HandoffTexts.MESSAGE_TAKEN)]
    assert [item["message"] for item in fake_rasa.received.items] == [
        "xin chào",
        "xin chào lần nữa",
    ]
    first = run_transaction(lambda s: handoff.conversation_view(s, conversation), engine)
    assert first is not None and first.closed_at is not None
    assert [m.text for m in first.messages] == ["Tôi cần hỏi về lệ phí"]
    [row] = run_transaction(handoff.inbox, engine)
    assert row.last_text == "Nhờ cán bộ gọi lại" and row.waiting


async def test_staff_replies_reach_telegram_through_the_notification_sender(
    console_db: ConsoleDb,
) -> None:
    engine = console_db.engine
    fake = FakeTelegram()
    await fake.start()
    try:
        conversation = run_transaction(
            lambda s: handoff.open_handoff(s, "tg:4242", "{}", live=True), engine
        )
        run_transaction(
            lambda s: handoff.add_staff_reply(s, conversation, 1, "Chào bạn, cán bộ Minh đây."),
            engine,
        )
        async with aiohttp.ClientSession() as http:
            sender = TelegramSender(
                http, fake.url, FakeTelegram.TOKEN, telegram.compact_callback_data
            )
            relay = HandoffRelay(engine, {"telegram": sender})
            assert await relay.run_once() == 1
            assert await relay.run_once() == 0  # sent once
        [call] = await fake.calls.wait_for(1, _send_message)
    finally:
        await fake.stop()
    assert (
        str(call["params"]["chat_id"]) == "4242"
        and call["params"]["text"] == "Chào bạn, cán bộ Minh đây."
    )
    view = run_transaction(lambda s: handoff.conversation_view(s, conversation), engine)
    assert view is not None and [m.state for m in view.messages] == ["sent"]


def _send_message(call: dict[str, Any]) -> bool:
    return call["method"] == "sendMessage"


async def test_the_gateway_turns_the_handoff_off_without_its_tables(
    tmp_path: Path, fake_rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    environ = {
        "RASA_URL": fake_rasa.url,
        "GATEWAY_HOST": "127.0.0.1",
        "WEBCHAT_PORT": "0",
        "HANDOFF": "on",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'not-migrated.db'}",
    }
    async with running_gateway(load_config(environ, env_file=None)) as running:
        assert running.gateway.desk is None
    assert "python -m bot db upgrade" in caplog.text
