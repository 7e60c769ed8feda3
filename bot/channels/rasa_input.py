"""The REST channel Rasa serves to the gateway, with the checks Rasa's own `RestInput` lacks.

Registered in credentials.yml by this module path. Its name stays `rest`, so it answers on
the same POST /webhooks/rest/webhook ({"sender", "message", "metadata"} in, a list of bot
messages out), but:

- without the shared token (when RASA_CHANNEL_TOKEN is set): 403, so nobody else can speak
  as `tg:<id>` or `zalo:<id>`;
- a body that is empty, not a JSON object, nested too deep or over `MAX_BODY_BYTES`: 400
  (413 for the size) with {"error": "<Vietnamese text>"};
- a `message` that is not text, or a `sender` that is not a usable string: a Vietnamese
  reply instead of an empty list; text over `MAX_MESSAGE_CHARS`: a polite refusal; a button
  payload (`/intent{...}`) whose entities are not a flat JSON object: "button expired";
- the text is cleaned (NFC, lone surrogates replaced, control characters removed) before
  the NLU sees it;
- `metadata` (the gateway sends `channel` and `client_address`) reaches the tracker, where
  actions read `tracker.latest_message["metadata"]`;
- a turn that failed or produced no message (the action server down, an action raising)
  is answered with the apology and the hotline, never with `[]`.

Streaming (`?stream=true`) is not offered: the gateway needs whole answers.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeGuard

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import wording
from bot.channels.config import load_config
from bot.channels.inputs import (
    CHANNEL_TOKEN_HEADER,
    TOO_LONG_REPLY,
    MalformedRequest,
    clean_text,
    is_too_long,
    parse_json_object,
)
from bot.settings import DEFAULT_HOTLINE_TEXT

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024  # a 2,000-character message in \u escapes is about 24 KB
MAX_SENDER_CHARS = 256
# Rasa's grammar of button payloads, "/intent@confidence{entities}" (YAMLStoryReader).
PAYLOAD = re.compile(r"^/(?P<intent>[^{@]+)(?P<confidence>@[0-9.]+)?(?P<entities>{.+})?")

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class GatewayRestInput(RestInput):
    """Rasa's REST channel for the gateway: see the module docstring."""

    def __init__(self, token: str = "", hotline_text: str = DEFAULT_HOTLINE_TEXT) -> None:
        self._token = token
        self._apology = wording.APOLOGY.format(hotline=hotline_text)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GatewayRestInput:
        """Settings come from the environment and `.env` (RASA_CHANNEL_TOKEN, HOTLINE_TEXT)
        like the gateway's, not from credentials.yml, so both sides read one value."""
        config = load_config()
        return cls(config.rasa_channel_token, config.hotline_text)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}")

        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        webhook.add_route(health, "/", methods=["GET"])
        webhook.add_route(receive, "/webhook", methods=["POST"])
        return webhook

    async def _receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        if not self._authorised(request):
            return _error(403, wording.BAD_GATEWAY_TOKEN)
        if len(request.body) > MAX_BODY_BYTES:
            return _error(413, wording.TOO_LARGE)
        try:
            data = parse_json_object(request.body)
        except MalformedRequest as error:
            return _error(400, str(error))
        metadata = data.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            return _error(400, wording.BAD_METADATA)
        sender, text = data.get("sender"), data.get("message")
        if not _usable_sender(sender):
            return _say("", wording.UNKNOWN_CONVERSATION)
        cleaned = clean_text(text) if isinstance(text, str) else ""
        if not cleaned:
            return _say(sender, wording.TEXT_ONLY)
        if is_too_long(cleaned):
            return _say(sender, TOO_LONG_REPLY)
        if not _flat_payload(cleaned):
            return _say(sender, wording.BUTTON_EXPIRED)
        return response.json(await self._turn(on_new_message, sender, cleaned, metadata))

    def _authorised(self, request: Request) -> bool:
        if not self._token:
            return True
        given = request.headers.get(CHANNEL_TOKEN_HEADER, "").encode(errors="surrogateescape")
        return hmac.compare_digest(given, self._token.encode())

    async def _turn(
        self,
        on_new_message: OnNewMessage,
        sender: str,
        text: str,
        metadata: dict[str, Any] | None,
    ) -> list[dict[str, Any]]:
        """Rasa's answer to one message; the apology when it failed or said nothing."""
        collector = CollectingOutputChannel()
        message = UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata)
        try:
            await on_new_message(message)
        except Exception:  # any failure of the turn: the citizen gets the apology
            log.exception("The turn failed; answered with the apology")
        if not collector.messages:
            log.warning("The turn produced no message; answered with the apology")
            await collector.send_text_message(sender, self._apology)
        return collector.messages


def _usable_sender(sender: Any) -> TypeGuard[str]:
    """A conversation id: a printable string (no control characters or lone surrogates)."""
    return (
        isinstance(sender, str)
        and 0 < len(sender) <= MAX_SENDER_CHARS
        and sender.isprintable()
        and bool(sender.strip())
    )


def _flat_payload(text: str) -> bool:
    """False for a button payload whose entities Rasa would hand to the actions as lists,
    objects or nothing usable (our buttons only send flat objects of plain values); Rasa
    itself lets a deeply nested one overflow its JSON parser."""
    match = PAYLOAD.match(text)
    if not (match and match.group("entities")):
        return True
    try:
        entities = json.loads(match.group("entities"))
    except (ValueError, RecursionError):
        return False
    return isinstance(entities, dict) and not any(
        isinstance(value, (dict, list)) for value in entities.values()
    )


def _say(recipient_id: str, text: str) -> HTTPResponse:
    return response.json([{"recipient_id": recipient_id, "text": text}])


def _error(status: int, text: str) -> HTTPResponse:
    return response.json({"error": text}, status=status)
