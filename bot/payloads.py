"""Button payloads that the actions and the gateway's delivery worker both build: Rasa's
`/intent{"entity": value}` form, which the NLU takes as is."""

from __future__ import annotations

import json
import re

SUBSCRIBE_INTENT = "subscribe_notifications"
UNSUBSCRIBE_INTENT = "unsubscribe_notifications"
RATE_NOTIFIED_INTENT = "rate_notified_dossier"  # the status-10 notification's survey button
STATUS_INTENT = "check_dossier_status"
SURVEY_INTENT = "rate_service"
# What the gateway sends for a command (Telegram /tracuu, /danhgia, /huythongbao); the
# greeting's buttons (utter_greet in domain.yml) send the same.
STATUS_LOOKUP_REQUEST = f"/{STATUS_INTENT}"
SURVEY_REQUEST = f"/{SURVEY_INTENT}"
UNSUBSCRIBE_REQUEST = f"/{UNSUBSCRIBE_INTENT}"


def dossier_payload(intent: str, code: str) -> str:
    return f"/{intent}{json.dumps({'dossier_code': code}, ensure_ascii=False)}"


_DOSSIER_PAYLOAD = re.compile(r'/(\w+)\{"dossier_code": "([^"\\]+)"\}')


def parse_dossier_payload(payload: str) -> tuple[str, str] | None:
    """(intent, code) of a `dossier_payload`, else None."""
    match = _DOSSIER_PAYLOAD.fullmatch(payload)
    return (match.group(1), match.group(2)) if match else None
