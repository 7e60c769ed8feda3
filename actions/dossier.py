"""Dossier status lookup: the `dossier_lookup_form` (code, then the last 4 phone digits).

The form asks for the dossier code (or takes it from the first message), then for the
LAST 4 DIGITS of the phone number on the dossier; the validator checks them with the
database layer, which enforces the limits on failures (per conversation, per network
address from the gateway's metadata, per code with the owner rule, and globally: see
`bot.db.services.verify_and_get_dossier`) and records the verification for this
conversation (30 minutes). An unknown code and wrong digits get the same reply.
`action_dossier_status` shows only a dossier with a live verification for this
conversation, whatever the slots say.

The same form verifies the dossier a citizen wants to rate (`rate_service`), so
`lookup_purpose` says what to do once it is verified: "status" shows the status,
"survey" starts the survey for that dossier, "general" (chosen instead of a code)
starts anonymous feedback.

Privacy: the digits never stay in a slot (`phone_last4` holds `DIGITS_CHECKED` once they
matched); a longer number is never kept nor repeated; nothing here logs what the
citizen typed.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import settings
from actions.choices import is_cancel
from actions.survey import (
    VERIFICATION_MINUTES,
    has_response,
    may_give_anonymous_feedback,
    say_feedback_limit,
    start_survey,
)
from bot import wording
from bot.db.engine import run_transaction
from bot.db.models import Status
from bot.db.outbox import recipient_of
from bot.db.privacy import only_digits
from bot.db.services import (
    DossierView,
    LookupKind,
    LookupResult,
    NotVerifiedError,
    verified_dossier,
    verify_and_get_dossier,
)
from bot.dossier_code import find_dossier_code
from bot.payloads import SUBSCRIBE_INTENT, dossier_payload
from vntext import words

logger = logging.getLogger(__name__)

PURPOSE_STATUS, PURPOSE_SURVEY, PURPOSE_GENERAL = "status", "survey", "general"
LOOKUP_SLOTS = ("dossier_code", "phone_last4", "lookup_purpose")
DIGITS_CHECKED = (
    "checked"  # phone_last4 once the digits matched: the digits themselves are not kept
)
_FINISHED_WITHOUT_DEADLINE = (  # refused, withdrawn, stopped: "on time" means nothing
    Status.KHONG_DUOC_TIEP_NHAN,
    Status.CONG_DAN_RUT_HO_SO,
    Status.DUNG_XU_LY,
)
_FINAL_STATUSES = (
    *_FINISHED_WITHOUT_DEADLINE,
    Status.DA_TRA_KET_QUA,
)  # nothing more will happen: no notifications offered


def day(moment: datetime | None) -> str:
    """dd/mm/yyyy; empty when the date is unknown (never "None" in a reply)."""
    return wording.DATE.format(moment) if moment else ""


def entity_code(tracker: Tracker) -> str | None:
    value = next(tracker.get_latest_entity_values("dossier_code"), None)
    return find_dossier_code(str(value)) if value else None


def status_reply(view: DossierView) -> str:
    """Everything the citizen may know about their dossier, in plain Vietnamese."""
    lines = [
        wording.DOSSIER_HEADING.format(code=view.code),
        wording.DOSSIER_PROCEDURE.format(procedure=view.procedure_name),
        wording.DOSSIER_APPLICANT.format(applicant=view.applicant_masked),
        wording.DOSSIER_STATUS.format(status=view.status_name),
        view.status_explanation,
        wording.DOSSIER_RECEIVED.format(day=day(view.received_at)),
    ]
    if view.appointment_at:
        lines.append(wording.DOSSIER_APPOINTMENT.format(day=day(view.appointment_at)))
    if view.overdue:
        deadline = view.deadline_at or view.appointment_at
        lines.append(wording.DOSSIER_OVERDUE.format(days=view.overdue_days, deadline=day(deadline)))
    elif view.appointment_at and view.status not in _FINISHED_WITHOUT_DEADLINE:
        moved = view.deadline_at and view.deadline_at.date() != view.appointment_at.date()
        note = ""
        if moved:
            note = wording.DOSSIER_DEADLINE_MOVED.format(deadline=day(view.deadline_at))
        lines.append(wording.DOSSIER_ON_TIME.format(moved=note))
    place = {"agency": view.agency_name, "address": view.agency_address}
    if view.status == Status.YEU_CAU_BO_SUNG:
        unstated = wording.DOSSIER_SUPPLEMENT_UNSTATED.format(agency=view.agency_name)
        lines.append(wording.DOSSIER_SUPPLEMENT.format(request=view.supplement_request or unstated))
        lines.append(wording.DOSSIER_SUPPLEMENT_PLACE.format(**place))
    if view.status == Status.DA_XU_LY_XONG:
        phone = ""
        if view.agency_phone:
            phone = wording.DOSSIER_AGENCY_PHONE.format(phone=view.agency_phone)
        lines.append(wording.DOSSIER_COLLECT.format(**place, phone=phone))
    return "\n".join(lines)


def say_locked(dispatcher: CollectingDispatcher, locked_until: datetime | None) -> None:
    until = wording.LOCKED_FOR_A_WHILE
    if locked_until:
        until = wording.LOCKED_UNTIL.format(moment=locked_until)
    dispatcher.utter_message(
        response="utter_lookup_locked", until=until, hotline=settings.hotline()
    )


def say_unavailable(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(response="utter_lookup_unavailable", hotline=settings.hotline())


def client_address(tracker: Tracker) -> str | None:
    """The citizen's network address, when the gateway passed it in the message metadata."""
    metadata = tracker.latest_message.get("metadata") or {}
    address = metadata.get("client_address") if isinstance(metadata, dict) else None
    return address if isinstance(address, str) else None


def verify(tracker: Tracker, code: str, digits: str) -> LookupResult | None:
    """Check the digits against the dossier (one transaction); None if the database fails."""
    try:
        return run_transaction(
            lambda session: verify_and_get_dossier(
                session,
                code,
                digits,
                conversation_key=tracker.sender_id,
                client_address=client_address(tracker),
            )
        )
    except SQLAlchemyError:
        logger.exception("Dossier lookup failed")
        return None


def shown_dossier(tracker: Tracker, code: str) -> DossierView | None:
    """The dossier if this conversation has a live verification of it; raises
    `NotVerifiedError` otherwise, None if the database fails."""
    try:
        return run_transaction(
            lambda session: verified_dossier(session, code, tracker.sender_id), read_only=True
        )
    except SQLAlchemyError:
        logger.exception("Dossier lookup failed")
        return None


def purpose(tracker: Tracker) -> str:
    return tracker.get_slot("lookup_purpose") or PURPOSE_STATUS


def wants_general_feedback(tracker: Tracker, text: str) -> bool:
    """The "Góp ý chung" button, or the citizen typing that they have no dossier in mind."""
    if next(tracker.get_latest_entity_values("feedback_scope"), None) == "general":
        return True
    phrase = " ".join(words(text))
    return "gop y chung" in phrase or "khong theo ho so" in phrase


def clear_lookup() -> list[EventType]:
    return [SlotSet(slot, None) for slot in LOOKUP_SLOTS] + [SlotSet("requested_slot", None)]


def offer_notifications(
    dispatcher: CollectingDispatcher, tracker: Tracker, view: DossierView
) -> None:
    """After a verified lookup on Telegram or Zalo, while the dossier may still change: a button
    that subscribes this conversation (`actions.notifications`)."""
    if view.status in _FINAL_STATUSES or recipient_of(tracker.sender_id) is None:
        return
    dispatcher.utter_message(
        response="utter_offer_notifications",
        code=view.code,
        buttons=[
            {
                "title": wording.SUBSCRIBE_BUTTON,
                "payload": dossier_payload(SUBSCRIBE_INTENT, view.code),
            }
        ],
    )


class ActionStartDossierLookup(Action):
    """Runs before the form: a fresh lookup, for the status or for rating a dossier."""

    def name(self) -> str:
        return "action_start_dossier_lookup"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = tracker.latest_message.get("intent", {}).get("name")
        return start_lookup(
            PURPOSE_SURVEY if intent == "rate_service" else PURPOSE_STATUS, entity_code(tracker)
        )


def start_lookup(lookup_purpose: str, code: str | None) -> list[EventType]:
    """Events of a fresh lookup; `code` only when given in this message, never an old one."""
    return [
        SlotSet("lookup_purpose", lookup_purpose),
        SlotSet("dossier_code", code),
        SlotSet("phone_last4", None),
        SlotSet("survey_offered", False),
        SlotSet("requested_slot", None),
    ]


class ActionAskDossierCode(Action):
    """Asks for the code; when rating, also offers feedback without a dossier."""

    def name(self) -> str:
        return "action_ask_dossier_code"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        survey = purpose(tracker) == PURPOSE_SURVEY
        ask = "utter_survey_ask_code" if survey else "utter_lookup_ask_code"
        dispatcher.utter_message(response=ask)
        return []


class ValidateDossierLookupForm(FormValidationAction):
    """Checks the code's shape, then the 4 digits against the database.

    A slot reset to None since the last message (by the action starting the lookup) is a
    candidate too: it is passed over silently."""

    def name(self) -> str:
        return "validate_dossier_lookup_form"

    def validate_dossier_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # reset before the form started: nothing was typed
            return {"dossier_code": None}
        text = str(value)
        code = find_dossier_code(text)
        if code:
            return {"dossier_code": code}
        if wants_general_feedback(tracker, text):
            return {"dossier_code": None, "lookup_purpose": PURPOSE_GENERAL, "requested_slot": None}
        if is_cancel(text):
            return self._cancel(dispatcher, tracker)
        # never repeat what was typed: it may be a phone number
        dispatcher.utter_message(response="utter_lookup_bad_code")
        return {"dossier_code": None}

    def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"phone_last4": None}
        text = str(value)
        if find_dossier_code(
            text
        ):  # a new code instead of the digits: validate_dossier_code takes it
            return {"phone_last4": None}
        if is_cancel(text):
            return self._cancel(dispatcher, tracker)
        digits = only_digits(text)
        if len(digits) != 4:
            too_many = len(digits) > 4
            wrong = "utter_lookup_only_four_digits" if too_many else "utter_lookup_not_four_digits"
            dispatcher.utter_message(response=wrong)
            return {"phone_last4": None}
        code = tracker.get_slot("dossier_code")
        if not code:
            return {"phone_last4": None}
        result = verify(tracker, code, digits)
        if result is None:
            say_unavailable(dispatcher)
            return self._stop()
        if result.kind is LookupKind.LOCKED:
            say_locked(dispatcher, result.locked_until)
            return self._stop()
        if result.kind is LookupKind.REJECTED:
            # unknown code and wrong digits alike
            dispatcher.utter_message(response="utter_lookup_rejected")
            return {"phone_last4": None}
        return {
            "phone_last4": DIGITS_CHECKED
        }  # the verification itself is recorded in the database

    def _cancel(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        say_cancelled(dispatcher, tracker)
        return self._stop()

    @staticmethod
    def _stop() -> dict[str, Any]:
        """Ends the form with nothing verified: action_dossier_status then says nothing."""
        return {
            "dossier_code": None,
            "phone_last4": None,
            "lookup_purpose": None,
            "requested_slot": None,
        }


def say_cancelled(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    survey = purpose(tracker) == PURPOSE_SURVEY
    cancelled = "utter_survey_lookup_cancelled" if survey else "utter_lookup_cancelled"
    dispatcher.utter_message(response=cancelled)


class ActionCancelDossierLookup(Action):
    """ "thôi" / deny while the form waits: stop politely (the rule then deactivates the form)."""

    def name(self) -> str:
        return "action_cancel_dossier_lookup"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say_cancelled(dispatcher, tracker)
        return clear_lookup()


class ActionDossierStatus(Action):
    """After the form: verified → the status (or the survey when rating); else nothing to say."""

    def name(self) -> str:
        return "action_dossier_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = clear_lookup()
        if purpose(tracker) == PURPOSE_GENERAL:
            if not may_give_anonymous_feedback(tracker):
                say_feedback_limit(dispatcher)
                return events
            return events + start_survey(dispatcher, None)
        code = tracker.get_slot("dossier_code")
        if not (
            code and tracker.get_slot("phone_last4")
        ):  # cancelled or locked: the validator has already said so
            return events
        # This action trusts no slot: only a verification recorded by the validator counts.
        try:
            view = shown_dossier(tracker, str(code))
        except NotVerifiedError:
            dispatcher.utter_message(
                response="utter_lookup_not_verified", minutes=VERIFICATION_MINUTES
            )
            return events
        if view is None:
            say_unavailable(dispatcher)
            return events
        if purpose(tracker) == PURPOSE_SURVEY:
            dispatcher.utter_message(
                response="utter_verified_for_survey", code=view.code, procedure=view.procedure_name
            )
            return events + start_survey(
                dispatcher, view.code, rated_before=has_response(view.code)
            )
        dispatcher.utter_message(text=status_reply(view))
        offer_notifications(dispatcher, tracker, view)
        if view.status != Status.DA_TRA_KET_QUA:
            return events + [SlotSet("survey_offered", False)]
        offer = "utter_offer_survey_update" if has_response(view.code) else "utter_offer_survey"
        dispatcher.utter_message(response=offer)
        return events + [SlotSet("survey_offered", True), SlotSet("survey_dossier", view.code)]
