"""Dossier status notifications in the chat (the offer after a verified lookup is in
`actions.dossier`): subscribing,
"hủy thông báo", and the survey started from the status-10 notification's button.

Nothing here trusts a slot or a payload about which dossier the conversation may follow:
subscribing needs a live verification recorded by the lookup, and the survey button needs
an active subscription of this conversation (`bot.db.outbox`). Only Telegram and Zalo
conversations can be notified (the gateway's sender ids `tg:` and `zalo:`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions import settings
from actions.dossier import PURPOSE_SURVEY, entity_code, start_lookup
from actions.survey import has_response, start_survey
from bot import wording
from bot.db.engine import run_transaction
from bot.db.outbox import (
    SubscribeOutcome,
    cancel_subscriptions,
    subscribe,
    subscribed_codes,
    verify_by_subscription,
)
from bot.payloads import UNSUBSCRIBE_INTENT, dossier_payload

logger = logging.getLogger(__name__)
T = TypeVar("T")

ALL = "all"  # dossier_code entity of the "cancel them all" button


def _in_transaction(work: Callable[[Session], T], dispatcher: CollectingDispatcher) -> T | None:
    """`work` in a transaction; None (and the apology said) when the database fails."""
    try:
        return run_transaction(work)
    except SQLAlchemyError:
        logger.exception("Notification subscription failed")
        dispatcher.utter_message(
            response="utter_notifications_unavailable", hotline=settings.hotline()
        )
        return None


_CLEAR_CODE: list[EventType] = [
    SlotSet("dossier_code", None)
]  # the payload's entity fills the slot


class ActionSubscribeNotifications(Action):
    def name(self) -> str:
        return "action_subscribe_notifications"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        code = entity_code(tracker)
        if code is None:
            dispatcher.utter_message(response="utter_subscribe_not_verified")
            return _CLEAR_CODE
        outcome = _in_transaction(
            lambda session: subscribe(session, code, tracker.sender_id), dispatcher
        )
        if outcome is not None:
            dispatcher.utter_message(response=SUBSCRIBE_REPLIES[outcome], code=code)
        return _CLEAR_CODE


SUBSCRIBE_REPLIES = {
    SubscribeOutcome.SUBSCRIBED: "utter_subscribed",
    SubscribeOutcome.ALREADY: "utter_subscribed_already",
    SubscribeOutcome.NOT_VERIFIED: "utter_subscribe_not_verified",
    SubscribeOutcome.NO_PUSH_CHANNEL: "utter_subscribe_no_push_channel",
}


class ActionUnsubscribeNotifications(Action):
    """ "hủy thông báo": one subscription is cancelled at once; several are listed with a
    button each and "Hủy tất cả"; a button (a code, or all) cancels."""

    def name(self) -> str:
        return "action_unsubscribe_notifications"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        sender = tracker.sender_id
        chosen = entity_code(tracker)
        cancel_all = next(tracker.get_latest_entity_values("dossier_code"), None) == ALL

        def work(session: Session) -> tuple[list[str], list[str]]:
            codes = subscribed_codes(session, sender)
            if chosen is None and not cancel_all and len(codes) > 1:
                return codes, []
            return codes, cancel_subscriptions(session, sender, chosen)

        result = _in_transaction(work, dispatcher)
        if result is not None:
            _say_cancelled(dispatcher, *result)
        return _CLEAR_CODE


def _say_cancelled(
    dispatcher: CollectingDispatcher, subscribed: list[str], cancelled: list[str]
) -> None:
    if cancelled:
        said = "utter_unsubscribed_one" if len(cancelled) == 1 else "utter_unsubscribed_many"
        dispatcher.utter_message(response=said, codes=", ".join(cancelled))
    elif len(subscribed) > 1:
        lines = "\n".join(
            wording.UNSUBSCRIBE_LINE.format(number=number, code=code)
            for number, code in enumerate(subscribed, 1)
        )
        buttons = [
            {"title": code, "payload": dossier_payload(UNSUBSCRIBE_INTENT, code)}
            for code in subscribed
        ]
        all_payload = dossier_payload(UNSUBSCRIBE_INTENT, ALL)
        buttons.append({"title": wording.UNSUBSCRIBE_ALL_BUTTON, "payload": all_payload})
        dispatcher.utter_message(
            response="utter_unsubscribe_choose", count=len(subscribed), lines=lines, buttons=buttons
        )
    else:
        dispatcher.utter_message(response="utter_unsubscribe_nothing")


class ActionRateNotifiedDossier(Action):
    """The status-10 notification's button: the survey for that dossier, straight away, for a
    subscribed conversation; once per dossier (a dossier already rated is thanked instead).
    Another conversation (a forwarded button, a cancelled subscription) verifies the dossier
    with the phone digits first, as when rating from "đánh giá dịch vụ"."""

    def name(self) -> str:
        return "action_rate_notified_dossier"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        code = entity_code(tracker)
        if code is None:  # typed, not the button: rate as from "đánh giá dịch vụ"
            return start_lookup(PURPOSE_SURVEY, None) + [FollowupAction("dossier_lookup_form")]
        verified = _in_transaction(
            lambda session: verify_by_subscription(session, code, tracker.sender_id), dispatcher
        )
        if verified is None:
            return _CLEAR_CODE
        if not verified:  # not (or no longer) subscribed here: verify with the phone digits first
            return start_lookup(PURPOSE_SURVEY, code) + [FollowupAction("dossier_lookup_form")]
        if has_response(code):
            dispatcher.utter_message(response="utter_already_rated", code=code)
            return _CLEAR_CODE
        return _CLEAR_CODE + start_survey(dispatcher, code)
