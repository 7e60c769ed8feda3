"""Turns a message made only of words never seen in training into `nlu_fallback`.

DIET always picks some intent, and on gibberish ("xyz qwe asdf") its character n-grams can
make that pick confident, so the FallbackClassifier's threshold alone does not catch it. A
message none of whose folded words occurs in the training data (and which holds no entity,
no digit and so no dossier code or phone digits) cannot be understood: saying so with the
hotline beats answering a guessed intent.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from vntext import words

_VOCABULARY_FILE = "vocabulary.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnknownWordsFallback(GraphComponent):
    """Put after the FallbackClassifier; needs no configuration."""

    def __init__(
        self, model_storage: ModelStorage, resource: Resource, vocabulary: frozenset[str]
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._vocabulary = vocabulary

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownWordsFallback:
        return cls(model_storage, resource, frozenset())

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsFallback:
        with model_storage.read_from(resource) as directory:
            vocabulary = json.loads((directory / _VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(model_storage, resource, frozenset(vocabulary))

    def train(self, training_data: TrainingData) -> Resource:
        """Remembers the folded words of every training example."""
        self._vocabulary = frozenset(
            word
            for example in training_data.intent_examples
            for word in words(example.get(TEXT) or "")
        )
        with self._model_storage.write_to(self._resource) as directory:
            text = json.dumps(sorted(self._vocabulary), ensure_ascii=False)
            (directory / _VOCABULARY_FILE).write_text(text, encoding="utf-8")
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if (
                self.is_unknown(message)
                and _intent_name(message) != DEFAULT_NLU_FALLBACK_INTENT_NAME
            ):
                # as the FallbackClassifier does, so Rasa can undo it by dropping ranking[0]
                fallback = {
                    INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                    PREDICTED_CONFIDENCE_KEY: 1.0,
                }
                message.data[INTENT] = fallback
                message.data.setdefault(INTENT_RANKING_KEY, []).insert(0, fallback)
        return messages

    def is_unknown(self, message: Message) -> bool:
        """True when the message has words, none known, no digits and no entities."""
        found = words(message.get(TEXT) or "")
        if (
            not found
            or message.get(ENTITIES)
            or any(char.isdigit() for word in found for char in word)
        ):
            return False
        return self._vocabulary.isdisjoint(found)


def _intent_name(message: Message) -> Any:
    return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
