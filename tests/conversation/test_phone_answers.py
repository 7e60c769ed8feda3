"""Answers a citizen can read on a phone (issue 15), through a real Agent and the action server:
the asked fact first, main papers first, citizen steps, plain case buttons, each thing once,
honest gaps, messages that fit."""

from __future__ import annotations

import pytest

from tests.helpers.conversation import Conversation

pytestmark = pytest.mark.rasa
FIRST_CHARS = 160


def assert_fits(conversation: Conversation) -> None:
    """Every message fits a phone screen or so; the answer has one link; no line twice."""
    text = "\n".join(conversation.messages)
    assert all(len(message) <= 900 for message in conversation.messages)
    assert text.count("http") == 1
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == len(set(lines))


async def test_fee_of_the_reduced_identity_card_comes_first(conversation: Conversation) -> None:
    reply = await conversation.say("lệ phí cấp đổi căn cước bao nhiêu")
    assert "25.000 đồng (giảm 50% đến hết 31/12/2026" in reply[:FIRST_CHARS] and reply.startswith(
        "Lệ phí"
    )
    assert "📄 Cấp đổi thẻ căn cước (mã 1.014063)" in reply
    assert_fits(conversation)


async def test_long_official_name_is_not_the_first_line_and_is_one_tap_away(
    conversation: Conversation,
) -> None:
    reply = await conversation.say("phí sang tên sổ đỏ bao nhiêu")
    assert (
        reply.startswith("Lệ phí")
        and "Luật phí và lệ phí" in reply[:FIRST_CHARS]
        and "miễn phí" not in reply.lower()
    )
    assert "(mã 1.013831)" in reply
    full = await conversation.press("Tên đầy đủ")
    assert full.startswith(
        "Tên đầy đủ: Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất trong các trường hợp"
    )


async def test_birth_registration_papers_start_with_the_birth_certificate(
    conversation: Conversation,
) -> None:
    reply = await conversation.say("đk khai sinh cho bé cần j")
    assert reply.startswith("Giấy tờ chính cần nộp:\n1. Giấy chứng sinh;")
    assert [b["title"] for b in conversation.buttons][:3] == [
        "Xem giấy tờ theo trường hợp",
        "Lệ phí",
        "Nộp ở đâu",
    ]
    assert_fits(conversation)
    cases = await conversation.press("Xem giấy tờ theo trường hợp")
    assert cases.startswith("Giấy tờ chỉ nộp khi đúng trường hợp của bạn:") and "bị bỏ rơi" in cases
    fee = await conversation.press("Lệ phí")
    assert fee.startswith("Lệ phí: miễn phí, mọi cách nộp.")


async def test_steps_are_what_the_citizen_does(conversation: Conversation) -> None:
    reply = await conversation.say("thủ tục đăng ký khai sinh gồm những bước nào")
    assert reply.startswith("Bạn làm như sau:\n1. Chuẩn bị giấy tờ")
    assert sum(line[:2] in {"1.", "2.", "3.", "4.", "5."} for line in reply.splitlines()) <= 5
    assert "cán bộ" not in reply.lower()
    official = await conversation.press("Các bước của cơ quan")
    assert official.startswith("Các bước theo Cổng Dịch vụ công:\n1. ")


async def test_a_question_naming_the_case_is_answered_directly(conversation: Conversation) -> None:
    reply = await conversation.say("nhập hộ khẩu cho vợ về nhà chồng cần giấy tờ gì")
    assert reply.startswith("Giấy tờ chính cần nộp — Nhà người thân:")
    assert "Bạn thuộc trường hợp nào?" not in reply


async def test_empty_conditions_say_where_to_ask(conversation: Conversation) -> None:
    reply = await conversation.say("đổi thẻ căn cước cần điều kiện gì")
    if reply.startswith(
        "Bạn muốn hỏi thủ tục nào"
    ):  # the linker's candidates: the citizen picks one
        reply = await conversation.press("Cấp đổi thẻ căn cước")
    assert reply.startswith(
        "Cổng Dịch vụ công chưa ghi điều kiện cho thủ tục này; bạn hỏi Công an cấp Xã hoặc Tổng đài 1900 0000"
    )
    assert "không đặt điều kiện" not in reply


@pytest.mark.xfail(
    reason="issue #14 gap: with nlu_data/nlu_official_names.yml the small test model (and at 80 "
    "DIET epochs too) reads the bare follow-up 'con dưới 14 tuổi thì sao' as out_of_scope; the "
    "full config.yml model (seed 42) reads it as ask_conditions. To be fixed with training data.",
    strict=False,
)
async def test_a_follow_up_that_changes_the_procedure_is_confirmed(
    conversation: Conversation,
) -> None:
    """After the passport, "con dưới 14 tuổi" links to the identity card by its qualifier only."""
    first = await conversation.say('/ask_documents{"procedure":"1.001456"}')
    assert "(mã 1.001456)" in first
    reply = await conversation.say("con dưới 14 tuổi thì sao")
    assert (
        reply
        == "Bạn vẫn hỏi về «Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)» phải không?"
    )
    assert [b["title"] for b in conversation.buttons] == [
        "Đúng",
        "Cấp thẻ căn cước cho người dưới 14 tuổi",
    ]
    kept = await conversation.press("Đúng")
    assert "(mã 1.001456)" in kept and "1.014062" not in kept
    switched = await conversation.say(
        "còn làm thẻ căn cước cho con dưới 14 tuổi thì sao"
    )  # named: no question
    assert "(mã 1.014062)" in switched and "phải không?" not in switched
