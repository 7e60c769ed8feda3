"""Rasa tokenizer for Vietnamese: underthesea words, KB phrases and dossier codes kept whole."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import official_names, segmentation


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    """One token per Vietnamese word ("căn_cước"), lower case, offsets into the original text.

    Punctuation and emojis are dropped; a message with no letters or digits at all becomes
    one token spanning its stripped text, as Rasa's WhitespaceTokenizer does, so that
    featurizers always see at least one token. A `token_pattern`, if configured, is applied
    by Rasa's base class, which computes sub-token offsets from text lengths (NFC input only).

    With `mask_official_names`, a procedure's official name quoted whole (six syllables or
    more, `bot.nlu.official_names`) becomes one placeholder token spanning it, in training
    data and messages alike: the featurizers, and so the intent, see only the words around
    the name ("cơ quan nào thực hiện <name>?"). The procedure linker reads the raw text.
    """

    @staticmethod
    def supported_languages() -> list[str] | None:
        return ["vi"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            "mask_official_names": False,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["underthesea"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return segmentation.resources_fingerprint() + official_names.source_fingerprint()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
        """Creates the tokenizer and loads the segmentation model and KB phrases up front."""
        segmentation.warm_up()
        if config.get("mask_official_names"):
            official_names.default_names()
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute)
        tokens = [Token(word.text, word.start, word.end) for word in segmentation.words(text)]
        if self._config["mask_official_names"] and tokens:
            tokens = _masked(text, tokens)
        return self._apply_token_pattern(tokens or [_whole_text_token(text)])


def _masked(text: str, tokens: list[Token]) -> list[Token]:
    """The tokens with a long quoted official name replaced by one placeholder token."""
    quoted = official_names.default_names().find(text)
    if quoted is None or quoted.length < official_names.MASK_MIN_SYLLABLES:
        return tokens
    before = [token for token in tokens if token.start < quoted.start]  # a word the segmenter
    after = [token for token in tokens if token.end > quoted.end]  # ran across an edge stays
    return before + [Token(official_names.PLACEHOLDER, quoted.start, quoted.end)] + after


def _whole_text_token(text: str) -> Token:
    stripped = text.strip()
    start = text.find(stripped) if stripped else 0
    return Token(stripped.lower(), start, start + len(stripped))
