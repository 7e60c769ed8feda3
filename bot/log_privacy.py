"""Keeps what citizens typed, phone digits, tokens and slot payloads out of logs at INFO and above.

`install(secrets)` covers every logger of the process, whoever configures the handlers later
(Rasa, Sanic and python-telegram-bot each do):

- standard `logging` records are redacted as they are created (a log record factory): the
  message, and any traceback, pass through `redact`; `warnings` are routed into logging;
- Rasa's structured log events (structlog) get `redact_event` as their first processor, also
  when Rasa configures structlog after this module was installed (`rasa run` does so on
  start). It blanks the fields Rasa itself marks as personal ("text", "message", "slot_values",
  entities…) and renders tracebacks without frame locals (Rasa's default renderers print
  every local variable, including the user's message, on `exception`).

DEBUG records are left alone: they are for a developer's own machine.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 6

# Fields of Rasa's structlog events that carry user input or conversation state (the keys
# Rasa's own anonymizer treats as personal, rasa/utils/log_utils.py).
SENSITIVE_EVENT_KEYS = frozenset(
    {
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "token_text",
        "user_message",
        "json_message",
        "sender_id",
        "sender",
        "tracker",
        "events",
    }
)

# "/intent{...}" as sent by buttons: the braces hold slot and entity values.
_PAYLOAD = re.compile(r"(/[A-Za-z_][\w.-]*)\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")
# Digit groups written apart ("0912 345 678"), or four or more digits in a row (phone
# numbers, their last 4 digits, identity numbers, chat ids) except a port after a colon.
_DIGITS = re.compile(
    r"(?<![\d.])\d{2,4}(?:[ .-]\d{2,4}){2,}(?![\d.])"
    r"|(?<!\d)(?!(?<=:)\d{2,5}(?!\d))\d{4,}"
)
# Credentials inside URLs and headers, whatever their value.
_CREDENTIALS = re.compile(
    r"(?i)(bearer\s+|basic\s+|[?&](?:token|access_token|secret|key|password)=|/bot)"
    r"[^\s&\"',/]+"
)
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


class Redactor:
    """Masks configured secrets, credentials, digit runs and slot payloads in a text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        known = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        self._secrets = re.compile("|".join(map(re.escape, known))) if known else None

    def __call__(self, text: str) -> str:
        if self._secrets is not None:
            text = self._secrets.sub(REDACTED, text)
        text = _URL_PASSWORD.sub(rf"\1{REDACTED}@", text)
        text = _CREDENTIALS.sub(rf"\1{REDACTED}", text)
        text = _PAYLOAD.sub(rf"\1{{{REDACTED}}}", text)
        return _DIGITS.sub(REDACTED, text)

    def record(self, record: logging.LogRecord) -> None:
        """Redacts a log record in place: the formatted message and any traceback."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format: log the format
            message = str(record.msg)
        record.msg, record.args = self(message), None
        if record.exc_info:
            record.exc_text = self("".join(traceback.format_exception(*record.exc_info)).rstrip())
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self(record.stack_info)

    def event(
        self, _logger: Any, method_name: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        """structlog processor: the same for one of Rasa's structured events."""
        if method_name == "debug":
            return event
        exc_info = event.pop("exc_info", None)
        for key, value in event.items():
            if key in SENSITIVE_EVENT_KEYS:
                event[key] = REDACTED
            elif isinstance(value, str):
                event[key] = self(value)
        if exc_info:
            event["exception"] = self(_format_exception(exc_info))
        return event


def _format_exception(exc_info: Any) -> str:
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    elif not isinstance(exc_info, tuple):
        exc_info = sys.exc_info()
    return "".join(traceback.format_exception(*exc_info)).rstrip() if exc_info[0] else ""


_installed: Redactor | None = None


def install(secrets: Iterable[str] = ()) -> Redactor:
    """Redact every log record and structlog event of this process from now on."""
    global _installed
    redactor = Redactor(secrets)
    if _installed is None:
        logging.setLogRecordFactory(_redacting_factory(logging.getLogRecordFactory()))
        logging.captureWarnings(True)
        _keep_structlog_redacted()
    _installed = redactor
    return redactor


def redact(text: str) -> str:
    """`text` as the installed filter would log it (for messages printed outside logging)."""
    return (_installed or Redactor())(text)


def _redacting_factory(
    create: Callable[..., logging.LogRecord],
) -> Callable[..., logging.LogRecord]:
    @functools.wraps(create)
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = create(*args, **kwargs)
        if _installed is not None and record.levelno >= logging.INFO:
            _installed.record(record)
        return record

    return factory


def _redact_event(
    logger: Any, method_name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    return _installed.event(logger, method_name, event) if _installed is not None else event


def _keep_structlog_redacted() -> None:
    """Put `_redact_event` first in structlog's processors now and in any later configuration."""
    import structlog

    configure = structlog.configure

    @functools.wraps(configure)
    def configure_with_redaction(
        *args: Any, processors: Iterable[Any] | None = None, **kwargs: Any
    ) -> None:
        if processors is not None:
            processors = [_redact_event, *(p for p in processors if p is not _redact_event)]
        configure(*args, **{**kwargs, "processors": processors})

    structlog.configure = configure_with_redaction
    configure_with_redaction(processors=structlog.get_config()["processors"])
