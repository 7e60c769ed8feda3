"""UnknownWordsFallback: a message of words never seen in training becomes nlu_fallback."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.unknown_words import UnknownWordsFallback

TRAINING = [("Làm căn cước cần giấy tờ gì?", "ask_documents"), ("xin chào", "greet")]
DIET_GUESS = {"name": "greet", "confidence": 0.97}


def trained(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> UnknownWordsFallback:
    """Trains, then loads from the model storage as a served model would."""
    resource = Resource("unknown_words")
    component = UnknownWordsFallback.create({}, model_storage, resource, execution_context)
    component.train(TrainingData([Message.build(text, intent) for text, intent in TRAINING]))
    return UnknownWordsFallback.load({}, model_storage, resource, execution_context)


def parsed(
    component: UnknownWordsFallback, text: str, entities: list[dict[str, Any]] | None = None
) -> Message:
    message = Message(
        {TEXT: text, INTENT: dict(DIET_GUESS), INTENT_RANKING_KEY: [dict(DIET_GUESS)]}
    )
    if entities:
        message.set(ENTITIES, entities)
    return component.process([message])[0]


@pytest.mark.parametrize("text", ["xyz qwe asdf", "ZZZ!!", "blah blah"])
def test_unknown_words_become_fallback(
    text: str, model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> None:
    message = parsed(trained(model_storage, execution_context), text)
    assert message.get(INTENT) == {"name": "nlu_fallback", "confidence": 1.0}
    assert [item["name"] for item in message.get(INTENT_RANKING_KEY)] == ["nlu_fallback", "greet"]


@pytest.mark.parametrize(
    "text",
    [
        "lam can cuoc",  # folded spelling of trained words
        "CHÀO xyz",  # one known word is enough
        "1234",  # phone digits answering a form question
        "",  # nothing to judge
    ],
)
def test_known_words_digits_and_empty_text_keep_the_intent(
    text: str, model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> None:
    assert parsed(trained(model_storage, execution_context), text).get(INTENT) == DIET_GUESS


def test_a_message_with_an_entity_keeps_the_intent(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> None:
    entity = {"entity": "procedure", "value": "1.001193", "start": 0, "end": 10}
    message = parsed(trained(model_storage, execution_context), "khaisinhx", [entity])
    assert message.get(INTENT) == DIET_GUESS


def test_an_existing_fallback_is_not_added_twice(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> None:
    fallback = {"name": "nlu_fallback", "confidence": 0.5}
    message = Message(
        {TEXT: "xyz", INTENT: fallback, INTENT_RANKING_KEY: [fallback, dict(DIET_GUESS)]}
    )
    trained(model_storage, execution_context).process([message])
    assert message.get(INTENT_RANKING_KEY) == [fallback, DIET_GUESS]
