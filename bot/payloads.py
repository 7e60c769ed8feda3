"""Button payloads that the actions and the gateway's delivery worker both build: Rasa's
`/intent{"entity": value}` form, which the NLU takes as is."""
from __future__ import annotations

import json

SUBSCRIBE_INTENT = "subscribe_notifications"
UNSUBSCRIBE_INTENT = "unsubscribe_notifications"
RATE_NOTIFIED_INTENT = "rate_notified_dossier"  # the status-10 notification's survey button
STATUS_INTENT = "check_dossier_status"


def dossier_payload(intent: str, code: str) -> str:
    return f"/{intent}{json.dumps({'dossier_code': code}, ensure_ascii=False)}"
