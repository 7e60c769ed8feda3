"""Actions that answer procedure questions from the knowledge base."""
from __future__ import annotations

from typing import Any, Callable, Optional, Union

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import answers, settings
from procedures_kb.store import Record, default_records

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
Answer = Union[str, list[str]]  # one message, or several sent in order (long lists)
ANSWERS: dict[str, Callable[[Record], Answer]] = {
    "ask_fee": answers.fee_answer,
    "ask_processing_time": answers.time_answer,
    "ask_agency": answers.agency_answer,
    "ask_steps": answers.steps_answer,
    "ask_online": lambda record: answers.online_answer(record, settings.portal_url()),
    "ask_conditions": answers.conditions_answer,
    "ask_procedure": answers.overview_answer,
}
MAX_CASE_BUTTON_CHARS = 60


def procedure_entity(tracker: Tracker) -> Optional[dict[str, Any]]:
    return next((e for e in tracker.latest_message.get("entities", []) if e.get("entity") == "procedure"), None)


def known_record(code: Any) -> Optional[Record]:
    """The record of a catalogue code from an entity or a slot. A typed payload can carry any
    JSON there (`/ask_fee{"procedure": {"a": 1}}`): anything but a known code is no record."""
    return default_records().get(code) if isinstance(code, str) else None


def entity_value(tracker: Tracker, name: str) -> Optional[str]:
    value = next(tracker.get_latest_entity_values(name), None)
    return None if value is None else str(value)


def say(dispatcher: CollectingDispatcher, answer: Answer) -> None:
    for text in [answer] if isinstance(answer, str) else answer:
        dispatcher.utter_message(text=text)


def payload(intent: str, **entities: str) -> str:
    body = ", ".join(f'"{key}": "{value}"' for key, value in entities.items())
    return f"/{intent}{{{body}}}"


class ActionAnswerProcedure(Action):
    """Answers an ask_* question for the procedure named now, or the one talked about before.

    A confident link answers at once; an unsure one (`ambiguous` from the linker) asks with
    the top candidates as buttons, remembering the question so the choice answers it.
    """

    def name(self) -> str:
        return "action_answer_procedure"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        aspect = self._aspect(tracker)
        entity = procedure_entity(tracker)
        if entity and entity.get("ambiguous") and entity.get("candidates"):
            return self._ask_which(dispatcher, aspect, entity["candidates"])
        record = known_record(entity["value"] if entity else tracker.get_slot("procedure"))
        if record is None:
            return self._ask_to_name(dispatcher, aspect)
        self._answer(dispatcher, tracker, aspect, record)
        return [SlotSet("procedure", record["code"]), SlotSet("pending_aspect", None)]

    @staticmethod
    def _aspect(tracker: Tracker) -> str:
        """The question to answer: a bare procedure name answers the question we asked back."""
        intent = tracker.latest_message.get("intent", {}).get("name")
        pending = tracker.get_slot("pending_aspect")
        if pending and intent == "ask_procedure":
            return pending
        return intent if intent in ASPECT_INTENTS else pending or "ask_procedure"

    @staticmethod
    def _answer(dispatcher: CollectingDispatcher, tracker: Tracker, aspect: str, record: Record) -> None:
        if aspect != "ask_documents":
            say(dispatcher, ANSWERS[aspect](record))
            return
        cases = answers.document_cases(record)
        chosen = entity_value(tracker, "document_case")
        if cases and chosen and chosen.isdigit() and 1 <= int(chosen) <= len(cases):
            say(dispatcher, answers.documents_answer(record, cases[int(chosen) - 1]))
        elif cases:
            buttons = [
                {"title": answers.shorten(case, MAX_CASE_BUTTON_CHARS), "payload": payload("ask_documents", procedure=record["code"], document_case=str(index))}
                for index, case in enumerate(cases, 1)
            ]
            dispatcher.utter_message(
                text=f"{answers.title(record)}\nHồ sơ khác nhau theo từng trường hợp. Bạn thuộc trường hợp nào?",
                buttons=buttons,
            )
        else:
            say(dispatcher, answers.documents_answer(record))

    @staticmethod
    def _ask_which(dispatcher: CollectingDispatcher, aspect: str, candidates: list[dict[str, Any]]) -> list[EventType]:
        buttons = [
            {"title": answers.shorten(c["name"], MAX_CASE_BUTTON_CHARS), "payload": payload("ask_procedure", procedure=c["code"])}
            for c in candidates[:3]
        ]
        dispatcher.utter_message(text="Bạn muốn hỏi thủ tục nào dưới đây?", buttons=buttons)
        return [SlotSet("pending_aspect", aspect)]

    @staticmethod
    def _ask_to_name(dispatcher: CollectingDispatcher, aspect: str) -> list[EventType]:
        dispatcher.utter_message(
            text=(
                "Mình chưa xác định được bạn hỏi thủ tục nào. Bạn nói rõ tên thủ tục giúp mình nhé "
                "(ví dụ: đăng ký khai sinh, cấp đổi căn cước, đăng ký tạm trú).\n"
                f"Cần hỗ trợ trực tiếp: {settings.hotline()}"
            )
        )
        return [SlotSet("pending_aspect", aspect)]


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(
            text=f"Bạn có thể liên hệ cán bộ:\n• {settings.hotline()}\n• Trực tiếp: {settings.office()}"
        )
        return []


class ActionFallback(Action):
    """Low NLU confidence: say so honestly and offer the hotline rather than guess."""

    def name(self) -> str:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(
            text=(
                "Xin lỗi, mình chưa hiểu ý bạn. Bạn có thể hỏi ví dụ: \"đăng ký khai sinh cần giấy tờ gì\", "
                f"\"lệ phí làm hộ chiếu\", \"tra cứu hồ sơ\".\nHoặc gọi {settings.hotline()}"
            )
        )
        return []
