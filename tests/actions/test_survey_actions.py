"""The survey actions and validator on trackers; answers saved to a temporary SQLite database."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from sqlalchemy import func, select

from actions.choices import choose, is_cancel, is_no_comment, is_skip, yes_or_no
from actions.dossier import ActionDossierStatus
from actions.survey import (
    CRITERION_SLOTS,
    ActionAskSurveyComment,
    ActionAskSurveyOverall,
    ActionDeclineSurvey,
    ActionResendSurvey,
    ActionStartSurvey,
    ActionSubmitSurvey,
    ValidateSurveyForm,
    clean_comment,
    idempotency_key,
    read_answer,
)
from bot.db.engine import database_url, get_engine, session_scope
from bot.db.models import Dossier, SurveyResponse
from bot.db.services import (
    ANONYMOUS_FEEDBACK_PER_DAY,
    LookupKind,
    SurveyAnswers,
    save_survey_response,
    verify_and_get_dossier,
)
from bot.wording import SATISFACTION_LABELS, SURVEY_CRITERIA
from tests.helpers.actions import RESPONSES, buttons_of, make_tracker, rendered, text_of
from tests.helpers.dossier_samples import DIGITS, SampleDossier

FORM = "survey_form"
Samples = dict[str, SampleDossier]
OVERALL = list(SATISFACTION_LABELS.values())
THANKS = "Cảm ơn bạn đã dành thời gian đánh giá!"
ALL_CRITERIA = list(CRITERION_SLOTS.values())


def answer(
    slot: str, text: str, slots: dict[str, Any] | None = None, intent: str = "nlu_fallback"
) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        intent,
        text,
        slots={**(slots or {}), "requested_slot": slot},
        active_loop=FORM,
        candidates={slot: text},
    )
    return read_answer(slot, text, dispatcher, tracker), dispatcher


def filled_survey(
    code: str | None, overall: str = "3", comment: str = "Cán bộ nhiệt tình", **criteria: str
) -> dict[str, Any]:
    slots: dict[str, Any] = {
        "survey_dossier": code,
        "survey_overall": overall,
        "survey_comment": comment,
    }
    if code:
        slots.update({slot: "2" for slot in ALL_CRITERIA})
        slots.update({CRITERION_SLOTS[key]: value for key, value in criteria.items()})
    return slots


SENDER = "telegram:42"


def verified(code: str, sender: str = SENDER) -> str:
    """The lookup as the form does it: records the verification of `code` for `sender`."""
    with session_scope() as session:
        assert verify_and_get_dossier(session, code, DIGITS, sender).kind is LookupKind.OK
    return code


def submit(
    slots: dict[str, Any], sender: str = SENDER, message_id: str = "m-1"
) -> tuple[list[Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "nlu_fallback", "xong", slots=slots, sender_id=sender, message_id=message_id
    )
    return ActionSubmitSurvey().run(dispatcher, tracker, {}), dispatcher


def resend(slots: dict[str, Any], sender: str = SENDER) -> tuple[list[Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "resend_survey", "gửi lại", slots=slots, sender_id=sender, message_id="m-resend"
    )
    return ActionResendSurvey().run(dispatcher, tracker, {}), dispatcher


def responses(code: str | None) -> list[SurveyResponse]:
    with session_scope() as session:
        query = select(SurveyResponse).outerjoin(Dossier, SurveyResponse.dossier_id == Dossier.id)
        query = (
            query.where(Dossier.code == code)
            if code
            else query.where(SurveyResponse.dossier_id.is_(None))
        )
        rows = session.execute(query).scalars().all()
        session.expunge_all()
        return rows


# --- reading typed answers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, index",
    [
        ("Rất hài lòng", 0),
        ("rat hai long", 0),
        ("tôi rất hài lòng ạ", 0),
        ("1", 0),
        ("số 1", 0),
        ("hai long", 1),
        ("Hài lòng", 1),
        ("2", 1),
        ("khong hai long", 2),
        ("ko hai long", 2),
        ("Không hài lòng", 2),
        ("chưa hài lòng", 2),
        ("3", 2),
        ("4", None),
        ("0", None),
        ("long", None),
        ("", None),
        ("tra cứu hồ sơ", None),
    ],
)
def test_overall_level_from_typed_text(text: str, index: int | None) -> None:
    assert choose(text, OVERALL) == index


def test_criteria_answers_from_labels_numbers_and_phrases() -> None:
    trips, agency_time = (
        list(SURVEY_CRITERIA[2].choices.values()),
        list(SURVEY_CRITERIA[1].choices.values()),
    )
    assert choose("1 lần (không phải đi lại thêm)", trips) == 0 and choose("2 lần", trips) == 1
    assert choose("3", trips) == 2 and choose("1 lần", trips) == 0
    assert choose("trước hạn", agency_time) == 0 and choose("quá hạn", agency_time) == 2


def test_yes_no_cancel_and_skip_words() -> None:
    assert yes_or_no("Có") is True and yes_or_no("ok") is True and yes_or_no("Không") is False
    assert yes_or_no("ừ thì", "affirm") is True and yes_or_no("gì cơ") is None
    assert (
        is_cancel("thôi")
        and is_cancel("hủy")
        and is_cancel("không đánh giá nữa")
        and is_cancel("Dừng lại")
    )
    assert not is_cancel("Đúng hạn") and not is_cancel("Không hài lòng")
    assert is_skip("Bỏ qua") and is_skip("không áp dụng") and not is_skip("2 lần")
    assert is_no_comment("không có gì") and not is_no_comment("cán bộ nhiệt tình")


# --- questions ------------------------------------------------------------------------------


def test_overall_question_has_the_three_levels_as_buttons(dispatcher: CollectingDispatcher) -> None:
    ActionAskSurveyOverall().run(
        dispatcher,
        make_tracker("affirm", slots={"survey_dossier": "000.00.12.H25-250103-0010"}),
        {},
    )
    message = dispatcher.messages[0]
    assert (
        text_of(message).startswith("Câu 1/11 — ")
        and "000.00.12.H25-250103-0010" in text_of(message)
        and "Rất hài lòng" not in text_of(message)
    )  # said once: as buttons
    assert [b["title"] for b in buttons_of(message)] == [
        "Rất hài lòng",
        "Hài lòng",
        "Không hài lòng",
    ]


def test_update_and_comment_questions(dispatcher: CollectingDispatcher) -> None:
    ask_update = RESPONSES["utter_ask_survey_update"][0]  # asked by the form itself
    assert [(b["title"], b["payload"]) for b in ask_update["buttons"]] == [
        ("Có", "/affirm"),
        ("Không", "/deny"),
    ]
    assert "C-1" in rendered("utter_ask_survey_update", survey_dossier="C-1")
    ActionAskSurveyComment().run(
        dispatcher, make_tracker("affirm", slots={"survey_dossier": "C-1"}), {}
    )
    ActionAskSurveyComment().run(
        dispatcher, make_tracker("affirm", slots={"survey_dossier": None}), {}
    )
    assert text_of(dispatcher.messages[0]).startswith("Câu 11/11 — Cuối cùng")
    assert text_of(dispatcher.messages[1]).startswith("Cuối cùng")
    assert [b["title"] for message in dispatcher.messages for b in buttons_of(message)] == [
        "Bỏ qua",
        "Bỏ qua",
    ]


def test_general_feedback_overall_question_is_not_numbered(
    dispatcher: CollectingDispatcher,
) -> None:
    ActionAskSurveyOverall().run(
        dispatcher, make_tracker("affirm", slots={"survey_dossier": None}), {}
    )
    assert text_of(dispatcher.messages[0]).startswith("Nhìn chung")
    assert [b["title"] for b in buttons_of(dispatcher.messages[0])] == OVERALL


# --- which questions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slots, expected",
    [
        ({"survey_dossier": "C-1"}, ["survey_overall", *ALL_CRITERIA, "survey_comment"]),
        (
            {"survey_dossier": "C-1", "survey_rated_before": True},
            ["survey_update", "survey_overall", *ALL_CRITERIA, "survey_comment"],
        ),
        ({"survey_dossier": None}, ["survey_overall", "survey_comment"]),
        ({"survey_dossier": "C-1", "survey_stop": "cancel"}, []),
    ],
)
def test_required_slots(
    slots: dict[str, Any], expected: list[str], dispatcher: CollectingDispatcher
) -> None:
    tracker = make_tracker("affirm", slots=slots, active_loop=FORM)
    assert asyncio.run(ValidateSurveyForm().required_slots([], dispatcher, tracker, {})) == expected


def test_form_run_asks_the_next_question_then_ends_on_cancel(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "rate_service",
        "rat hai long",
        slots={"survey_dossier": "C-1", "requested_slot": "survey_overall"},
        active_loop=FORM,
        candidates={"survey_overall": "rat hai long"},
    )
    events = asyncio.run(ValidateSurveyForm().run(dispatcher, tracker, domain))
    assert events == [
        SlotSet("survey_overall", "3"),
        SlotSet("requested_slot", "survey_total_time"),
    ]
    tracker = make_tracker(
        "deny",
        "thôi",
        slots={
            "survey_dossier": "C-1",
            "survey_overall": "3",
            "requested_slot": "survey_total_time",
        },
        active_loop=FORM,
        candidates={"survey_total_time": "thôi"},
    )
    events = asyncio.run(ValidateSurveyForm().run(dispatcher, tracker, domain))
    assert SlotSet("survey_stop", "cancel") in events and events[-1] == SlotSet(
        "requested_slot", None
    )


# --- answers --------------------------------------------------------------------------------


def test_overall_answers_are_stored_as_levels() -> None:
    assert answer("survey_overall", "1")[0] == {"survey_overall": "3"}
    assert answer("survey_overall", "hai long")[0] == {"survey_overall": "2"}
    assert answer("survey_overall", "Không hài lòng", intent="deny")[0] == {"survey_overall": "1"}


def test_unclear_answer_asks_again_and_cancel_stops() -> None:
    result, dispatcher = answer("survey_overall", "hôm nay trời đẹp")
    assert result == {"survey_overall": None} and text_of(dispatcher.messages[0]) == rendered(
        "utter_survey_not_understood"
    )
    result, dispatcher = answer("survey_trips", "thôi")
    assert result == {"survey_trips": None, "survey_stop": "cancel"} and not dispatcher.messages


def test_criterion_answers_skips_and_typed_labels() -> None:
    assert answer("survey_trips", "1 lần (không phải đi lại thêm)")[0] == {"survey_trips": "2"}
    assert answer("survey_staff_attitude", "3")[0] == {"survey_staff_attitude": "0"}
    assert answer("survey_publicity", "Không công khai", intent="deny")[0] == {
        "survey_publicity": "0"
    }
    assert answer("survey_online_service", "bỏ qua")[0] == {"survey_online_service": ""}


def test_update_question() -> None:
    assert answer("survey_update", "Có", intent="affirm")[0] == {"survey_update": "yes"}
    assert answer("survey_update", "Không", intent="deny")[0] == {
        "survey_update": "no",
        "survey_stop": "keep",
    }
    result, dispatcher = answer("survey_update", "để mình xem")
    assert result == {"survey_update": None} and text_of(dispatcher.messages[0]) == rendered(
        "utter_survey_yes_or_no"
    )


def test_comment_can_be_skipped_and_hides_long_numbers() -> None:
    assert answer("survey_comment", "Bỏ qua")[0] == {"survey_comment": ""}
    assert answer("survey_comment", "không", intent="deny")[0] == {"survey_comment": ""}
    stored = answer("survey_comment", "Gọi lại cho tôi số 0912 345 678 nhé")[0]["survey_comment"]
    assert "0912" not in stored and "[số đã ẩn]" in stored
    assert clean_comment("x" * 5000) == "x" * 1000


# --- starting and declining -----------------------------------------------------------------


def test_accepting_the_offer_starts_the_survey_for_that_dossier(
    samples: Samples, dispatcher: CollectingDispatcher
) -> None:
    code = verified(samples["10"].code)
    tracker = make_tracker(
        "affirm", "có", slots={"survey_dossier": code, "survey_offered": True}, sender_id=SENDER
    )
    events = ActionStartSurvey().run(dispatcher, tracker, {})
    assert SlotSet("survey_dossier", code) in events and SlotSet("survey_offered", False) in events
    assert SlotSet("survey_update", None) in events and events[-1] == FollowupAction("survey_form")
    assert "11 câu" in text_of(dispatcher.messages[0])


def test_accepting_an_update_offer_does_not_ask_again(
    samples: Samples, dispatcher: CollectingDispatcher
) -> None:
    code = verified(samples["survey_again"].code)
    with session_scope() as session:
        save_survey_response(
            session, idempotency_key="earlier", answers=SurveyAnswers(1), dossier_code=code
        )
    events = ActionStartSurvey().run(
        dispatcher, make_tracker("affirm", slots={"survey_dossier": code}, sender_id=SENDER), {}
    )
    assert (
        SlotSet("survey_rated_before", True) in events and SlotSet("survey_update", "yes") in events
    )


def test_declining_the_offer(dispatcher: CollectingDispatcher) -> None:
    events = ActionDeclineSurvey().run(
        dispatcher, make_tracker("deny", slots={"survey_offered": True}), {}
    )
    assert SlotSet("survey_offered", False) in events and text_of(
        dispatcher.messages[0]
    ) == rendered("utter_survey_declined")


# --- saving ---------------------------------------------------------------------------------


def test_completed_survey_is_saved_once_with_its_answers(samples: Samples) -> None:
    code = verified(samples["survey"].code)
    events, dispatcher = submit(filled_survey(code, "3", trips="1", online_service=""))
    assert text_of(dispatcher.messages[0]) == rendered("utter_survey_saved") and THANKS in text_of(
        dispatcher.messages[0]
    )
    [row] = responses(code)
    assert (
        row.overall_level == 3
        and row.trips == 1
        and row.online_service is None
        and row.total_time == 2
    )
    assert row.comment == "Cán bộ nhiệt tình" and row.source_channel == "telegram"
    assert row.sender_hash and len(row.sender_hash) == 64  # salted hash, never the sender id
    assert SlotSet("survey_dossier", None) in events and SlotSet("survey_overall", None) in events


def test_the_same_delivery_twice_makes_one_row(samples: Samples) -> None:
    code = verified(samples["survey"].code)
    submit(filled_survey(code), message_id="m-7")
    _, dispatcher = submit(filled_survey(code, "1"), message_id="m-7")  # redelivered: a no-op
    [row] = responses(code)
    assert row.overall_level == 3 and THANKS in text_of(dispatcher.messages[0])


def test_answering_again_updates_the_dossier_response(samples: Samples) -> None:
    code = verified(samples["survey"].code)
    submit(filled_survey(code, "1"), message_id="m-1")
    _, dispatcher = submit(filled_survey(code, "2", comment=""), message_id="m-2")
    [row] = responses(code)
    assert row.overall_level == 2 and row.comment is None
    assert text_of(dispatcher.messages[0]) == rendered("utter_survey_updated", code=code)


def test_anonymous_feedback_has_no_dossier_and_no_criteria(samples: Samples) -> None:
    before = len(responses(None))
    submit(filled_survey(None, "1", comment="Thủ tục còn rườm rà"), message_id="m-9")
    rows = responses(None)
    assert len(rows) == before + 1 and rows[-1].overall_level == 1 and rows[-1].total_time is None
    assert rows[-1].comment == "Thủ tục còn rườm rà"


@pytest.mark.parametrize(
    "stop, text",
    [("cancel", rendered("utter_survey_cancelled")), ("keep", rendered("utter_survey_kept"))],
)
def test_stopped_survey_saves_nothing(stop: str, text: str, samples: Samples) -> None:
    _, dispatcher = submit({**filled_survey(samples["survey"].code), "survey_stop": stop})
    assert text_of(dispatcher.messages[0]) == text
    with session_scope() as session:
        assert session.execute(select(func.count()).select_from(SurveyResponse)).scalar_one() == 0


def test_idempotency_key_is_stable_and_hides_the_sender() -> None:
    first = idempotency_key(make_tracker("affirm", sender_id="telegram:123456", message_id="abc"))
    assert first == idempotency_key(
        make_tracker("deny", sender_id="telegram:123456", message_id="abc")
    )
    assert first != idempotency_key(
        make_tracker("affirm", sender_id="telegram:123456", message_id="abd")
    )
    assert "123456" not in first and first.endswith(":abc") and len(first) <= 128


# --- forged ratings and limits --------------------------------------------------------------


def test_forged_survey_without_verification_stores_nothing(samples: Samples) -> None:
    """A crafted call: next_action=action_submit_survey with survey_dossier and survey_overall set."""
    code = samples["survey"].code
    events, dispatcher = submit(
        {"survey_dossier": code, "survey_overall": "1"}, sender="web:stranger"
    )
    assert text_of(dispatcher.messages[0]) == rendered(
        "utter_survey_not_verified", code=code, minutes=30
    )
    assert responses(code) == [] and SlotSet("survey_dossier", None) in events


def test_forged_webhook_payload_stores_nothing(samples: Samples, domain: dict[str, Any]) -> None:
    """The same attack as the action server receives it on /webhook."""
    code = samples["survey"].code
    tracker = make_tracker(
        "nlu_fallback",
        "x",
        slots={"survey_dossier": code, "survey_overall": "1"},
        sender_id="web:stranger",
    )
    executor = ActionExecutor()
    executor.register_package("actions")
    response = asyncio.run(
        executor.run(
            {
                "next_action": "action_submit_survey",
                "sender_id": "web:stranger",
                "version": "3.6.21",
                "tracker": tracker.current_state(),
                "domain": domain,
            }
        )
    )
    assert [text_of(message) for message in response["responses"]] == [
        rendered("utter_survey_not_verified", code=code, minutes=30)
    ]
    assert responses(code) == []


def test_a_verification_by_another_conversation_does_not_count(samples: Samples) -> None:
    code = verified(samples["survey"].code, sender="telegram:owner")
    _, dispatcher = submit(filled_survey(code, "1"), sender="telegram:stranger")
    assert (
        text_of(dispatcher.messages[0])
        == rendered("utter_survey_not_verified", code=code, minutes=30)
        and responses(code) == []
    )


def test_the_offer_cannot_be_accepted_for_an_unverified_dossier(
    samples: Samples, dispatcher: CollectingDispatcher
) -> None:
    code = samples["10"].code
    tracker = make_tracker(
        "affirm",
        "có",
        slots={"survey_dossier": code, "survey_offered": True},
        sender_id="web:stranger",
    )
    events = ActionStartSurvey().run(dispatcher, tracker, {})
    assert text_of(dispatcher.messages[0]) == rendered(
        "utter_survey_not_verified", code=code, minutes=30
    )
    assert FollowupAction("survey_form") not in events and SlotSet("survey_dossier", None) in events


def test_anonymous_feedback_is_limited_per_sender_and_day(samples: Samples) -> None:
    for number in range(ANONYMOUS_FEEDBACK_PER_DAY):
        _, dispatcher = submit(filled_survey(None), sender="web:flood", message_id=f"m-{number}")
        assert THANKS in text_of(dispatcher.messages[0])
    _, dispatcher = submit(filled_survey(None), sender="web:flood", message_id="m-more")
    assert text_of(dispatcher.messages[0]) == rendered(
        "utter_feedback_limit", limit=ANONYMOUS_FEEDBACK_PER_DAY, hotline="Tổng đài 1900 0000"
    )
    assert len(responses(None)) == ANONYMOUS_FEEDBACK_PER_DAY
    starting = CollectingDispatcher()  # choosing "Góp ý chung" again is refused before any question
    events = ActionDossierStatus().run(
        starting,
        make_tracker("rate_service", slots={"lookup_purpose": "general"}, sender_id="web:flood"),
        {},
    )
    assert text_of(starting.messages[0]) == rendered(
        "utter_feedback_limit", limit=ANONYMOUS_FEEDBACK_PER_DAY, hotline="Tổng đài 1900 0000"
    )
    assert FollowupAction("survey_form") not in events
    assert THANKS in text_of(
        submit(filled_survey(None), sender="web:other", message_id="m-x")[1].messages[0]
    )


# --- answers kept when the database is busy ---------------------------------------------------


def test_locked_database_keeps_the_answers_until_resent(
    samples: Samples, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = verified(samples["survey"].code)
    path = Path(database_url().removeprefix("sqlite:///"))
    busy_url = f"sqlite:///{path}?timeout=0.3"
    monkeypatch.setenv("DATABASE_URL", busy_url)
    other_writer = sqlite3.connect(path, isolation_level=None)
    try:
        other_writer.execute("BEGIN IMMEDIATE")  # e.g. a second action server in a long write
        events, dispatcher = submit(filled_survey(code, "1"), message_id="m-busy")
        assert text_of(dispatcher.messages[0]) == rendered(
            "utter_survey_kept_for_later", hotline="Tổng đài 1900 0000"
        )
        [pending] = events  # the answers are not cleared: only the key of this delivery is kept
        assert pending["name"] == "survey_pending" and pending["value"].endswith(":m-busy")
        kept = {**filled_survey(code, "1"), "survey_pending": pending["value"]}
        _, dispatcher = resend(kept)  # too early: still busy, still kept
        assert text_of(dispatcher.messages[0]) == rendered(
            "utter_survey_kept_for_later", hotline="Tổng đài 1900 0000"
        )
        other_writer.execute("ROLLBACK")
        assert responses(code) == []
        events, dispatcher = resend(kept)
        assert text_of(dispatcher.messages[0]) == rendered("utter_survey_saved")
        [row] = responses(code)
        assert row.overall_level == 1 and row.idempotency_key == pending["value"]
        assert (
            SlotSet("survey_pending", None) in events and SlotSet("survey_overall", None) in events
        )
    finally:
        other_writer.close()
        get_engine(busy_url).dispose()


def test_resend_with_nothing_pending(samples: Samples) -> None:
    events, dispatcher = resend({"survey_overall": None})
    assert events == [] and text_of(dispatcher.messages[0]) == rendered(
        "utter_survey_nothing_to_resend"
    )


def test_database_failure_is_reported_not_raised(
    samples: Samples, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'not-migrated.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        _, dispatcher = submit(filled_survey(None))
    finally:
        get_engine(url).dispose()
    assert "Tổng đài 1900 0000" in text_of(dispatcher.messages[0]) and "chưa lưu được" in text_of(
        dispatcher.messages[0]
    )
