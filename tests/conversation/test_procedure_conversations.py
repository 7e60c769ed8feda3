"""Multi-turn conversations through a real Agent and the action server."""

from __future__ import annotations

import pytest

from tests.helpers.conversation import Conversation

pytestmark = pytest.mark.rasa


async def test_fee_then_follow_up_questions_keep_the_procedure(conversation: Conversation) -> None:
    first = await conversation.say("đăng ký thường trú lệ phí bao nhiêu")
    assert first.startswith(
        "Lệ phí tùy cách nộp:\n• Trực tuyến: 10.000 đồng\n• Trực tiếp: 20.000 đồng"
    )
    assert "📄 Đăng ký thường trú (mã 1.004222)" in first
    follow_up = await conversation.say("nộp online được không?")
    assert "(mã 1.004222)" in follow_up and follow_up.startswith("Có, nộp hồ sơ online được")
    time = await conversation.say("mất mấy ngày")
    assert (
        time.startswith("Thời hạn giải quyết: 7 ngày làm việc, mọi cách nộp.")
        and "(mã 1.004222)" in time
    )


async def test_fee_answer_states_the_fee_in_force_on_assistant_today(
    conversation: Conversation,
) -> None:
    reply = await conversation.say('/ask_fee{"procedure":"3.000347"}')
    assert (
        reply.startswith("Lệ phí: 135.000 đồng, mọi cách nộp.") and "miễn phí" not in reply.lower()
    )
    assert "📄 Đổi giấy phép lái xe (mã 3.000347)" in reply and reply.count("http") == 1


async def test_multi_case_documents_through_buttons(conversation: Conversation) -> None:
    reply = await conversation.say("nhập hộ khẩu cần những giấy tờ gì")
    assert "Bạn thuộc trường hợp nào?" in reply and len(conversation.buttons) >= 6
    assert [b["title"] for b in conversation.buttons[:3]] == [
        "Nhà của mình",
        "Được chăm sóc, nuôi dưỡng",
        "Nhà người thân",
    ]
    answer = await conversation.press("Nhà thuê, mượn, ở nhờ")
    assert answer.startswith(
        "Giấy tờ chính cần nộp — Nhà thuê, mượn, ở nhờ:\n1. Hợp đồng, văn bản về việc cho thuê, cho mượn, cho ở nhờ"
    )


async def test_vague_question_offers_candidates_and_answers_the_choice(
    conversation: Conversation,
) -> None:
    reply = await conversation.say("lệ phí hộ chiếu bao nhiêu")
    assert "Bạn muốn hỏi thủ tục nào" in reply and 2 <= len(conversation.buttons) <= 3
    answer = await conversation.press("Cấp hộ chiếu phổ thông")
    assert "📄 Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh) (mã 1.001456)" in answer
    assert answer.startswith("Lệ phí")


async def test_unknown_question_gets_an_honest_fallback(conversation: Conversation) -> None:
    reply = await conversation.say("xyz qwe asdf")
    assert "1900 0000" in reply


async def test_request_human_and_small_talk(conversation: Conversation) -> None:
    assert "Tổng đài 1900 0000" in await conversation.say("cho tôi gặp cán bộ")
    assert "Xin chào" in await conversation.say("xin chào")
    assert "trợ lý tự động" in await conversation.say("bạn là người hay máy vậy")
