"""Issue #14: questions quoting a procedure's official name, and questions asking two aspects,
through a real Agent on the trained test model and the action server."""

from __future__ import annotations

import pytest

from tests.helpers.conversation import Conversation
from vntext import fold

pytestmark = pytest.mark.rasa

# The issue's own examples, as it quotes them ("…" included).
AGENCY = "Cơ quan nào thực hiện Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp tỉnh)?"
DOCUMENTS = (
    "Thủ tục Gia hạn giấy phép xây dựng đối với công trình cấp đặc biệt, cấp I, cấp II … "
    "cần hồ sơ gì?"
)
CONDITIONS = "Điều kiện thực hiện Đăng ký tập sự hành nghề công chứng là gì?"
CASH_VAN = (
    "Cơ quan nào thực hiện Thủ tục xác nhận về đạt tiêu chuẩn xe thiết kế chở tiền "
    "thuộc Nhóm 98.23?"
)


@pytest.mark.parametrize("typed", [lambda text: text, fold], ids=["accented", "unaccented"])
async def test_the_issue_s_questions_answer_the_aspect_asked_of_the_procedure_named(
    conversation: Conversation, typed: object
) -> None:
    assert callable(typed)
    agency = await conversation.say(typed(AGENCY))
    assert agency.startswith("Nộp hồ sơ tại Phòng Quản lý xuất nhập cảnh Công an tỉnh")
    assert "(mã 1.001445)" in agency
    documents = await conversation.say(typed(DOCUMENTS))
    assert documents.startswith("Giấy tờ chính cần nộp:\n1. Đơn đề nghị gia hạn giấy phép xây dựng")
    assert "(mã 1.013233)" in documents
    conditions = await conversation.say(typed(CONDITIONS))
    assert conditions.startswith("Điều kiện theo Cổng Dịch vụ công:")
    assert "(mã 1.013807)" in conditions
    cash_van = await conversation.say(typed(CASH_VAN))  # once taken for a dossier status check
    assert cash_van.startswith("Nộp hồ sơ tại Ngân hàng Nhà nước Việt Nam")
    assert "(mã 1.011663)" in cash_van


async def test_a_question_asking_fee_and_time_answers_both(conversation: Conversation) -> None:
    reply = await conversation.say("lệ phí và thời gian đăng ký thường trú")
    assert reply.startswith("Lệ phí tùy cách nộp:\n• Trực tuyến: 10.000 đồng")
    assert "Thời hạn giải quyết: 7 ngày làm việc, mọi cách nộp." in reply
    assert reply.index("Lệ phí") < reply.index("Thời hạn giải quyết")


async def test_fee_and_time_of_a_passport_are_both_answered(conversation: Conversation) -> None:
    reply = await conversation.say("lệ phí và thời gian làm hộ chiếu")
    assert reply.startswith("Lệ phí") and "Thời hạn giải quyết" in reply
    assert "(mã 1.001456)" in reply
