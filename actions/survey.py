"""Satisfaction survey: the `survey_form`, for one verified dossier or as anonymous feedback.

Questions (domain.yml responses with buttons; typed answers work too, see `actions.choices`):
1. only when the dossier was rated before: update the earlier answers? (Có → /affirm,
   Không → /deny)
2. overall level (`SATISFACTION_LABELS`)
3. for a dossier: the 9 criteria of `SURVEY_CRITERIA` ("bỏ qua" leaves one unanswered)
4. an optional comment ("Bỏ qua")

A survey starts from `start_survey` (after a verified lookup, the offer after a status-10
lookup, or "Góp ý chung"). `survey_stop` ends the form early ("cancel": the citizen
stopped; "keep": they keep their earlier answers). `action_submit_survey` saves once,
idempotently: the key is the conversation plus the id of the message that completed
the form, so a redelivered request never adds a second row.

Nothing here trusts the slots about which dossier may be rated: starting and saving a
survey for a dossier need a live verification of it by this conversation, recorded in
the database by the lookup (`bot.db.services.is_verified`). Anonymous feedback is
limited per sender and day. When the answers cannot be stored (database busy or down),
they stay in the slots with their idempotency key in `survey_pending`, and "gửi lại"
(`action_resend_survey`) stores them later.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions import settings
from actions.choices import choose, is_cancel, is_no_comment, is_skip, yes_or_no
from bot import wording
from bot.db.engine import run_transaction
from bot.db.models import KEY_LENGTH
from bot.db.privacy import salted_hash
from bot.db.services import (
    ANONYMOUS_FEEDBACK_PER_DAY,
    VERIFICATION_TTL,
    FeedbackLimitError,
    NotVerifiedError,
    SurveyAnswers,
    SurveyOutcome,
    SurveySaveResult,
    UnknownDossierError,
    anonymous_feedback_limit_reached,
    has_survey_response,
    is_verified,
    require_verification,
    save_survey_response,
)
from bot.wording import SATISFACTION_LABELS, SURVEY_CRITERIA
from vntext import normalize

logger = logging.getLogger(__name__)

LEVELS = tuple(SATISFACTION_LABELS)  # stored levels in display order: 3, 2, 1
CRITERION_SLOTS = {criterion.key: f"survey_{criterion.key}" for criterion in SURVEY_CRITERIA}
_CRITERION_OF_SLOT = {f"survey_{criterion.key}": criterion for criterion in SURVEY_CRITERIA}
ANSWER_SLOTS = ("survey_update", "survey_overall", *CRITERION_SLOTS.values(), "survey_comment")
# survey_pending: idempotency key of answers that could not be stored yet ("gửi lại" retries)
STATE_SLOTS = ("survey_dossier", "survey_rated_before", "survey_stop", "survey_pending")
STOP_CANCEL, STOP_KEEP = "cancel", "keep"
SKIPPED = ""  # a criterion that does not apply, or no comment
MAX_COMMENT_CHARS = 1000
_LONG_NUMBER = re.compile(
    r"(?<!\d)(?:\d[ .]?){8,}\d(?!\d)"
)  # phone or identity numbers in a comment
VERIFICATION_MINUTES = VERIFICATION_TTL // timedelta(minutes=1)  # said in the replies


def has_response(code: str) -> bool:
    """Whether the dossier was rated before (False if the database cannot tell)."""
    try:
        return run_transaction(lambda session: has_survey_response(session, code), read_only=True)
    except SQLAlchemyError:
        logger.exception("Survey lookup failed")
        return False


def may_give_anonymous_feedback(tracker: Tracker) -> bool:
    """False once the sender reached the daily limit (checked again when saving; True if
    the database cannot tell)."""
    try:
        reached = run_transaction(
            lambda session: anonymous_feedback_limit_reached(session, tracker.sender_id),
            read_only=True,
        )
    except SQLAlchemyError:
        logger.exception("Feedback limit lookup failed")
        return True
    return not reached


def say_feedback_limit(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(
        response="utter_feedback_limit",
        limit=ANONYMOUS_FEEDBACK_PER_DAY,
        hotline=settings.hotline(),
    )


def say_not_verified(dispatcher: CollectingDispatcher, code: str | None) -> None:
    dispatcher.utter_message(
        response="utter_survey_not_verified", code=code, minutes=VERIFICATION_MINUTES
    )


def dossier_slot(tracker: Tracker) -> str | None:
    """The dossier being rated, as text whatever a crafted request put in the slot."""
    code = tracker.get_slot("survey_dossier")
    return str(code) if code is not None else None


def start_survey(
    dispatcher: CollectingDispatcher,
    code: str | None,
    rated_before: bool = False,
    update_confirmed: bool = False,
) -> list[EventType]:
    """Events that start a fresh `survey_form` for `code` (None: anonymous feedback)."""
    if code is None:
        dispatcher.utter_message(response="utter_survey_start_general")
    elif not rated_before or update_confirmed:
        dispatcher.utter_message(response="utter_survey_start", code=code)
    return [
        *(SlotSet(slot, None) for slot in ANSWER_SLOTS),
        SlotSet("survey_dossier", code),
        SlotSet("survey_rated_before", rated_before),
        SlotSet("survey_update", "yes" if rated_before and update_confirmed else None),
        SlotSet("survey_stop", None),
        SlotSet("survey_pending", None),  # answers still waiting for "gửi lại" are given up
        SlotSet("survey_offered", False),
        SlotSet("requested_slot", None),
        FollowupAction("survey_form"),
    ]


def clear_survey() -> list[EventType]:
    return [
        *(SlotSet(slot, None) for slot in (*ANSWER_SLOTS, *STATE_SLOTS)),
        SlotSet("survey_offered", False),
        SlotSet("requested_slot", None),
    ]


# --- questions ----------------------------------------------------------------------------
# The form asks the update question and each criterion with its utter_ask_survey_* response;
# the overall question and the comment read differently for a dossier and for general feedback.


class ActionAskSurveyOverall(Action):
    def name(self) -> str:
        return "action_ask_survey_overall"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        code = dossier_slot(tracker)
        if code:
            dispatcher.utter_message(response="utter_survey_overall", code=code)
        else:
            dispatcher.utter_message(response="utter_survey_overall_general")
        return []


class ActionAskSurveyComment(Action):
    def name(self) -> str:
        return "action_ask_survey_comment"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        general = not dossier_slot(tracker)
        ask = "utter_survey_comment_general" if general else "utter_survey_comment"
        dispatcher.utter_message(response=ask)
        return []


# --- answers ----------------------------------------------------------------------------


class ValidateSurveyForm(FormValidationAction):
    """Reads each answer into its slot ("3", "2", "1", "0" or "" for skipped).

    One reader for every question (`read_answer`, generic over `SURVEY_CRITERIA`) rather than a
    `validate_<slot>` method per slot: `get_validation_events` hands it each asked slot the
    message filled. A slot reset to None by `start_survey` is a candidate too: it is passed
    over silently."""

    def name(self) -> str:
        return "validate_survey_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("survey_stop"):
            return []
        slots = ["survey_update"] if tracker.get_slot("survey_rated_before") else []
        slots.append("survey_overall")
        if tracker.get_slot("survey_dossier"):
            slots.extend(CRITERION_SLOTS.values())
        return slots + ["survey_comment"]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        read: dict[str, Any] = {}
        for slot, value in tracker.slots_to_validate().items():
            if slot in asked:
                result = read_answer(slot, value, dispatcher, tracker)
                read.update(result)
                tracker.slots.update(result)  # the next answer's reader sees this one
        return [SlotSet(slot, value) for slot, value in read.items()]


def read_answer(
    slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """The slots an answer to the question of `slot` sets; an unclear one is asked again."""
    if value is None:
        return {slot: None}
    text = str(value)
    if slot == "survey_update":
        return _read_update(text, dispatcher, tracker)
    if slot == "survey_comment":
        comment = normalize(text)
        return {slot: SKIPPED if is_no_comment(comment) else clean_comment(comment)}
    if slot == "survey_overall":
        index = choose(text, list(SATISFACTION_LABELS.values()))
        return {slot: str(LEVELS[index])} if index is not None else _unclear(slot, text, dispatcher)
    criterion = _CRITERION_OF_SLOT[slot]
    index = choose(text, list(criterion.choices.values()))
    if index is not None:
        return {slot: str(list(criterion.choices)[index])}
    return {slot: SKIPPED} if is_skip(text) else _unclear(slot, text, dispatcher)


def _read_update(text: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    intent = tracker.latest_message.get("intent", {}).get("name")
    answer = True if text == "yes" else yes_or_no(text, intent)
    if answer is True:
        return {"survey_update": "yes"}
    if answer is False:
        return {"survey_update": "no", "survey_stop": STOP_KEEP}
    return _unclear("survey_update", text, dispatcher, "utter_survey_yes_or_no")


def _unclear(
    slot: str,
    text: str,
    dispatcher: CollectingDispatcher,
    hint: str = "utter_survey_not_understood",
) -> dict[str, Any]:
    """Not an answer: a wish to stop ends the form, anything else asks again."""
    if is_cancel(text):
        return {slot: None, "survey_stop": STOP_CANCEL}
    dispatcher.utter_message(response=hint)
    return {slot: None}


def clean_comment(text: str) -> str:
    """The comment as stored: long digit runs (phone, identity numbers) hidden, length capped."""
    return _LONG_NUMBER.sub(wording.HIDDEN_NUMBER, text)[:MAX_COMMENT_CHARS]


# --- starting, declining, saving --------------------------------------------------------


class ActionStartSurvey(Action):
    """The citizen accepted the survey offered after a status-10 lookup."""

    def name(self) -> str:
        return "action_start_survey"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        code = dossier_slot(tracker)
        if not code:
            dispatcher.utter_message(response="utter_survey_no_dossier")
            return [SlotSet("survey_offered", False)]
        try:
            verified = run_transaction(
                lambda session: is_verified(session, code, tracker.sender_id), read_only=True
            )
        except SQLAlchemyError:
            logger.exception("Verification lookup failed")
            dispatcher.utter_message(response="utter_survey_not_saved", hotline=settings.hotline())
            return [SlotSet("survey_offered", False)]
        if not verified:
            say_not_verified(dispatcher, code)
            return [SlotSet("survey_offered", False), SlotSet("survey_dossier", None)]
        rated_before = has_response(code)  # the offer already asked whether to update
        return start_survey(
            dispatcher, code, rated_before=rated_before, update_confirmed=rated_before
        )


class ActionDeclineSurvey(Action):
    def name(self) -> str:
        return "action_decline_survey"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_survey_declined")
        return [SlotSet("survey_offered", False), SlotSet("survey_dossier", None)]


def idempotency_key(tracker: Tracker) -> str:
    """Conversation (hashed) + id of the message that completed the form: the same
    delivery always gives the same key."""
    user: dict[str, Any] = next(
        (event for event in reversed(tracker.events) if event.get("event") == "user"), {}
    )
    message = (
        user.get("message_id")
        or tracker.latest_message.get("message_id")
        or user.get("timestamp")
        or ""
    )
    return f"survey:{salted_hash(tracker.sender_id)[:32]}:{message}"[:KEY_LENGTH]


def source_channel(tracker: Tracker) -> str | None:
    """ "telegram", "zalo", "web"… from the gateway's sender ids ("telegram:123"), else Rasa's channel."""
    channel = (
        tracker.sender_id.split(":", 1)[0]
        if ":" in tracker.sender_id
        else tracker.get_latest_input_channel()
    )
    return channel[:32] if channel else None


def answers_from(tracker: Tracker) -> SurveyAnswers:
    criteria = {
        key: int(tracker.get_slot(slot))
        for key, slot in CRITERION_SLOTS.items()
        if tracker.get_slot(slot) not in (None, SKIPPED)
    }
    comment = tracker.get_slot("survey_comment") or None
    return SurveyAnswers(int(tracker.get_slot("survey_overall")), criteria, comment)


class ActionSubmitSurvey(Action):
    """After the form: save the answers once (or say why not), thank the citizen."""

    def name(self) -> str:
        return "action_submit_survey"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        stop = tracker.get_slot("survey_stop")
        if stop == STOP_CANCEL:
            dispatcher.utter_message(response="utter_survey_cancelled")
            return clear_survey()
        if stop == STOP_KEEP:
            dispatcher.utter_message(response="utter_survey_kept")
            return clear_survey()
        if tracker.get_slot("survey_overall") is None:
            return clear_survey()
        return store_answers(dispatcher, tracker, idempotency_key(tracker))


class ActionResendSurvey(Action):
    """ "gửi lại": store the answers kept after a failed save, under the same key (so a save
    that did succeed after all is not stored twice)."""

    def name(self) -> str:
        return "action_resend_survey"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        key = tracker.get_slot("survey_pending")
        if not key or tracker.get_slot("survey_overall") is None:
            dispatcher.utter_message(response="utter_survey_nothing_to_resend")
            return []
        return store_answers(dispatcher, tracker, str(key)[:KEY_LENGTH])


def store_answers(dispatcher: CollectingDispatcher, tracker: Tracker, key: str) -> list[EventType]:
    """Save the answers in the slots under `key`; keep them for "gửi lại" if the database fails."""
    code = dossier_slot(tracker)
    hotline = settings.hotline()
    try:
        answers = answers_from(tracker)
        result = run_transaction(lambda session: _save(session, tracker, key, answers, code))
    except NotVerifiedError:
        say_not_verified(dispatcher, code)
        return clear_survey()
    except UnknownDossierError:
        dispatcher.utter_message(response="utter_survey_unknown_dossier", hotline=hotline)
        return clear_survey()
    except FeedbackLimitError:
        say_feedback_limit(dispatcher)
        return clear_survey()
    except (ValueError, TypeError):  # slot values no form could have produced
        dispatcher.utter_message(response="utter_survey_not_saved", hotline=hotline)
        return clear_survey()
    except SQLAlchemyError:
        logger.exception("Saving a survey response failed; answers kept for a retry")
        dispatcher.utter_message(response="utter_survey_kept_for_later", hotline=hotline)
        return [SlotSet("survey_pending", key)]
    if result.outcome is SurveyOutcome.UPDATED:
        dispatcher.utter_message(response="utter_survey_updated", code=code)
    else:
        dispatcher.utter_message(response="utter_survey_saved")
    return clear_survey()


def _save(
    session: Session, tracker: Tracker, key: str, answers: SurveyAnswers, code: str | None
) -> SurveySaveResult:
    if code is not None:
        require_verification(session, code, tracker.sender_id)
    return save_survey_response(
        session,
        idempotency_key=key,
        answers=answers,
        dossier_code=code,
        source_channel=source_channel(tracker),
        sender_id=tracker.sender_id,
    )
