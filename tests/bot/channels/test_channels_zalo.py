"""Zalo OA: signed webhook in, fake OpenAPI and OAuth servers out (real HTTP)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import aiohttp
import pytest

from bot import payloads, wording
from bot.channels.gateway import greeting
from tests.helpers.channel_fakes import (
    FakeRasa,
    FakeZalo,
    post_zalo,
    zalo_event,
    zalo_signature,
    zalo_text,
)

USER = "zalo-user-1"
SENDER = f"zalo:{USER}"


async def test_signed_text_gets_rasa_reply(
    start_gateway, zalo_env, fake_zalo: FakeZalo, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    fake_rasa.reply("Lệ phí làm hộ chiếu?", {"text": "Lệ phí là 200.000 đồng."})
    async with start_gateway(**zalo_env) as running:
        assert (
            await post_zalo(http, running.zalo_port, zalo_text("Lệ phí  làm hộ chiếu?", "msg-1"))
            == 200
        )
        [body] = await fake_zalo.delivered(1)

    assert fake_rasa.received.items == [
        {"sender": SENDER, "message": "Lệ phí làm hộ chiếu?", "metadata": {"channel": "zalo"}}
    ]
    assert body == {"recipient": {"user_id": USER}, "message": {"text": "Lệ phí là 200.000 đồng."}}
    assert fake_zalo.messages.items[0]["access_token"] == "access-1"


def _forged(body: bytes, timestamp: str) -> str:
    return zalo_signature(body, timestamp, secret="not-the-secret")


@pytest.mark.parametrize(
    ("signature", "age_seconds"),
    [("mac=" + "0" * 64, 0), (None, 0), ("valid", 10 * 60), ("forged", 0), ("", 0)],
    ids=["garbage", "missing", "stale", "wrong-secret", "empty"],
)
async def test_unverified_events_are_refused(
    start_gateway,
    zalo_env,
    fake_rasa: FakeRasa,
    http: aiohttp.ClientSession,
    signature: str | None,
    age_seconds: int,
) -> None:
    event = zalo_text("xin chào", "msg-1", timestamp_ms=int((time.time() - age_seconds) * 1000))
    if signature == "forged":
        signature = _forged(json.dumps(event, ensure_ascii=False).encode(), event["timestamp"])
    async with start_gateway(**zalo_env) as running:
        assert await post_zalo(http, running.zalo_port, event, signature=signature) == 403
    assert fake_rasa.received.items == []


async def test_body_changed_after_signing_is_refused(
    start_gateway, zalo_env, http: aiohttp.ClientSession
) -> None:
    event = zalo_text("xin chào", "msg-1")
    signature = zalo_signature(json.dumps(event, ensure_ascii=False).encode(), event["timestamp"])
    event["message"]["text"] = "nội dung bị sửa"
    async with start_gateway(**zalo_env) as running:
        assert await post_zalo(http, running.zalo_port, event, signature=signature) == 403


MALFORMED_BODIES = pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b'"text"', b'{"a":' * 50 + b"1" + b"}" * 50, b"[" * 30_000],
    ids=["empty", "broken", "array", "string", "too-deep", "recursion"],
)


@MALFORMED_BODIES
async def test_malformed_bodies_get_400_before_the_signature_check(
    start_gateway, zalo_env, fake_rasa: FakeRasa, http: aiohttp.ClientSession, body: bytes
) -> None:
    async with start_gateway(**zalo_env) as running:
        url = f"http://127.0.0.1:{running.zalo_port}/zalo/webhook"
        headers = {"X-ZEvent-Signature": zalo_signature(body, "0")}
        async with http.post(url, data=body, headers=headers) as response:
            assert response.status == 400
    assert fake_rasa.received.items == []


@pytest.mark.parametrize("text", [1234, None, ["a"], {"a": 1}])
async def test_signed_text_event_without_a_text_gets_text_only(
    start_gateway, zalo_env, fake_zalo: FakeZalo, fake_rasa: FakeRasa, http: aiohttp.ClientSession,
    text: object,
) -> None:  # fmt: skip
    event = zalo_text("x", "msg-1")
    event["message"]["text"] = text
    async with start_gateway(**zalo_env) as running:
        assert await post_zalo(http, running.zalo_port, event) == 200
        [body] = await fake_zalo.delivered(1)
    assert body["message"]["text"] == wording.TEXT_ONLY
    assert fake_rasa.received.items == []


async def test_duplicate_msg_id_is_handled_once(
    start_gateway, zalo_env, fake_zalo: FakeZalo, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    async with start_gateway(**zalo_env) as running:
        first = zalo_text("câu hỏi một", "msg-1")
        assert await post_zalo(http, running.zalo_port, first) == 200
        assert await post_zalo(http, running.zalo_port, first) == 200
        assert (
            await post_zalo(http, running.zalo_port, zalo_text("câu hỏi một", "msg-1")) == 200
        )  # re-sent later
        assert await post_zalo(http, running.zalo_port, zalo_text("câu hỏi hai", "msg-2")) == 200
        await fake_zalo.delivered(2)  # one user's turns are answered in order

    assert [item["message"] for item in fake_rasa.received.items] == ["câu hỏi một", "câu hỏi hai"]
    assert len(fake_zalo.messages.items) == 2


async def test_follow_gets_welcome_with_buttons(
    start_gateway, zalo_env, fake_zalo: FakeZalo, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    async with start_gateway(**zalo_env) as running:
        assert (
            await post_zalo(http, running.zalo_port, zalo_event("follow", user_id="new-follower"))
            == 200
        )
        [body] = await fake_zalo.delivered(1)

    assert body["recipient"] == {"user_id": "new-follower"}
    assert body["message"]["text"] == greeting().text
    assert body["message"]["attachment"] == {
        "type": "template",
        "payload": {
            "buttons": [
                {
                    "title": "Tra cứu hồ sơ",
                    "type": "oa.query.hide",
                    "payload": payloads.STATUS_LOOKUP_REQUEST,
                },
                {
                    "title": "Đánh giá dịch vụ",
                    "type": "oa.query.hide",
                    "payload": payloads.SURVEY_REQUEST,
                },
            ]
        },
    }
    assert fake_rasa.received.items == []


async def test_rasa_buttons_become_a_template(
    start_gateway, zalo_env, fake_zalo: FakeZalo, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    fake_rasa.reply(
        "hộ tịch",
        {
            "text": "Chọn thủ tục:",
            "buttons": [
                {"title": "Kết hôn", "payload": '/chon_thu_tuc{"thu_tuc": "ket_hon"}'},
                {"title": "Khai sinh", "payload": "khai sinh"},
            ],
        },
    )
    async with start_gateway(**zalo_env) as running:
        await post_zalo(http, running.zalo_port, zalo_text("hộ tịch", "msg-1"))
        [body] = await fake_zalo.delivered(1)

    buttons = body["message"]["attachment"]["payload"]["buttons"]
    assert [(b["title"], b["type"], b["payload"]) for b in buttons] == [
        ("Kết hôn", "oa.query.hide", '/chon_thu_tuc{"thu_tuc": "ket_hon"}'),
        ("Khai sinh", "oa.query.show", "khai sinh"),
    ]


@pytest.mark.parametrize(
    "event_name",
    [
        "user_send_image",
        "user_send_sticker",
        "user_send_audio",
        "user_send_file",
        "user_send_location",
    ],
)
async def test_non_text_gets_text_only_reply(
    start_gateway,
    zalo_env,
    fake_zalo: FakeZalo,
    fake_rasa: FakeRasa,
    http: aiohttp.ClientSession,
    event_name: str,
) -> None:
    event = zalo_event(
        event_name, message={"msg_id": "msg-1", "attachments": [{"type": "image", "payload": {}}]}
    )
    async with start_gateway(**zalo_env) as running:
        assert await post_zalo(http, running.zalo_port, event) == 200
        [body] = await fake_zalo.delivered(1)

    assert body["message"] == {"text": wording.TEXT_ONLY}
    assert fake_rasa.received.items == []


async def test_unknown_event_is_acknowledged_and_ignored(
    start_gateway, zalo_env, fake_zalo: FakeZalo, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    async with start_gateway(**zalo_env) as running:
        assert (
            await post_zalo(
                http, running.zalo_port, zalo_event("user_seen_message", message={"msg_ids": ["m"]})
            )
            == 200
        )
        assert await post_zalo(http, running.zalo_port, zalo_text("còn đây là chữ", "msg-2")) == 200
        await fake_zalo.delivered(1)

    assert [item["message"] for item in fake_rasa.received.items] == ["còn đây là chữ"]
    assert len(fake_zalo.messages.items) == 1


async def test_expired_token_is_refreshed_persisted_and_the_message_resent(
    start_gateway, zalo_env, fake_zalo: FakeZalo, http: aiohttp.ClientSession, zalo_token_file: Path
) -> None:
    fake_zalo.valid_access_token = "access-0"  # Zalo no longer accepts "access-1"
    async with start_gateway(**zalo_env) as running:
        await post_zalo(http, running.zalo_port, zalo_text("xin chào", "msg-1"))
        [body] = await fake_zalo.delivered(1)

    [refresh] = fake_zalo.refreshes.items
    assert refresh == {
        "secret_key": "app-secret-key",
        "form": {
            "refresh_token": "refresh-1",
            "app_id": "zalo-app-1",
            "grant_type": "refresh_token",
        },
    }
    assert [m["access_token"] for m in fake_zalo.messages.items] == ["access-1", "access-2"]
    assert body["message"]["text"] == "Rasa nhận: xin chào"
    saved = json.loads(zalo_token_file.read_text())
    assert (saved["access_token"], saved["refresh_token"]) == ("access-2", "refresh-2")
    assert [p.name for p in zalo_token_file.parent.iterdir()] == [
        "zalo_tokens.json"
    ]  # no temp file left


async def test_saved_tokens_win_over_the_env(
    start_gateway, zalo_env, fake_zalo: FakeZalo, http: aiohttp.ClientSession, zalo_token_file: Path
) -> None:
    zalo_token_file.parent.mkdir(parents=True)
    zalo_token_file.write_text(
        json.dumps({"access_token": "access-7", "refresh_token": "refresh-7"})
    )
    fake_zalo.valid_access_token = "access-7"
    async with start_gateway(**zalo_env) as running:
        await post_zalo(http, running.zalo_port, zalo_text("xin chào", "msg-1"))
        await fake_zalo.delivered(1)

    assert [m["access_token"] for m in fake_zalo.messages.items] == ["access-7"]
    assert fake_zalo.refreshes.items == []


async def test_long_reply_is_split_at_paragraph_boundaries(
    start_gateway, zalo_env, fake_zalo: FakeZalo, fake_rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    paragraphs = [letter * 900 for letter in "abc"]
    fake_rasa.reply(
        "dài", {"text": "\n\n".join(paragraphs), "buttons": [{"title": "Tiếp", "payload": "tiếp"}]}
    )
    async with start_gateway(**zalo_env) as running:
        await post_zalo(http, running.zalo_port, zalo_text("dài", "msg-1"))
        first, second = await fake_zalo.delivered(2)

    assert first["message"] == {"text": paragraphs[0] + "\n\n" + paragraphs[1]}
    assert second["message"]["text"] == paragraphs[2]
    assert second["message"]["attachment"]["payload"]["buttons"][0]["title"] == "Tiếp"
