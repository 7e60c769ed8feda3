"""Running rasa-sdk actions on hand-made trackers, as the action server would."""

from __future__ import annotations

from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.dossier import DIGITS_CHECKED, ActionDossierStatus, ValidateDossierLookupForm
from bot.settings import PROJECT_ROOT
from tests.helpers.dossier_samples import DIGITS

DOSSIER_FORM = "dossier_lookup_form"
DOMAIN_FILE = PROJECT_ROOT / "domain.yml"
RESPONSES: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    DOMAIN_FILE.read_text(encoding="utf-8")
)["responses"]


def rendered(name: str, /, **values: Any) -> str:
    """The text of a domain.yml response with its {variables} filled, as Rasa says it; a
    variable left unfilled fails (KeyError) where Rasa would show "{code}" to the citizen."""
    return str(RESPONSES[name][0]["text"]).format_map(values)


def text_of(message: dict[str, Any]) -> str:
    """What the citizen reads for a message an action sent: its text, or its response filled
    with the values the action passed along."""
    if message.get("response"):
        return rendered(message["response"], **message)
    return message.get("text") or ""


def buttons_of(message: dict[str, Any]) -> list[dict[str, str]]:
    """The response's buttons, then those the action added (Rasa shows both, in that order)."""
    fixed = RESPONSES[message["response"]][0].get("buttons", []) if message.get("response") else []
    return [*fixed, *(message.get("buttons") or [])]


def make_tracker(
    intent: str,
    text: str = "",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    sender_id: str = "test-user",
    active_loop: str | None = None,
    candidates: dict[str, Any] | None = None,
    message_id: str = "message-1",
) -> Tracker:
    """A tracker whose last user message is `text`. With `active_loop`, it looks like the one a
    form hands its validation action: the form ran, then the slot `candidates` were set."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95},
        "entities": entities or [],
        "message_id": message_id,
    }
    events: list[dict[str, Any]] = [
        {
            "event": "user",
            "text": text,
            "parse_data": latest,
            "message_id": message_id,
            "timestamp": 1700000000.0,
        }
    ]
    if active_loop:
        events.append({"event": "action", "name": active_loop})
    events += [
        {"event": "slot", "name": name, "value": value}
        for name, value in (candidates or {}).items()
    ]
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
    return "\n".join(text_of(message) for message in dispatcher.messages)


def code_entity(code: str) -> dict[str, Any]:
    return {"entity": "dossier_code", "value": code, "extractor": "RegexEntityExtractor"}


def check_digits(
    code: str, text: str, sender: str = "telegram:1001", address: str | None = None
) -> tuple[dict[str, Any], CollectingDispatcher]:
    """What the validator makes of `text` typed when asked for the digits of `code`
    (`address`: the client address the gateway put in the message metadata)."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "nlu_fallback",
        text,
        slots={"dossier_code": code, "requested_slot": "phone_last4"},
        sender_id=sender,
        active_loop=DOSSIER_FORM,
        candidates={"phone_last4": text},
    )
    if address:
        tracker.latest_message["metadata"] = {"client_address": address, "channel": "web"}
    return ValidateDossierLookupForm().validate_phone_last4(
        text, dispatcher, tracker, {}
    ), dispatcher


def status_call(
    code: str, purpose: str = "status", sender: str = "telegram:1001"
) -> tuple[list[Any], CollectingDispatcher]:
    """action_dossier_status as the form ends (or as a forged call with these slots)."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "nlu_fallback",
        "xx",
        slots={"dossier_code": code, "phone_last4": DIGITS_CHECKED, "lookup_purpose": purpose},
        sender_id=sender,
    )
    return ActionDossierStatus().run(dispatcher, tracker, {}), dispatcher


def status_after_form(
    code: str, digits: str = DIGITS, purpose: str = "status", sender: str = "telegram:1001"
) -> tuple[list[Any], CollectingDispatcher]:
    """The digits typed into the form, then the action that follows it."""
    check_digits(code, digits, sender)
    return status_call(code, purpose, sender)
