"""Telegram through python-telegram-bot against a fake Bot API server (real HTTP)."""

from __future__ import annotations

import json

import aiohttp
import pytest

from bot import payloads, wording
from bot.channels.gateway import greeting
from tests.helpers.channel_fakes import (
    HOTLINE,
    USER,
    FakeRasa,
    FakeTelegram,
    tg_button_press,
    tg_photo,
    tg_text,
)

CHAT = USER["id"]
SENDER = f"tg:{CHAT}"


async def test_question_is_answered_with_rasa_text(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    fake_rasa.reply(
        "Làm căn cước cần gì?", {"recipient_id": SENDER, "text": "Bạn cần mang giấy khai sinh."}
    )
    async with start_gateway(**telegram_env):
        fake_telegram.push_update(tg_text(1, "  Làm   căn cước\u00a0cần gì?  "))
        [sent] = await fake_telegram.sent_messages(1)

    assert fake_rasa.received.items == [
        {"sender": SENDER, "message": "Làm căn cước cần gì?", "metadata": {"channel": "telegram"}}
    ]
    assert sent["chat_id"] == CHAT
    assert sent["text"] == "Bạn cần mang giấy khai sinh."
    assert "reply_markup" not in sent
    assert any(call["action"] == "typing" for call in fake_telegram.calls_to("sendChatAction"))


async def test_the_first_line_of_an_answer_is_bold_and_a_one_liner_is_plain(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    fact = "Lệ phí: 135.000 đồng, mọi cách nộp. 📄"  # the emoji counts two UTF-16 units
    fake_rasa.reply(
        "phí đổi bằng lái",
        {"recipient_id": SENDER, "text": f"{fact}\n📄 Đổi giấy phép lái xe (mã 3.000347)"},
    )
    fake_rasa.reply("xin chào", {"recipient_id": SENDER, "text": "Xin chào!"})
    async with start_gateway(**telegram_env):
        fake_telegram.push_update(tg_text(1, "phí đổi bằng lái"))
        [answer] = await fake_telegram.sent_messages(1)
        fake_telegram.push_update(tg_text(2, "xin chào"))
        [_, greeting] = await fake_telegram.sent_messages(2)

    assert json.loads(answer["entities"]) == [
        {"type": "bold", "offset": 0, "length": len(fact) + 1}
    ]  # form-encoded
    assert answer["text"].startswith(fact) and "parse_mode" not in answer
    assert "entities" not in greeting


async def test_nfd_input_reaches_rasa_as_nfc(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    decomposed = "đăng ky\u0301 khai sinh"  # "ký" typed as k + y + combining acute
    async with start_gateway(**telegram_env):
        fake_telegram.push_update(tg_text(1, decomposed))
        await fake_telegram.sent_messages(1)

    assert fake_rasa.received.items[0]["message"] == "đăng ký khai sinh"


async def test_button_round_trip_including_a_payload_longer_than_64_bytes(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    long_payload = '/chon_thu_tuc{"thu_tuc": "dang_ky_khai_sinh_cho_tre_em_sinh_ra_o_nuoc_ngoai"}'
    assert len(long_payload.encode()) > 64
    fake_rasa.reply(
        "thủ tục hộ tịch",
        {
            "text": "Bạn muốn làm thủ tục nào?",
            "buttons": [
                {"title": "Kết hôn", "payload": '/chon_thu_tuc{"thu_tuc": "ket_hon"}'},
                {"title": "Khai sinh cho trẻ sinh ở nước ngoài", "payload": long_payload},
            ],
        },
    )
    fake_rasa.reply(long_payload, {"text": "Hồ sơ gồm tờ khai và giấy chứng sinh."})
    async with start_gateway(**telegram_env):
        fake_telegram.push_update(tg_text(1, "thủ tục hộ tịch"))
        [question] = await fake_telegram.sent_messages(1)
        keyboard = question["reply_markup"]["inline_keyboard"]
        assert [[button["text"] for button in row] for row in keyboard] == [
            ["Kết hôn"],
            ["Khai sinh cho trẻ sinh ở nước ngoài"],
        ]
        assert keyboard[0][0]["callback_data"] == '/chon_thu_tuc{"thu_tuc": "ket_hon"}'
        short_key = keyboard[1][0]["callback_data"]
        assert len(short_key.encode()) <= 64

        fake_telegram.push_update(
            tg_button_press(2, short_key, message_id=question.get("message_id", 1))
        )
        _, answer = await fake_telegram.sent_messages(2)

    assert fake_rasa.received.items[-1] == {
        "sender": SENDER,
        "message": long_payload,
        "metadata": {"channel": "telegram"},
    }
    assert answer["text"] == "Hồ sơ gồm tờ khai và giấy chứng sinh."
    assert [
        call["callback_query_id"] for call in fake_telegram.calls_to("answerCallbackQuery")
    ] == ["query-2"]


async def test_unknown_button_key_is_answered_as_expired(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    async with start_gateway(**telegram_env):
        fake_telegram.push_update(tg_button_press(1, "k:0123456789abcdef"))
        [answer] = await fake_telegram.calls.wait_for(
            1, lambda c: c["method"] == "answerCallbackQuery"
        )

    assert answer["params"]["text"] == wording.BUTTON_EXPIRED
    assert fake_rasa.received.items == []


async def test_duplicate_update_is_handled_once(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    async with start_gateway(**telegram_env):
        fake_telegram.push_update(tg_text(7, "câu hỏi một"))
        fake_telegram.push_update(tg_text(7, "câu hỏi một"))
        await fake_telegram.sent_messages(1)
        fake_telegram.push_update(tg_text(7, "câu hỏi một"))  # redelivered later, too
        fake_telegram.push_update(tg_text(8, "câu hỏi hai"))
        await fake_telegram.sent_messages(2)

    assert [item["message"] for item in fake_rasa.received.items] == ["câu hỏi một", "câu hỏi hai"]
    assert len(fake_telegram.calls_to("sendMessage")) == 2


async def test_rasa_down_gives_apology_and_the_gateway_recovers(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    async with start_gateway(**telegram_env):
        await fake_rasa.stop()
        fake_telegram.push_update(tg_text(1, "có ai không?"))
        [apology] = await fake_telegram.sent_messages(1)
        assert apology["text"] == wording.APOLOGY.format(hotline=HOTLINE)
        assert HOTLINE in apology["text"]

        await fake_rasa.start()  # same port
        fake_telegram.push_update(tg_text(2, "bây giờ thì sao?"))
        _, answer = await fake_telegram.sent_messages(2)

    assert answer["text"] == "Rasa nhận: bây giờ thì sao?"


async def test_long_reply_is_split_at_paragraph_boundaries(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    paragraphs = [letter * 2000 for letter in "abc"]
    fake_rasa.reply(
        "dài", {"text": "\n\n".join(paragraphs), "buttons": [{"title": "Tiếp", "payload": "tiếp"}]}
    )
    async with start_gateway(**telegram_env):
        fake_telegram.push_update(tg_text(1, "dài"))
        first, second = await fake_telegram.sent_messages(2)

    assert first["text"] == paragraphs[0] + "\n\n" + paragraphs[1]
    assert second["text"] == paragraphs[2]
    assert "reply_markup" not in first
    assert second["reply_markup"]["inline_keyboard"][0][0]["text"] == "Tiếp"


async def test_non_text_message_gets_text_only_reply(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    async with start_gateway(**telegram_env):
        fake_telegram.push_update(tg_photo(1))
        [sent] = await fake_telegram.sent_messages(1)

    assert sent["text"] == wording.TEXT_ONLY
    assert fake_rasa.received.items == []


async def test_local_commands(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    async with start_gateway(**telegram_env):
        fake_telegram.push_update(tg_text(1, "/hotline"))
        [hotline] = await fake_telegram.sent_messages(1)
        fake_telegram.push_update(tg_text(2, "/start"))
        _, welcome = await fake_telegram.sent_messages(2)
        fake_telegram.push_update(tg_text(3, "/help"))
        *_, help_text = await fake_telegram.sent_messages(3)

    assert hotline["text"] == wording.HOTLINE.format(hotline=HOTLINE)
    assert welcome["text"] == greeting().text
    assert [row[0]["callback_data"] for row in welcome["reply_markup"]["inline_keyboard"]] == [
        payloads.STATUS_LOOKUP_REQUEST,
        payloads.SURVEY_REQUEST,
    ]
    assert help_text["text"] == wording.TELEGRAM_HELP
    assert fake_rasa.received.items == []
    [commands] = fake_telegram.calls_to("setMyCommands")
    assert [c["command"] for c in commands["commands"]] == [
        "start",
        "tracuu",
        "danhgia",
        "huythongbao",
        "hotline",
        "help",
    ]


async def test_lookup_and_survey_commands_ask_rasa(
    start_gateway, telegram_env, fake_telegram: FakeTelegram, fake_rasa: FakeRasa
) -> None:
    async with start_gateway(**telegram_env):
        fake_telegram.push_update(tg_text(1, "/tracuu"))
        await fake_telegram.sent_messages(1)
        fake_telegram.push_update(tg_text(2, "/danhgia"))
        await fake_telegram.sent_messages(2)

    assert [item["message"] for item in fake_rasa.received.items] == [
        "/check_dossier_status",
        "/rate_service",
    ]


async def test_webhook_mode_checks_the_secret_token(
    start_gateway,
    telegram_env,
    fake_telegram: FakeTelegram,
    fake_rasa: FakeRasa,
    http: aiohttp.ClientSession,
) -> None:
    webhook_env = {
        **telegram_env,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.gov.vn/telegram/hook",
        "TELEGRAM_WEBHOOK_SECRET": "s3cret_Token-1",
        "TELEGRAM_WEBHOOK_PORT": "0",
    }
    attempts = [(1, "giả mạo", "wrong"), (2, "không khóa", None), (3, "xin chào", "s3cret_Token-1")]
    statuses = []
    async with start_gateway(**webhook_env) as running:
        url = f"http://127.0.0.1:{running.telegram_webhook_port}/telegram/hook"
        for update_id, text, secret in attempts:
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
            async with http.post(url, json=tg_text(update_id, text), headers=headers) as response:
                statuses.append(response.status)
        [sent] = await fake_telegram.sent_messages(1)

    assert statuses == [403, 403, 200]
    assert sent["text"] == "Rasa nhận: xin chào"
    [webhook] = fake_telegram.calls_to("setWebhook")
    assert webhook["url"] == "https://bot.example.gov.vn/telegram/hook"
    assert webhook["secret_token"] == "s3cret_Token-1"
    assert fake_telegram.calls_to("getUpdates") == []


def _odd_update(field: str, value: object) -> dict:
    """A text update (a button press for "data") with `field` set to `value`."""
    fresh = tg_button_press(1, "/greet") if field == "data" else tg_text(1, "xin chào")
    update = json.loads(json.dumps(fresh))  # a copy: the updates share the USER dict
    content = update["callback_query"] if field == "data" else update["message"]
    owner, _, key = field.rpartition(".")
    (content[owner] if owner else content)[key] = value
    return update


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b'{"message": {"text": "x"}}',
        b"[" * 30_000,
        b'{"a":' * 50 + b"1" + b"}" * 50,
        json.dumps({"update_id": 1, "message": True}).encode(),
        json.dumps(_odd_update("text", 5)).encode(),
        json.dumps(_odd_update("data", ["a"])).encode(),
        json.dumps(_odd_update("chat.id", "abc")).encode(),
        json.dumps(_odd_update("from.id", {"a": 1})).encode(),
        json.dumps(_odd_update("chat", None)).encode(),
    ],
    ids=[
        "empty", "array", "incomplete", "recursion", "too-deep", "message-not-object",
        "text-number", "data-list", "chat-id-text", "user-id-object", "message-without-chat",
    ],
)  # fmt: skip
async def test_webhook_refuses_what_is_not_a_usable_update(
    start_gateway,
    telegram_env,
    fake_telegram: FakeTelegram,
    fake_rasa: FakeRasa,
    http: aiohttp.ClientSession,
    body: bytes,
) -> None:
    webhook_env = {
        **telegram_env,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.gov.vn/telegram/hook",
        "TELEGRAM_WEBHOOK_SECRET": "s3cret_Token-1",
        "TELEGRAM_WEBHOOK_PORT": "0",
    }
    async with start_gateway(**webhook_env) as running:
        url = f"http://127.0.0.1:{running.telegram_webhook_port}/telegram/hook"
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_Token-1"}
        async with http.post(url, data=body, headers=headers) as response:
            assert response.status == 400
    assert fake_rasa.received.items == []
    assert fake_telegram.calls_to("sendMessage") == []
