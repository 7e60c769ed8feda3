"""Dossier lookup and satisfaction survey through a real Agent and the action server.

The action server's database is seeded before it starts (tests/conversation/conftest.py):
demo dossiers (`seeded_database.demo`: code, phone_last4, status) and the hand-made ones
of tests/helpers/dossier_samples.py (phone digits DIGITS). Each test talks as its own sender, and
the tests that fail verifications use dossiers nobody else uses (the lock is per code).
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.engine import make_engine, session_scope
from bot.db.models import Dossier, SurveyResponse
from bot.db.services import DEFAULT_LIMITS
from bot.wording import STATUS_TEXTS
from tests.helpers.actions import rendered
from tests.helpers.conversation import Conversation, SeededDatabase
from tests.helpers.dossier_samples import DIGITS, OVERDUE_DAYS, UNKNOWN_CODE, WRONG_DIGITS

pytestmark = pytest.mark.rasa

ASKS_CODE = "Bạn gửi giúp mình mã hồ sơ"
ASKS_DIGITS = "4 chữ số cuối của số điện thoại"
THANKS = "Cảm ơn bạn đã dành thời gian đánh giá!"


def survey_rows(database: SeededDatabase, code: str | None) -> list[dict[str, Any]]:
    engine = make_engine(database.url)
    try:
        with session_scope(engine) as session:
            query = select(SurveyResponse).outerjoin(
                Dossier, SurveyResponse.dossier_id == Dossier.id
            )
            query = (
                query.where(Dossier.code == code)
                if code
                else query.where(SurveyResponse.dossier_id.is_(None))
            )
            rows = session.execute(query.order_by(SurveyResponse.id)).scalars().all()
            return [
                {
                    column: getattr(row, column)
                    for column in (c.key for c in SurveyResponse.__table__.columns)
                }
                for row in rows
            ]
    finally:
        engine.dispose()


async def look_up(conversation: Conversation, code: str, digits: str = DIGITS) -> str:
    assert ASKS_CODE in await conversation.say("tra cứu hồ sơ")
    assert ASKS_DIGITS in await conversation.say(code)
    return await conversation.say(digits)


async def verify_for_rating(conversation: Conversation, code: str) -> str:
    asked = await conversation.say("tôi muốn đánh giá dịch vụ")
    assert "Bạn muốn đánh giá việc giải quyết hồ sơ nào?" in asked
    assert [b["title"] for b in conversation.buttons] == ["Góp ý chung, không theo hồ sơ"]
    assert ASKS_DIGITS in await conversation.say(code)
    return await conversation.say(DIGITS)


async def answer_criteria(conversation: Conversation, answers: list[str]) -> str:
    """Answers the 9 criteria: "#n" presses the n-th button, anything else is typed."""
    reply = ""
    for number, answer in enumerate(answers, 1):
        assert f"Câu {number + 1}/11" in reply or number == 1  # the overall question was 1/11
        if answer.startswith("#"):
            reply = await conversation.press(conversation.buttons[int(answer[1:]) - 1]["title"])
        else:
            reply = await conversation.say(answer)
    return reply


# --- lookup -----------------------------------------------------------------------------------


async def test_code_in_the_first_message(
    conversation: Conversation, seeded_database: SeededDatabase
) -> None:
    code = seeded_database.dossiers["4"].code
    assert ASKS_DIGITS in await conversation.say(f"hồ sơ {code.lower()} đến đâu rồi ad")
    reply = await conversation.say(DIGITS)
    assert (
        f"Hồ sơ {code}" in reply and "Trạng thái: Đang xử lý" in reply and "Nguyễn V. A." in reply
    )


async def test_code_asked_for(conversation: Conversation, seeded_database: SeededDatabase) -> None:
    reply = await look_up(conversation, seeded_database.dossiers["2"].code)
    assert "Trạng thái: Được tiếp nhận" in reply and "Ngày hẹn trả kết quả" in reply


async def test_wrong_format_gets_an_example_then_the_form_goes_on(
    conversation: Conversation, seeded_database: SeededDatabase
) -> None:
    assert ASKS_CODE in await conversation.say("kiểm tra hồ sơ giúp tôi")
    reply = await conversation.say("000.00.12-H25")
    assert "chưa đúng định dạng" in reply and "000.00.12.H25-250103-0042" in reply
    assert ASKS_DIGITS in await conversation.say(seeded_database.dossiers["6"].code)
    assert "Trạng thái: Yêu cầu thực hiện nghĩa vụ tài chính" in await conversation.say(DIGITS)


async def test_full_phone_number_is_refused_and_not_echoed(
    conversation: Conversation, seeded_database: SeededDatabase
) -> None:
    assert ASKS_DIGITS in await conversation.say(seeded_database.dossiers["7"].code)
    reply = await conversation.say("0912345739")
    assert rendered("utter_lookup_only_four_digits") in reply and ASKS_DIGITS in reply
    assert "0912345739" not in reply and DIGITS not in reply
    assert "Trạng thái: Công dân yêu cầu rút hồ sơ" in await conversation.say(DIGITS)


async def test_wrong_digits_get_the_same_reply_as_an_unknown_code(
    conversation: Conversation, seeded_database: SeededDatabase, agent: Any
) -> None:
    wrong = await look_up(conversation, seeded_database.dossiers["wrong_digits"].code, WRONG_DIGITS)
    other = Conversation(agent, sender=f"test-unknown-code-{os.getpid()}")
    unknown = await look_up(other, UNKNOWN_CODE, DIGITS)
    assert wrong == unknown and rendered("utter_lookup_rejected") in wrong and ASKS_DIGITS in wrong
    assert "Trạng thái" not in wrong and WRONG_DIGITS not in wrong
    assert "Trạng thái: Đang xử lý" in await conversation.say(DIGITS)  # the form asked again


async def test_lockout_after_five_failures(
    conversation: Conversation, seeded_database: SeededDatabase
) -> None:
    code = seeded_database.dossiers["lockout"].code
    reply = await look_up(conversation, code, WRONG_DIGITS)
    for _ in range(4):
        assert rendered("utter_lookup_rejected") in reply
        reply = await conversation.say(WRONG_DIGITS)
    assert rendered("utter_lookup_rejected") in reply
    locked = await conversation.say(DIGITS)  # the right digits come too late
    assert (
        "tạm khóa đến" in locked and "Tổng đài 1900 0000" in locked and "Trạng thái" not in locked
    )
    assert ASKS_DIGITS not in locked  # the form stopped
    after = await conversation.say(DIGITS)
    assert "Trạng thái" not in after and "tạm khóa" not in after
    assert "tạm khóa đến" in await look_up(conversation, code)  # still locked for this code


async def test_guesses_from_other_senders_do_not_lock_out_the_owner(
    conversation: Conversation, seeded_database: SeededDatabase, agent: Any
) -> None:
    """The attack: one wrong guess on a code from each of many sender ids."""
    sample = [demo for demo in seeded_database.demo if demo.status == 4][
        1
    ]  # a dossier no other test uses
    wrong = "0000" if sample.phone_last4 != "0000" else "1111"
    for attempt in range(DEFAULT_LIMITS.per_code + 2):
        attacker = Conversation(agent, sender=f"zalo:attacker-{attempt}-{os.getpid()}")
        assert rendered("utter_lookup_rejected") in await look_up(attacker, sample.code, wrong)
    reply = await look_up(conversation, sample.code, sample.phone_last4)
    assert (
        f"Hồ sơ {sample.code}" in reply
        and "Trạng thái: Đang xử lý" in reply
        and "tạm khóa" not in reply
    )


@pytest.mark.parametrize("status", range(1, 11))
async def test_every_status_wording(
    status: int, conversation: Conversation, seeded_database: SeededDatabase
) -> None:
    sample = seeded_database.demo_sample(status)
    reply = await look_up(conversation, sample.code, sample.phone_last4)
    assert (
        f"Trạng thái: {STATUS_TEXTS[status].name}" in reply
        and STATUS_TEXTS[status].explanation in reply
    )
    assert f"Hồ sơ {sample.code}" in reply and "Ngày tiếp nhận:" in reply
    if status == 9:
        assert "Nhận kết quả tại:" in reply
    if status == 10:
        assert "đánh giá" in reply and [b["title"] for b in conversation.buttons] == ["Có", "Không"]


async def test_overdue_shown(conversation: Conversation, seeded_database: SeededDatabase) -> None:
    reply = await look_up(conversation, seeded_database.dossiers["overdue"].code)
    assert f"⚠️ Hồ sơ trễ hẹn {OVERDUE_DAYS} ngày" in reply


async def test_supplement_request_and_where_to_bring_it(
    conversation: Conversation, seeded_database: SeededDatabase
) -> None:
    reply = await look_up(conversation, seeded_database.dossiers["5"].code)
    assert (
        "Cần bổ sung: Bổ sung bản sao giấy khai sinh" in reply
        and "Nộp bổ sung tại: UBND phường Ba Đình" in reply
    )


async def test_cancel_mid_form(conversation: Conversation, seeded_database: SeededDatabase) -> None:
    assert ASKS_CODE in await conversation.say("tra cứu hồ sơ")
    assert ASKS_DIGITS in await conversation.say(seeded_database.dossiers["8"].code)
    assert await conversation.say("thôi") == rendered("utter_lookup_cancelled")
    assert "Xin chào" in await conversation.say("xin chào")  # the form is no longer active
    assert ASKS_CODE in await conversation.say(
        "tra cứu hồ sơ"
    )  # a new lookup asks for the code again
    assert await conversation.say("không") == rendered("utter_lookup_cancelled")


# --- survey -----------------------------------------------------------------------------------


async def test_survey_offered_after_a_returned_dossier_and_completed(
    conversation: Conversation, seeded_database: SeededDatabase
) -> None:
    code = seeded_database.dossiers["survey"].code
    assert survey_rows(seeded_database, code) == []
    reply = await look_up(conversation, code)
    assert "Trạng thái: Đã trả kết quả" in reply and rendered("utter_offer_survey") in reply
    overall = await conversation.press("Có")
    assert (
        "Câu 1/11 — Nhìn chung, bạn có hài lòng" in overall
        and "Rất hài lòng" not in overall
        and [b["title"] for b in conversation.buttons]
        == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    )
    first = await conversation.say("rat hai long")
    assert "Câu 2/11" in first and [b["title"] for b in conversation.buttons] == [
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
    ]
    comment = await answer_criteria(
        conversation,
        ["#2", "#2", "1", "#1", "#1", "1", "Chuẩn mực, nhiệt tình", "bỏ qua", "bỏ qua"],
    )
    assert "Câu 11/11 — Cuối cùng, bạn có góp ý gì thêm" in comment and [
        b["title"] for b in conversation.buttons
    ] == ["Bỏ qua"]
    thanks = await conversation.say("Cán bộ hướng dẫn rất nhiệt tình")
    assert THANKS in thanks
    [row] = survey_rows(seeded_database, code)
    assert row["overall_level"] == 3 and row["comment"] == "Cán bộ hướng dẫn rất nhiệt tình"
    assert (row["total_time"], row["agency_time"], row["trips"], row["staff_attitude"]) == (
        1,
        1,
        2,
        2,
    )
    assert row["feedback_handling"] is None and row["online_service"] is None
    assert "Bạn cần hỏi thêm" in await conversation.say("có")  # the offer is over


async def test_survey_repeated_asks_to_update(
    conversation: Conversation, seeded_database: SeededDatabase
) -> None:
    code = seeded_database.dossiers["survey_again"].code
    assert "Nhìn chung, bạn có hài lòng" in await verify_for_rating(conversation, code)
    await conversation.say("hai long")
    await answer_criteria(conversation, ["1"] * 9)
    assert THANKS in await conversation.press("Bỏ qua")
    [first] = survey_rows(seeded_database, code)
    assert first["overall_level"] == 2 and first["comment"] is None

    again = await verify_for_rating(conversation, code)
    assert "bạn đã đánh giá trước đây" in again and [b["title"] for b in conversation.buttons] == [
        "Có",
        "Không",
    ]
    assert "Nhìn chung" in await conversation.press("Có")
    await conversation.say("khong hai long")
    await answer_criteria(conversation, ["3"] * 9)
    done = await conversation.say("Phải đi lại nhiều lần")
    assert rendered("utter_survey_updated", code=code) in done
    [updated] = survey_rows(seeded_database, code)
    assert (
        updated["id"] == first["id"]
        and updated["overall_level"] == 1
        and updated["total_time"] == 0
    )
    assert updated["comment"] == "Phải đi lại nhiều lần"


async def test_survey_repeated_can_keep_the_earlier_answers(
    conversation: Conversation, seeded_database: SeededDatabase
) -> None:
    code = seeded_database.dossiers["survey_keep"].code
    await verify_for_rating(conversation, code)
    await conversation.say("3")
    await answer_criteria(conversation, ["bỏ qua"] * 9)
    await conversation.say("không")
    [before] = survey_rows(seeded_database, code)
    assert before["overall_level"] == 1 and before["total_time"] is None
    await verify_for_rating(conversation, code)
    assert await conversation.press("Không") == rendered("utter_survey_kept")
    assert survey_rows(seeded_database, code) == [before]


async def test_anonymous_feedback(
    conversation: Conversation, seeded_database: SeededDatabase
) -> None:
    before = len(survey_rows(seeded_database, None))
    await conversation.say("tôi muốn góp ý")
    overall = await conversation.press("Góp ý chung")
    assert "chất lượng phục vụ của cơ quan hành chính" in overall
    assert "góp ý gì thêm" in await conversation.say("Hài lòng")  # no per-dossier criteria
    assert THANKS in await conversation.say("Nên có thêm chỗ ngồi chờ, gọi tôi 0912 345 678")
    rows = survey_rows(seeded_database, None)
    assert len(rows) == before + 1
    assert rows[-1]["overall_level"] == 2 and rows[-1]["total_time"] is None
    assert rows[-1]["comment"] == "Nên có thêm chỗ ngồi chờ, gọi tôi [số đã ẩn]"


async def test_survey_cancelled_mid_form_saves_nothing(
    conversation: Conversation, seeded_database: SeededDatabase
) -> None:
    code = seeded_database.dossiers["10"].code
    await look_up(conversation, code)
    await conversation.press("Có")
    await conversation.say("Không hài lòng")
    assert await conversation.say("thôi") == rendered("utter_survey_cancelled")
    assert survey_rows(seeded_database, code) == []
    assert "Xin chào" in await conversation.say("xin chào")


async def test_declined_offer(conversation: Conversation, seeded_database: SeededDatabase) -> None:
    await look_up(conversation, seeded_database.dossiers["10"].code)
    assert await conversation.press("Không") == rendered("utter_survey_declined")
    assert "Bạn cần hỏi thêm" in await conversation.say("có")  # "có" no longer starts the survey


async def test_feedback_kept_while_the_database_is_locked_then_resent(
    conversation: Conversation, seeded_database: SeededDatabase
) -> None:
    """Another writer holds the SQLite file: the answers stay in the conversation, and
    "gửi lại" stores them once the database is free (the action server waits 2 s, see conftest)."""
    before = len(survey_rows(seeded_database, None))
    await conversation.say("tôi muốn góp ý")
    await conversation.press("Góp ý chung")
    assert "góp ý gì thêm" in await conversation.say("Rất hài lòng")
    other_writer = sqlite3.connect(
        seeded_database.url.removeprefix("sqlite:///"), isolation_level=None
    )
    try:
        other_writer.execute("BEGIN IMMEDIATE")
        kept = await conversation.say("Cán bộ hướng dẫn tận tình")
        assert "chưa lưu được" in kept and "gửi lại" in kept and "Tổng đài 1900 0000" in kept
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    assert len(survey_rows(seeded_database, None)) == before
    assert THANKS in await conversation.say("gửi lại")
    rows = survey_rows(seeded_database, None)
    assert len(rows) == before + 1 and rows[-1]["overall_level"] == 3
    assert rows[-1]["comment"] == "Cán bộ hướng dẫn tận tình"
    assert rendered("utter_survey_nothing_to_resend") in await conversation.say(
        "gui lai"
    )  # stored once, nothing left
