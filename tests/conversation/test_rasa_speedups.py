"""bot/rasa_speedups.py: the action server's answer is still validated, as Rasa does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError

from bot import rasa_speedups


@pytest.fixture
def action() -> object:
    from rasa.core.actions.action import RemoteAction

    rasa_speedups.install()
    rasa_speedups.install()  # a second call changes nothing
    return RemoteAction("action_answer_procedure", None)


def test_a_valid_answer_passes(action: object) -> None:
    answer = {
        "events": [{"event": "slot", "name": "procedure", "value": "1.004222"}],
        "responses": [{"text": "Lệ phí 10.000 đồng"}],
    }
    assert action._validate_action_result(answer) is True  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "answer",
    [
        {
            "events": [{"event": "slot", "name": "procedure"}],
            "responses": [],
        },  # a slot event without value
        {"events": "none", "responses": []},
        {"events": [], "responses": ["text, not an object"]},
    ],
)
def test_an_invalid_answer_fails_with_rasas_message(action: object, answer: dict) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(answer)  # type: ignore[attr-defined]


def test_the_schema_is_checked_once() -> None:
    rasa_speedups.install()
    first = rasa_speedups._action_result_validator()
    assert rasa_speedups._action_result_validator() is first
