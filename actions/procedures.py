"""Actions that answer procedure questions from the knowledge base."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import answers, settings
from actions.cases import bigrams, named_case
from bot import handoff, wording
from bot.db.engine import run_transaction
from bot.db.models import vietnam_now
from bot.office_hours import OfficeHours
from bot.settings import get_settings
from procedures_kb.short_names import head_name, short_name
from procedures_kb.store import Record, default_records
from vntext import fold

ASPECT_INTENTS = (
    "ask_documents",
    "ask_fee",
    "ask_processing_time",
    "ask_agency",
    "ask_steps",
    "ask_online",
    "ask_conditions",
    "ask_procedure",
)
ANSWERS: dict[str, Callable[[Record], answers.Answer]] = {
    "ask_fee": answers.fee_answer,
    "ask_processing_time": answers.time_answer,
    "ask_agency": answers.agency_answer,
    "ask_steps": answers.citizen_steps_answer,
    "ask_online": answers.online_answer,
    "ask_conditions": answers.conditions_answer,
}
# What a button asks for beyond the plain answer (entity `detail`).
DETAILS: dict[str, Callable[[Record], answers.Answer]] = {
    "name": answers.full_name_answer,
    answers.OFFICIAL_STEPS: answers.official_steps_answer,
}
MAX_CANDIDATE_BUTTON_CHARS = 60
log = logging.getLogger(__name__)


def procedure_entity(tracker: Tracker) -> dict[str, Any] | None:
    return next(
        (e for e in tracker.latest_message.get("entities", []) if e.get("entity") == "procedure"),
        None,
    )


def known_record(code: Any) -> Record | None:
    """The record of a catalogue code from an entity or a slot. A typed payload can carry any
    JSON there (`/ask_fee{"procedure": {"a": 1}}`): anything but a known code is no record."""
    return default_records().get(code) if isinstance(code, str) else None


def entity_value(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return None if value is None else str(value)


def say(dispatcher: CollectingDispatcher, answer: answers.Answer) -> None:
    """The messages in order, the buttons with the last one."""
    *first, last = answer.messages
    for text in first:
        dispatcher.utter_message(text=text)
    dispatcher.utter_message(text=last, buttons=answer.buttons)


def names_procedure(message: str, record: Record, entity: dict[str, Any]) -> bool:
    """Does the message name this procedure (an alias, or two words of what it is about), rather
    than only words of some qualifier ("con dưới 14 tuổi") that the search linked it by?"""
    if any(str(feature).startswith("alias: ") for feature in entity.get("matched") or []):
        return True
    about = head_name(record)
    return bool(bigrams(about) & bigrams(message)) or (
        " " not in about and fold(about) in fold(message)
    )


class ActionAnswerProcedure(Action):
    """Answers an ask_* question for the procedure named now, or the one talked about before.

    A confident link answers at once (a question asking several aspects, each in turn); an
    unsure one (`ambiguous` from the linker) asks with the top candidates as buttons,
    remembering the question so the choice answers it. A follow-up that links to another
    procedure without naming it asks before switching.
    """

    def name(self) -> str:
        return "action_answer_procedure"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        aspects = self._aspects(tracker)
        entity = procedure_entity(tracker)
        if entity and entity.get("ambiguous") and entity.get("candidates"):
            return self._ask_which(dispatcher, aspects, entity["candidates"])
        record = known_record(entity["value"] if entity else tracker.get_slot("procedure"))
        if record is None:
            return self._ask_to_name(dispatcher, aspects)
        current = known_record(tracker.get_slot("procedure"))
        message = tracker.latest_message.get("text") or ""
        if (
            entity
            and current
            and current["code"] != record["code"]
            and not message.startswith("/")
            and not names_procedure(message, record, entity)
        ):
            return self._confirm_switch(dispatcher, aspects[0], current, record)
        for aspect in aspects:
            self._answer(dispatcher, tracker, aspect, record)
        return [SlotSet("procedure", record["code"]), SlotSet("pending_aspect", None)]

    @staticmethod
    def _aspects(tracker: Tracker) -> list[str]:
        """The questions to answer, in order: each aspect of a question asking several ("lệ phí
        và thời gian …": `aspect` entities from bot.nlu.aspects); for a bare procedure name,
        the ones we asked back about (slot `pending_aspect`, space-separated); else the intent."""
        intent = tracker.latest_message.get("intent", {}).get("name")
        asked = [
            str(entity["value"])
            for entity in tracker.latest_message.get("entities", [])
            if entity.get("entity") == "aspect" and entity.get("value") in ASPECT_INTENTS
        ]
        pending_slot = str(tracker.get_slot("pending_aspect") or "")
        pending = [aspect for aspect in pending_slot.split() if aspect in ASPECT_INTENTS]
        if len(asked) > 1:
            return asked
        if pending and intent == "ask_procedure":
            return pending
        return [intent] if intent in ASPECT_INTENTS else pending or ["ask_procedure"]

    @staticmethod
    def _answer(
        dispatcher: CollectingDispatcher, tracker: Tracker, aspect: str, record: Record
    ) -> None:
        detail = entity_value(tracker, "detail")
        if detail in DETAILS:
            say(dispatcher, DETAILS[detail](record))
        elif aspect == "ask_documents":
            say(
                dispatcher,
                ActionAnswerProcedure._documents(tracker, record, detail == answers.CASE_PAPERS),
            )
        elif aspect == "ask_procedure":
            cases = answers.document_cases(record)
            named = (
                named_case(record, cases, tracker.latest_message.get("text") or "")
                if cases
                else None
            )
            say(dispatcher, answers.overview_answer(record, case=named))
        else:
            say(dispatcher, ANSWERS[aspect](record))

    @staticmethod
    def _documents(tracker: Tracker, record: Record, case_papers: bool) -> answers.Answer:
        """The papers; for a multi-case table, of the case chosen or named, else the case menu."""
        cases = answers.document_cases(record)
        if not cases:
            return answers.documents_answer(record, case_papers=case_papers)
        chosen = entity_value(tracker, "document_case")
        if chosen and chosen.isdigit() and 1 <= int(chosen) <= len(cases):
            return answers.documents_answer(record, cases[int(chosen) - 1], case_papers)
        named = named_case(record, cases, tracker.latest_message.get("text") or "")
        if named is not None:
            return answers.documents_answer(record, cases[named], case_papers)
        return answers.case_menu(record, cases)

    @staticmethod
    def _confirm_switch(
        dispatcher: CollectingDispatcher, aspect: str, current: Record, other: Record
    ) -> list[EventType]:
        buttons = [
            {
                "title": wording.SAME_PROCEDURE_BUTTON,
                "payload": answers.payload(aspect, procedure=current["code"]),
            },
            {
                "title": shorten(short_name(other), MAX_CANDIDATE_BUTTON_CHARS),
                "payload": answers.payload(aspect, procedure=other["code"]),
            },
        ]
        dispatcher.utter_message(
            response="utter_confirm_procedure", procedure=short_name(current), buttons=buttons
        )
        return []

    @staticmethod
    def _ask_which(
        dispatcher: CollectingDispatcher, aspects: list[str], candidates: list[dict[str, Any]]
    ) -> list[EventType]:
        buttons = [
            {
                "title": shorten(c["name"], MAX_CANDIDATE_BUTTON_CHARS),
                "payload": answers.payload("ask_procedure", procedure=c["code"]),
            }
            for c in candidates[:3]
        ]
        dispatcher.utter_message(response="utter_ask_which_procedure", buttons=buttons)
        return [SlotSet("pending_aspect", " ".join(aspects))]

    @staticmethod
    def _ask_to_name(dispatcher: CollectingDispatcher, aspects: list[str]) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_procedure_name", hotline=settings.hotline())
        return [SlotSet("pending_aspect", " ".join(aspects))]


def shorten(text: str, limit: int) -> str:
    """A button title: whole words, "…" when cut (the full text is said in the answer)."""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


class ActionRequestHuman(Action):
    """Hands the conversation to staff (`bot.handoff`): during office hours they answer here;
    outside them the citizen gets the hotline and may leave a message for the inbox. Where
    replies cannot come back (no known channel, handoff off, database down), only the contacts."""

    def name(self) -> str:
        return "action_request_human"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        live = OfficeHours.parse(get_settings().office_hours).open_at(vietnam_now())
        handed = self._hand_over(tracker, live)
        staff_reply = "utter_handed_over" if live else "utter_handoff_outside_hours"
        response = staff_reply if handed else "utter_human_contacts"
        dispatcher.utter_message(
            response=response, hotline=settings.hotline(), office=settings.office()
        )
        return []

    @staticmethod
    def _hand_over(tracker: Tracker, live: bool) -> bool:
        if get_settings().handoff == "off" or handoff.address_of(tracker.sender_id) is None:
            return False
        record = known_record(tracker.get_slot("procedure"))
        procedure = {"code": record["code"], "name": record["name"]} if record else None
        answers_said = [
            str(e.get("text")) for e in tracker.events if e.get("event") == "bot" and e.get("text")
        ]
        context = handoff.context_json(procedure, answers_said)
        try:
            opened = run_transaction(
                lambda session: handoff.open_handoff(session, tracker.sender_id, context, live)
            )
        except SQLAlchemyError as error:
            log.warning(
                "Handoff not opened (%s): giving the contacts instead", type(error).__name__
            )
            return False
        return opened is not None


class ActionFallback(Action):
    """Low NLU confidence: say so honestly and offer the hotline rather than guess."""

    def name(self) -> str:
        return "action_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_not_understood", hotline=settings.hotline())
        return []
