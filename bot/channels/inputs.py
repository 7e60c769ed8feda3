"""What a client may send, checked the same way by the gateway and by Rasa's input channel.

Kept free of aiohttp, Sanic and Rasa imports so both processes can use it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from vntext import normalize

MAX_MESSAGE_CHARS = 2000  # longer texts are refused politely before they reach the NLU
MAX_JSON_DEPTH = 16  # the deepest legitimate body (a Telegram update) nests about 6 levels
CHANNEL_TOKEN_HEADER = "X-Rasa-Channel-Token"  # the gateway's shared secret, sent to Rasa

_LONE_SURROGATES = re.compile("[\ud800-\udfff]")
# C0 and C1 control characters other than tab, line feed and carriage return (whitespace).
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class MalformedRequest(ValueError):
    """The body is not what the endpoint accepts; the message says why, in Vietnamese."""


def clean_text(text: str) -> str:
    """The text NLU may see: lone surrogates (invalid UTF-16 halves that cannot even be
    encoded as UTF-8) become U+FFFD, control characters go, then `normalize` (NFC,
    invisible format characters dropped, whitespace collapsed)."""
    text = _LONE_SURROGATES.sub("\ufffd", text)
    return normalize(_CONTROL_CHARS.sub("", text))


def is_too_long(text: str) -> bool:
    return len(text) > MAX_MESSAGE_CHARS


def parse_json(body: bytes) -> Any:
    """The body as JSON, or `MalformedRequest` when it is empty or not JSON (a body nested
    deep enough to make the parser recurse too far included)."""
    if not body.strip():
        raise MalformedRequest("Yêu cầu không có nội dung.")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise MalformedRequest("Nội dung yêu cầu không phải JSON hợp lệ.") from None


def parse_json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or `MalformedRequest`: empty, not JSON, not an object, or
    nested deeper than `MAX_JSON_DEPTH` (deep nesting makes the parser recurse)."""
    data = parse_json(body)
    if not isinstance(data, dict):
        raise MalformedRequest("Nội dung yêu cầu phải là một đối tượng JSON.")
    if json_depth(data) > MAX_JSON_DEPTH:
        raise MalformedRequest("Nội dung yêu cầu lồng nhau quá sâu.")
    return data


def json_depth(data: Any) -> int:
    """How deeply objects and lists nest (a flat object is 1), without recursing."""
    deepest = 0
    pending = [(data, 1)]
    while pending:
        value, level = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in value)
    return deepest
