"""Questions that ask two things at once: "lệ phí và thời gian làm hộ chiếu" (issue #14).

DIET gives one intent per message. This component adds one `aspect` entity per aspect the
message asks about (value: the intent that answers it, `ask_fee`, `ask_processing_time`, …),
in the order asked, when it asks two or more joined by "và", "với", "cùng", "lẫn", "kèm" or
a comma: the action then answers each. Aspect words inside the procedure mention
(the `procedure` entity's span: "Gia hạn thời hạn …") do not count, and a message asking one
thing gets no `aspect` entity at all, so everything else behaves as before.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.segmentation import Syllable, syllables

ENTITY = "aspect"
# Folded canonical phrases ("ký"→"ki") that ask for one aspect of a procedure.
ASPECT_PHRASES: dict[str, tuple[str, ...]] = {
    "ask_fee": ("le phi", "phi", "chi phi", "bao nhieu tien", "mat tien", "ton tien", "mien phi"),
    "ask_processing_time": ("thoi gian", "bao lau", "thoi han", "may ngay", "bao nhieu ngay"),
    "ask_documents": (
        "giay to",
        "ho so gi",
        "ho so gom",
        "thanh phan ho so",
        "can nhung gi",
        "mang theo",
    ),
    "ask_agency": ("o dau", "co quan nao", "noi nao", "cho nao"),
    "ask_steps": ("trinh tu", "cac buoc", "quy trinh"),
    "ask_online": ("online", "truc tuyen", "qua mang"),
    "ask_conditions": ("dieu kien",),
}
_PHRASES = sorted(
    (
        (tuple(phrase.split()), intent)
        for intent, phrases in ASPECT_PHRASES.items()
        for phrase in phrases
    ),
    key=lambda item: -len(item[0]),
)
_JOINING_WORDS = frozenset({"va", "voi", "cung", "lan", "kem"})  # not "còn": it folds like "con"
_JOINING_MARKS = re.compile(r"[,;+&/]")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class AspectExtractor(GraphComponent, EntityExtractorMixin):
    """Adds an `aspect` entity per aspect of a question that asks several (see module doc)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AspectExtractor:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES, [])
            found = asked_aspects(message.get(TEXT) or "", _procedure_spans(entities))
            if len(found) > 1:
                message.set(ENTITIES, entities + self.add_extractor_name(found), add_to_output=True)
        return messages


def asked_aspects(text: str, skip: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """The `aspect` entities of a message asking two or more aspects, joined; else []."""
    found = [s for s in syllables(text) if not any(start <= s.start < end for start, end in skip)]
    entities: list[dict[str, Any]] = []
    index = 0
    while index < len(found):
        length, intent = _phrase_at(found, index)
        if intent and all(entity["value"] != intent for entity in entities):
            start, end = found[index].start, found[index + length - 1].end
            entities.append({"entity": ENTITY, "value": intent, "start": start, "end": end})
        index += max(length, 1)
    joined = len(entities) > 1 and _joined(text, found, entities[0]["end"], entities[1]["start"])
    return entities if joined else []


def _phrase_at(found: list[Syllable], index: int) -> tuple[int, str]:
    for phrase, intent in _PHRASES:
        if tuple(s.key for s in found[index : index + len(phrase)]) == phrase:
            return len(phrase), intent
    return 0, ""


def _joined(text: str, found: list[Syllable], left: int, right: int) -> bool:
    """Is there a joining word or mark between the first two aspects?"""
    between = [s.key for s in found if left <= s.start < right]
    return bool(_JOINING_WORDS.intersection(between) or _JOINING_MARKS.search(text[left:right]))


def _procedure_spans(entities: list[dict[str, Any]]) -> list[tuple[int, int]]:
    procedures = [e for e in entities if e.get("entity") == "procedure" and "start" in e]
    return [(e["start"], e["end"]) for e in procedures]
