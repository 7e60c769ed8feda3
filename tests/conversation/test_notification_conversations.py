"""Status notifications and status phrasings through the trained test model and the action
server: the three phrasings of the issue start the lookup; on Telegram a verified lookup
offers the notifications, the button subscribes, "hủy thông báo" cancels."""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest

from tests.helpers.actions import rendered
from tests.helpers.conversation import Conversation, SeededDatabase
from tests.helpers.dossier_samples import DIGITS

pytestmark = pytest.mark.rasa

ASKS_CODE = "Bạn gửi giúp mình mã hồ sơ"
_chats = itertools.count(1)


def telegram_conversation(agent: Any) -> Conversation:
    return Conversation(agent, sender=f"tg:{os.getpid()}{next(_chats):03d}")


@pytest.mark.parametrize(
    "question",
    [
        "cho hỏi tình trạng hồ sơ với",
        "bao giờ thì tôi nhận được kết quả hồ sơ đã nộp tuần trước",
        "hồ sơ của tôi sao lâu vậy",
    ],
)
async def test_status_questions_in_other_phrasings_start_the_lookup(
    conversation: Conversation, question: str
) -> None:
    assert ASKS_CODE in await conversation.say(question)


async def test_subscribe_after_a_lookup_then_cancel(
    agent: Any, seeded_database: SeededDatabase
) -> None:
    chat = telegram_conversation(agent)
    code = seeded_database.dossiers["4"].code
    assert ASKS_CODE in await chat.say("tra cứu hồ sơ")
    await chat.say(code)
    reply = await chat.say(DIGITS)
    assert "Trạng thái: Đang xử lý" in reply
    assert await chat.press("thông báo") == rendered("utter_subscribed", code=code)
    cancelled = await chat.say("hủy thông báo")
    assert code in cancelled and "Đã hủy thông báo" in cancelled
    assert await chat.say("hủy thông báo") == rendered("utter_unsubscribe_nothing")
