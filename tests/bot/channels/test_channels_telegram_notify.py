"""Telegram entry points of the dossier notifications: the receipt's deep link and /huythongbao."""

from __future__ import annotations

from bot import payloads
from bot.channels.gateway import greeting
from bot.channels.telegram import deep_link_code
from tests.helpers.channel_fakes import FakeRasa, FakeTelegram, tg_text

CODE = "000.00.12.H25-250103-0042"


def test_deep_link_parameter_gives_the_code_with_dots_or_underscores() -> None:
    assert deep_link_code(["000_00_12_H25-250103-0042"]) == CODE
    assert deep_link_code(["000.00.12.h25-250103-0042"]) == CODE
    assert deep_link_code(["khuyenmai"]) is None
    assert deep_link_code([]) is None


async def test_deep_link_opens_the_lookup_and_command_cancels(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    async with start_gateway(**telegram_env):
        fake_telegram.push_update(tg_text(1, "/start 000_00_12_H25-250103-0042"))
        await fake_telegram.sent_messages(1)
        fake_telegram.push_update(tg_text(2, "/start"))
        _, welcome = await fake_telegram.sent_messages(2)
        fake_telegram.push_update(tg_text(3, "/huythongbao"))
        await fake_telegram.sent_messages(3)

    assert [item["message"] for item in fake_rasa.received.items] == [
        f'/check_dossier_status{{"dossier_code": "{CODE}"}}',
        payloads.UNSUBSCRIBE_REQUEST,
    ]
    assert welcome["text"] == greeting().text
