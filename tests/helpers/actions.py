"""Running rasa-sdk actions on hand-made trackers, as the action server would."""
from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.dossier import DIGITS_CHECKED, ActionDossierStatus, ValidateDossierLookupForm
from tests.helpers.dossier_samples import DIGITS

DOSSIER_FORM = "dossier_lookup_form"


def make_tracker(
    intent: str,
    text: str = "",
    entities: Optional[list[dict[str, Any]]] = None,
    slots: Optional[dict[str, Any]] = None,
    sender_id: str = "test-user",
    active_loop: Optional[str] = None,
    candidates: Optional[dict[str, Any]] = None,
    message_id: str = "message-1",
) -> Tracker:
    """A tracker whose last user message is `text`. With `active_loop`, it looks like the one a
    form hands its validation action: the form ran, then the slot `candidates` were set."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": entities or [],
              "message_id": message_id}
    events: list[dict[str, Any]] = [
        {"event": "user", "text": text, "parse_data": latest, "message_id": message_id, "timestamp": 1700000000.0}
    ]
    if active_loop:
        events.append({"event": "action", "name": active_loop})
    events += [{"event": "slot", "name": name, "value": value} for name, value in (candidates or {}).items()]
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": {**(slots or {}), **(candidates or {})},
            "latest_message": latest,
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": active_loop or "action_listen",
        }
    )



def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(message.get("text") or "" for message in dispatcher.messages)


def code_entity(code: str) -> dict[str, Any]:
    return {"entity": "dossier_code", "value": code, "extractor": "RegexEntityExtractor"}


def check_digits(
    code: str, text: str, sender: str = "telegram:1001", address: Optional[str] = None
) -> tuple[dict[str, Any], CollectingDispatcher]:
    """What the validator makes of `text` typed when asked for the digits of `code`
    (`address`: the client address the gateway put in the message metadata)."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "nlu_fallback", text, slots={"dossier_code": code, "requested_slot": "phone_last4"},
        sender_id=sender, active_loop=DOSSIER_FORM, candidates={"phone_last4": text},
    )
    if address:
        tracker.latest_message["metadata"] = {"client_address": address, "channel": "web"}
    return ValidateDossierLookupForm().validate_phone_last4(text, dispatcher, tracker, {}), dispatcher


def status_call(code: str, purpose: str = "status", sender: str = "telegram:1001") -> tuple[list[Any], CollectingDispatcher]:
    """action_dossier_status as the form ends (or as a forged call with these slots)."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("nlu_fallback", "xx", slots={"dossier_code": code, "phone_last4": DIGITS_CHECKED, "lookup_purpose": purpose},
                           sender_id=sender)
    return ActionDossierStatus().run(dispatcher, tracker, {}), dispatcher


def status_after_form(code: str, digits: str = DIGITS, purpose: str = "status", sender: str = "telegram:1001") -> tuple[list[Any], CollectingDispatcher]:
    """The digits typed into the form, then the action that follows it."""
    check_digits(code, digits, sender)
    return status_call(code, purpose, sender)
