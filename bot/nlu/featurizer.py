"""CountVectorsFeaturizer over diacritic-folded tokens, so "căn_cước" and "can_cuoc" meet."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import ACTION_NAME, INTENT, INTENT_RESPONSE_KEY, TEXT

import vntext
from vntext import fold

_LABEL_ATTRIBUTES = frozenset({INTENT, ACTION_NAME, INTENT_RESPONSE_KEY})
_INNER_UNDERSCORE = re.compile(r"(?<=[^\W_])_(?=[^\W_])")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class FoldedCountVectorsFeaturizer(CountVectorsFeaturizer):
    """Rasa's CountVectorsFeaturizer, reading each token folded (lower case, no diacritics, đ→d).

    Vietnamese users type with and without diacritics; folding both at training and
    prediction time makes them the same feature. Label attributes (intents, actions) are
    left untouched. Compound tokens ("can_cuoc"):
    - word analyzer: with `compound_syllables` the token also counts its syllables
      ("can_cuoc can cuoc"), so an unaccented message that segmented into single
      syllables still shares features with the accented compound;
    - char analyzers: "_" becomes a space, so n-grams stay inside syllables and `char_wb`
      pads each syllable, as it would for separately typed syllables.
    Everything else (vocabulary, OOV handling, persistence) is the base class's.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**CountVectorsFeaturizer.get_default_config(), "compound_syllables": True}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Folding lives in vntext, which Rasa's training cache does not see."""
        return hashlib.sha256(Path(vntext.__file__).read_bytes()).hexdigest()

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """OOV replacement compares whole token strings, which compounds no longer are."""
        if (
            config.get("OOV_token")
            and config.get("compound_syllables")
            and config.get("analyzer") == "word"
        ):
            raise InvalidConfigException(
                f"{cls.__name__}: set compound_syllables: false to use OOV_token."
            )

    def _process_tokens(self, tokens: list[str], attribute: str = TEXT) -> list[str]:
        processed = super()._process_tokens(tokens, attribute)
        if attribute in _LABEL_ATTRIBUTES:
            return processed
        return [self._fold_token(token) for token in processed]

    def _fold_token(self, token: str) -> str:
        folded = fold(token)
        if self.analyzer != "word":
            return _INNER_UNDERSCORE.sub(" ", folded)
        if self._config["compound_syllables"] and _INNER_UNDERSCORE.search(folded):
            return f"{folded} {_INNER_UNDERSCORE.sub(' ', folded)}"
        return folded
