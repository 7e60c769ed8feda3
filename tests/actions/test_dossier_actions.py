"""The dossier lookup actions and validator on trackers, against a temporary SQLite database."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.dossier import (
    DIGITS_CHECKED,
    ActionAskDossierCode,
    ActionCancelDossierLookup,
    ActionDossierStatus,
    ActionStartDossierLookup,
    ValidateDossierLookupForm,
)
from bot.db import services
from bot.db.engine import session_scope
from bot.db.models import VerificationFailure
from bot.db.services import DEFAULT_LIMITS, VERIFICATION_TTL
from bot.dossier_code import find_dossier_code
from bot.wording import STATUS_TEXTS
from tests.helpers.actions import (
    DOSSIER_FORM as FORM,
)
from tests.helpers.actions import (
    buttons_of,
    check_digits,
    code_entity,
    make_tracker,
    rendered,
    status_after_form,
    status_call,
    text_of,
    texts,
)
from tests.helpers.dossier_samples import (
    AGENCY,
    APPLICANT,
    APPLICANT_MASKED,
    DIGITS,
    OVERDUE_DAYS,
    SUPPLEMENT,
    UNKNOWN_CODE,
    WRONG_DIGITS,
    SampleDossier,
)

GENERAL_FEEDBACK_PAYLOAD = '/rate_service{"feedback_scope": "general"}'
Samples = dict[str, SampleDossier]


# --- starting and asking --------------------------------------------------------------------


def test_lookup_starts_fresh_and_keeps_a_code_given_in_the_first_message(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = make_tracker(
        "check_dossier_status",
        "hs 000.00.12.h25-250103-0004 den dau r",
        [code_entity("000.00.12.h25-250103-0004")],
        slots={"dossier_code": "OLD", "phone_last4": "1111"},
    )
    events = ActionStartDossierLookup().run(dispatcher, tracker, {})
    assert SlotSet("dossier_code", "000.00.12.H25-250103-0004") in events
    assert SlotSet("lookup_purpose", "status") in events and SlotSet("phone_last4", None) in events
    assert not dispatcher.messages


def test_lookup_without_a_code_forgets_an_earlier_one_and_rating_sets_the_purpose(
    dispatcher: CollectingDispatcher,
) -> None:
    events = ActionStartDossierLookup().run(
        dispatcher,
        make_tracker("rate_service", "toi muon danh gia", slots={"dossier_code": "X"}),
        {},
    )
    assert SlotSet("dossier_code", None) in events and SlotSet("lookup_purpose", "survey") in events


def test_code_question_offers_general_feedback_only_when_rating() -> None:
    for purpose, buttons in (("status", []), ("survey", [GENERAL_FEEDBACK_PAYLOAD])):
        dispatcher = CollectingDispatcher()
        ActionAskDossierCode().run(
            dispatcher, make_tracker("rate_service", slots={"lookup_purpose": purpose}), {}
        )
        message = dispatcher.messages[0]
        assert "000.00.12.H25-250103-0042" in text_of(message)
        assert [button["payload"] for button in buttons_of(message)] == buttons


def test_digits_question_asks_for_the_last_four_only() -> None:
    assert "4 chữ số cuối" in rendered("utter_ask_phone_last4")  # asked by the form itself


# --- the code -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("000.00.12.H25-250103-0042", "000.00.12.H25-250103-0042"),
        ("mã hồ sơ của tôi là 000.00.12.h25-250103-0042 ạ", "000.00.12.H25-250103-0042"),
        ("000.00.12.H25 - 250103 - 0042", "000.00.12.H25-250103-0042"),
        ("ma: 000.31.22.H48-250512-1204.", "000.31.22.H48-250512-1204"),
        ("H25-0042", None),
        ("0912345678", None),
        ("hồ sơ của tôi", None),
    ],
)
def test_find_code(text: str, code: str) -> None:
    assert find_dossier_code(text) == code


def test_well_formed_code_is_kept_normalised(dispatcher: CollectingDispatcher) -> None:
    tracker = make_tracker("check_dossier_status", "ma 000.00.12.h25-250103-0004", active_loop=FORM)
    result = ValidateDossierLookupForm().validate_dossier_code(
        "ma 000.00.12.h25-250103-0004", dispatcher, tracker, {}
    )
    assert result == {"dossier_code": "000.00.12.H25-250103-0004"} and not dispatcher.messages


@pytest.mark.parametrize("typed", ["H99-1234", "0912345678", "001085012345", "hồ sơ làm căn cước"])
def test_malformed_code_gets_the_format_example_and_is_not_echoed(
    typed: str, dispatcher: CollectingDispatcher
) -> None:
    tracker = make_tracker("nlu_fallback", typed, active_loop=FORM)
    assert ValidateDossierLookupForm().validate_dossier_code(typed, dispatcher, tracker, {}) == {
        "dossier_code": None
    }
    reply = texts(dispatcher)
    assert "000.00.12.H25-250103-0042" in reply and typed not in reply


def test_general_feedback_button_ends_the_lookup_without_a_dossier(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = make_tracker(
        "rate_service",
        GENERAL_FEEDBACK_PAYLOAD,
        [{"entity": "feedback_scope", "value": "general"}],
        slots={"lookup_purpose": "survey"},
        active_loop=FORM,
    )
    result = ValidateDossierLookupForm().validate_dossier_code(
        GENERAL_FEEDBACK_PAYLOAD, dispatcher, tracker, {}
    )
    assert result == {"dossier_code": None, "lookup_purpose": "general", "requested_slot": None}
    typed = ValidateDossierLookupForm().validate_dossier_code(
        "góp ý chung thôi", CollectingDispatcher(), tracker, {}
    )
    assert typed["lookup_purpose"] == "general"


def test_typed_cancel_word_stops_the_form(dispatcher: CollectingDispatcher) -> None:
    tracker = make_tracker(
        "nlu_fallback", "hủy", slots={"lookup_purpose": "status"}, active_loop=FORM
    )
    result = ValidateDossierLookupForm().validate_dossier_code("hủy", dispatcher, tracker, {})
    assert result["requested_slot"] is None and result["dossier_code"] is None
    assert texts(dispatcher) == rendered("utter_lookup_cancelled")


def test_validation_run_ends_the_form_on_cancel(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(
        "nlu_fallback",
        "huỷ",
        slots={"requested_slot": "dossier_code"},
        active_loop=FORM,
        candidates={"dossier_code": "huỷ"},
    )
    events = asyncio.run(ValidateDossierLookupForm().run(dispatcher, tracker, domain))
    assert SlotSet("requested_slot", None) in events and SlotSet("dossier_code", None) in events


# --- the digits -----------------------------------------------------------------------------


def test_right_digits_are_accepted_and_not_kept(samples: Samples) -> None:
    result, dispatcher = check_digits(samples["4"].code, DIGITS)
    assert result == {"phone_last4": DIGITS_CHECKED} and not dispatcher.messages


def test_digits_with_words_or_spaces_are_read(samples: Samples) -> None:
    assert check_digits(samples["4"].code, "số cuối là " + " ".join(DIGITS))[0] == {
        "phone_last4": DIGITS_CHECKED
    }


def test_wrong_digits_and_unknown_code_get_the_same_reply(samples: Samples) -> None:
    wrong, wrong_dispatcher = check_digits(samples["wrong_digits"].code, WRONG_DIGITS, sender="a")
    unknown, unknown_dispatcher = check_digits(UNKNOWN_CODE, DIGITS, sender="b")
    assert wrong == unknown == {"phone_last4": None}
    assert wrong_dispatcher.messages == unknown_dispatcher.messages
    assert texts(wrong_dispatcher) == rendered("utter_lookup_rejected")


@pytest.mark.parametrize("typed", ["0912345739", "0912 345 739", "+84912345739", "57391"])
def test_a_longer_number_is_refused_without_echo(typed: str, samples: Samples) -> None:
    result, dispatcher = check_digits(samples["4"].code, typed)
    assert result == {"phone_last4": None}
    reply = texts(dispatcher)
    assert (
        reply == rendered("utter_lookup_only_four_digits")
        and DIGITS not in reply
        and typed not in reply
    )


def test_too_few_digits_ask_again(samples: Samples) -> None:
    result, dispatcher = check_digits(samples["4"].code, "78")
    assert result == {"phone_last4": None} and texts(dispatcher) == rendered(
        "utter_lookup_not_four_digits"
    )


def test_a_new_code_instead_of_digits_is_not_an_error(samples: Samples) -> None:
    result, dispatcher = check_digits(samples["4"].code, samples["5"].code)
    assert result == {"phone_last4": None} and not dispatcher.messages


def test_five_failures_lock_the_conversation_with_the_time_to_retry(samples: Samples) -> None:
    code = samples["lockout"].code
    for _ in range(5):
        assert check_digits(code, WRONG_DIGITS, sender="telegram:666")[0] == {"phone_last4": None}
    result, dispatcher = check_digits(
        code, DIGITS, sender="telegram:666"
    )  # even the right digits now
    assert result == {
        "dossier_code": None,
        "phone_last4": None,
        "lookup_purpose": None,
        "requested_slot": None,
    }
    reply = texts(dispatcher)
    assert "tạm khóa đến" in reply and "Tổng đài 1900 0000" in reply
    assert __import__("re").search(r"\d{2}:\d{2} ngày \d{2}/\d{2}/\d{4}", reply)


def test_guesses_from_many_sender_ids_do_not_lock_out_the_owner(samples: Samples) -> None:
    code = samples["lockout"].code
    for attempt in range(DEFAULT_LIMITS.per_code_ceiling - 1):
        assert check_digits(code, WRONG_DIGITS, sender=f"zalo:attacker-{attempt}")[0] == {
            "phone_last4": None
        }
    result, dispatcher = check_digits(code, DIGITS, sender="zalo:owner")
    assert result == {"phone_last4": DIGITS_CHECKED} and not dispatcher.messages
    assert "Trạng thái" in texts(status_call(code, sender="zalo:owner")[1])


def test_a_new_sender_id_gets_one_guess_on_a_locked_code(samples: Samples) -> None:
    code = samples["lockout"].code
    for attempt in range(DEFAULT_LIMITS.per_code):
        check_digits(code, WRONG_DIGITS, sender=f"zalo:attacker-{attempt}")
    assert texts(check_digits(code, WRONG_DIGITS, sender="zalo:new")[1]) == rendered(
        "utter_lookup_rejected"
    )
    assert "tạm khóa" in texts(check_digits(code, DIGITS, sender="zalo:new")[1])


def test_guesses_from_one_network_address_are_limited(samples: Samples) -> None:
    """Web chat sender ids cost nothing; the gateway's client address still counts."""
    for attempt in range(DEFAULT_LIMITS.per_address):
        check_digits(
            f"000.00.12.H25-250101-{attempt:04d}",
            DIGITS,
            sender=f"web:{attempt}",
            address="203.0.113.9",
        )
    result, dispatcher = check_digits(
        samples["4"].code, DIGITS, sender="web:fresh", address="203.0.113.9"
    )
    assert result["phone_last4"] is None and "tạm khóa đến" in texts(dispatcher)
    assert check_digits(samples["4"].code, DIGITS, sender="web:other", address="198.51.100.1")[
        0
    ] == {"phone_last4": DIGITS_CHECKED}
    with session_scope() as session:
        keys = set(session.execute(select(VerificationFailure.address_key)).scalars())
    assert len(keys) == 1 and "203.0.113.9" not in next(iter(keys))


def test_digits_never_reach_the_logs(samples: Samples, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    check_digits(samples["4"].code, "0912345739")
    check_digits(samples["4"].code, WRONG_DIGITS)
    status_after_form(samples["4"].code)
    assert (
        "0912345739" not in caplog.text
        and WRONG_DIGITS not in caplog.text
        and DIGITS not in caplog.text
    )


# --- the answer -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", range(1, 11))
def test_every_status_is_named_and_explained(status: int, samples: Samples) -> None:
    sample = samples[str(status)]
    events, dispatcher = status_after_form(sample.code)
    reply = text_of(dispatcher.messages[0])
    assert (
        f"Trạng thái: {STATUS_TEXTS[status].name}" in reply
        and STATUS_TEXTS[status].explanation in reply
    )
    assert "Đăng ký thường trú" in reply and APPLICANT_MASKED in reply and APPLICANT not in reply
    assert f"Ngày tiếp nhận: {sample.received_at:%d/%m/%Y}" in reply
    if sample.appointment_at:
        assert f"Ngày hẹn trả kết quả: {sample.appointment_at:%d/%m/%Y}" in reply
    assert DIGITS not in reply
    assert SlotSet("phone_last4", None) in events and SlotSet("dossier_code", None) in events


def test_overdue_dossier_says_how_late(samples: Samples) -> None:
    _, dispatcher = status_after_form(samples["overdue"].code)
    assert f"trễ hẹn {OVERDUE_DAYS} ngày" in text_of(dispatcher.messages[0])


def test_dossier_in_time_says_so(samples: Samples) -> None:
    _, dispatcher = status_after_form(samples["4"].code)
    assert "không trễ hẹn" in text_of(dispatcher.messages[0]) and "⚠️" not in text_of(
        dispatcher.messages[0]
    )


def test_supplement_request_says_what_to_bring_and_where(samples: Samples) -> None:
    _, dispatcher = status_after_form(samples["5"].code)
    reply = text_of(dispatcher.messages[0])
    assert f"Cần bổ sung: {SUPPLEMENT}" in reply and AGENCY.address in reply
    assert "Hạn giải quyết được lùi đến" in reply  # the waiting time does not count


def test_finished_dossier_says_where_to_collect_the_result(samples: Samples) -> None:
    _, dispatcher = status_after_form(samples["9"].code)
    assert f"Nhận kết quả tại: {AGENCY.name}, {AGENCY.address}" in text_of(dispatcher.messages[0])


def test_returned_dossier_offers_the_survey(samples: Samples) -> None:
    events, dispatcher = status_after_form(samples["10"].code)
    offer = dispatcher.messages[1]
    assert text_of(offer) == rendered("utter_offer_survey")
    assert [b["payload"] for b in buttons_of(offer)] == ["/affirm", "/deny"]
    assert (
        SlotSet("survey_offered", True) in events
        and SlotSet("survey_dossier", samples["10"].code) in events
    )


def test_other_statuses_offer_nothing(samples: Samples) -> None:
    events, dispatcher = status_after_form(samples["4"].code)
    assert len(dispatcher.messages) == 1 and SlotSet("survey_offered", False) in events


def test_verified_for_rating_starts_the_survey(samples: Samples) -> None:
    events, dispatcher = status_after_form(samples["survey"].code, purpose="survey")
    assert "Đã xác minh hồ sơ" in text_of(dispatcher.messages[0]) and "Trạng thái" not in texts(
        dispatcher
    )
    assert SlotSet("survey_dossier", samples["survey"].code) in events and events[
        -1
    ] == FollowupAction("survey_form")


def test_general_feedback_starts_an_anonymous_survey(
    dispatcher: CollectingDispatcher, samples: Samples
) -> None:
    events = ActionDossierStatus().run(
        dispatcher, make_tracker("rate_service", slots={"lookup_purpose": "general"}), {}
    )
    assert SlotSet("survey_dossier", None) in events and events[-1] == FollowupAction("survey_form")


def test_nothing_verified_says_nothing(dispatcher: CollectingDispatcher, samples: Samples) -> None:
    events = ActionDossierStatus().run(
        dispatcher, make_tracker("deny", slots={"dossier_code": None}), {}
    )
    assert not dispatcher.messages and SlotSet("phone_last4", None) in events


def test_status_is_never_shown_without_the_right_digits(samples: Samples) -> None:
    _, dispatcher = status_after_form(samples["4"].code, digits=WRONG_DIGITS)
    assert texts(dispatcher) == rendered("utter_lookup_not_verified", minutes=30)


def test_forged_call_with_slots_but_no_verification_discloses_nothing(samples: Samples) -> None:
    """A crafted action-server call: the slots claim the digits were checked."""
    code = samples["10"].code
    for forged in ({"phone_last4": DIGITS}, {"phone_last4": DIGITS_CHECKED}):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(
            "nlu_fallback", slots={"dossier_code": code, **forged}, sender_id="web:stranger"
        )
        events = ActionDossierStatus().run(dispatcher, tracker, {})
        assert texts(dispatcher) == rendered("utter_lookup_not_verified", minutes=30)
        assert not any(
            event.get("name") == "survey_dossier" and event.get("value") for event in events
        )


def test_a_verification_belongs_to_its_conversation(samples: Samples) -> None:
    code = samples["4"].code
    check_digits(code, DIGITS, sender="telegram:owner")
    assert texts(status_call(code, sender="telegram:someone-else")[1]) == rendered(
        "utter_lookup_not_verified", minutes=30
    )
    assert "Trạng thái" in texts(status_call(code, sender="telegram:owner")[1])


def test_a_verification_expires(samples: Samples, monkeypatch: pytest.MonkeyPatch) -> None:
    code = samples["4"].code
    check_digits(code, DIGITS)
    later = services.vietnam_now() + VERIFICATION_TTL + timedelta(seconds=1)
    monkeypatch.setattr(services, "vietnam_now", lambda: later)
    assert texts(status_call(code)[1]) == rendered("utter_lookup_not_verified", minutes=30)


def test_cancel_is_polite_and_clears_the_lookup(dispatcher: CollectingDispatcher) -> None:
    events = ActionCancelDossierLookup().run(
        dispatcher, make_tracker("deny", "thôi", slots={"dossier_code": "X"}), {}
    )
    assert texts(dispatcher) == rendered("utter_lookup_cancelled")
    assert SlotSet("dossier_code", None) in events and SlotSet("requested_slot", None) in events
