"""`make serve` end to end: a seeded --json sample looked up through the REST channel."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from bot.wording import STATUS_TEXTS
from tests.helpers.conversation import Served

pytestmark = pytest.mark.rasa


def post(url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def say(served: Served, sender: str, message: str) -> str:
    return " ".join(
        m.get("text", "") for m in post(served.rest, {"sender": sender, "message": message})
    )


def test_lookup_of_a_seeded_sample_through_the_rest_channel(served: Served) -> None:
    sample = next(s for s in served.samples if s["status"] == 4)
    assert "4 chữ số cuối" in say(served, "rest-citizen", f"tra cứu hồ sơ {sample['code']}")
    answer = say(served, "rest-citizen", sample["phone_last4"])
    assert STATUS_TEXTS[4].name in answer and sample["code"] in answer
