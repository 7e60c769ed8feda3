"""Subscribing to a dossier's status changes in the chat, "hủy thông báo", and the survey
button of a status-10 notification, against a temporary SQLite database."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.notifications import (
    ActionRateNotifiedDossier,
    ActionSubscribeNotifications,
    ActionUnsubscribeNotifications,
)
from bot.db.engine import run_transaction
from bot.db.outbox import subscribed_codes
from bot.db.services import SurveyAnswers, save_survey_response
from bot.wording import SUBSCRIBE_BUTTON
from tests.helpers.actions import (
    buttons_of,
    check_digits,
    code_entity,
    make_tracker,
    rendered,
    status_call,
    texts,
)
from tests.helpers.dossier_samples import DIGITS, SampleDossier

Samples = dict[str, SampleDossier]
SENDER = "tg:4242"


def verified(code: str, sender: str = SENDER) -> None:
    slots, _ = check_digits(code, DIGITS, sender=sender)
    assert slots["phone_last4"] == "checked"


def run(
    action: Any, intent: str, code: str | None, sender: str = SENDER
) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        intent, "/" + intent, entities=[code_entity(code)] if code else [], sender_id=sender
    )
    return action.run(dispatcher, tracker, {}), dispatcher


def subscribed(code: str, sender: str = SENDER) -> None:
    verified(code, sender)
    _, dispatcher = run(ActionSubscribeNotifications(), "subscribe_notifications", code, sender)
    assert texts(dispatcher) == rendered("utter_subscribed", code=code)


def test_verified_lookup_offers_the_button_and_it_subscribes(samples: Samples) -> None:
    code = samples["4"].code
    verified(code)
    _, dispatcher = status_call(code, sender=SENDER)
    [button] = buttons_of(dispatcher.messages[-1])
    assert "thông báo" in button["title"] and button["title"] == SUBSCRIBE_BUTTON
    assert button["payload"] == f'/subscribe_notifications{{"dossier_code": "{code}"}}'
    events, reply = run(ActionSubscribeNotifications(), "subscribe_notifications", code)
    assert texts(reply) == rendered("utter_subscribed", code=code)
    assert events == [SlotSet("dossier_code", None)]
    _, again = run(ActionSubscribeNotifications(), "subscribe_notifications", code)
    assert texts(again) == rendered("utter_subscribed_already", code=code)
    assert run_transaction(lambda session: subscribed_codes(session, SENDER)) == [code]


def test_no_offer_where_nothing_can_be_pushed_or_nothing_will_change(samples: Samples) -> None:
    for sender, role in (("web-0123456789", "4"), (SENDER, "10"), (SENDER, "3")):
        verified(samples[role].code, sender)
        _, dispatcher = status_call(samples[role].code, sender=sender)
        assert all(
            SUBSCRIBE_BUTTON not in str(message.get("buttons")) for message in dispatcher.messages
        )


def test_no_subscription_without_verification(samples: Samples) -> None:
    code = samples["4"].code
    _, dispatcher = run(ActionSubscribeNotifications(), "subscribe_notifications", code, "tg:999")
    assert texts(dispatcher) == rendered("utter_subscribe_not_verified")
    verified(code, "web-0123456789")
    _, web = run(ActionSubscribeNotifications(), "subscribe_notifications", code, "web-0123456789")
    assert texts(web) == rendered("utter_subscribe_no_push_channel")
    assert run_transaction(lambda session: subscribed_codes(session, "tg:999")) == []


def test_unsubscribe_lists_then_cancels(samples: Samples) -> None:
    first, second, third = samples["4"].code, samples["5"].code, samples["6"].code
    for code in (first, second, third):
        subscribed(code)
    _, listing = run(ActionUnsubscribeNotifications(), "unsubscribe_notifications", None)
    assert f"1. {first}" in texts(listing) and f"3. {third}" in texts(listing)
    titles = [button["title"] for button in buttons_of(listing.messages[0])]
    assert titles == [first, second, third, "Hủy tất cả"]
    _, one = run(ActionUnsubscribeNotifications(), "unsubscribe_notifications", second)
    assert second in texts(one)
    assert run_transaction(lambda session: subscribed_codes(session, SENDER)) == [first, third]
    _, rest = run(ActionUnsubscribeNotifications(), "unsubscribe_notifications", "all")
    assert first in texts(rest) and third in texts(rest)
    _, nothing = run(ActionUnsubscribeNotifications(), "unsubscribe_notifications", None)
    assert texts(nothing) == rendered("utter_unsubscribe_nothing")


def test_survey_button_starts_the_survey_for_a_subscriber_once(samples: Samples) -> None:
    code = samples["survey"].code
    subscribed(code)
    events, dispatcher = run(ActionRateNotifiedDossier(), "rate_notified_dossier", code)
    assert FollowupAction("survey_form") in events and SlotSet("survey_dossier", code) in events
    assert code in texts(dispatcher)
    run_transaction(
        lambda session: save_survey_response(
            session, idempotency_key="k1", answers=SurveyAnswers(3), dossier_code=code
        )
    )
    _, rated = run(ActionRateNotifiedDossier(), "rate_notified_dossier", code)
    assert texts(rated) == rendered("utter_already_rated", code=code)


def test_survey_button_from_another_conversation_asks_for_the_digits(samples: Samples) -> None:
    code = samples["survey_again"].code
    subscribed(code)
    events, _ = run(ActionRateNotifiedDossier(), "rate_notified_dossier", code, "tg:777")
    assert FollowupAction("dossier_lookup_form") in events
    assert (
        SlotSet("lookup_purpose", "survey") in events
        and FollowupAction("survey_form") not in events
    )


def test_rating_typed_without_a_code_verifies_a_dossier_first(samples: Samples) -> None:
    events, dispatcher = run(ActionRateNotifiedDossier(), "rate_notified_dossier", None)
    assert (
        FollowupAction("dossier_lookup_form") in events and SlotSet("dossier_code", None) in events
    )
    assert SlotSet("lookup_purpose", "survey") in events and not dispatcher.messages
