"""FoldedCountVectorsFeaturizer: accented and unaccented spellings get identical features."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.featurizer import FoldedCountVectorsFeaturizer
from bot.nlu.tokenizer import VietnameseTokenizer

TRAINING = {
    "ask_documents": [
        "Làm căn cước cần giấy tờ gì?",
        "đăng ký hộ kinh doanh cần gì",
        "Hồ sơ khai sinh gồm những gì",
    ],
    "ask_fee": ["Lệ phí làm hộ chiếu bao nhiêu?", "dang ky tam tru mat bao nhieu tien"],
}
PAIRS = [
    ("làm căn cước", "lam can cuoc"),
    ("Đăng ký hộ kinh doanh cần giấy tờ gì?", "dang ky ho kinh doanh can giay to gi"),
    ("Lệ phí đăng ký tạm trú", "LE PHI DANG KY TAM TRU"),
]
ANALYZERS = [{"analyzer": "word"}, {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4}]


def config(**overrides: Any) -> dict[str, Any]:
    return {**FoldedCountVectorsFeaturizer.get_default_config(), **overrides}


def training_data(tokenizer: VietnameseTokenizer) -> TrainingData:
    examples = [Message.build(text, intent) for intent, texts in TRAINING.items() for text in texts]
    return tokenizer.process_training_data(TrainingData(examples))


def trained(
    settings: dict[str, Any],
    tokenizer: VietnameseTokenizer,
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> FoldedCountVectorsFeaturizer:
    featurizer = FoldedCountVectorsFeaturizer.create(
        config(**settings), model_storage, Resource("cv"), execution_context
    )
    featurizer.train(training_data(tokenizer))
    return featurizer


def features(
    featurizer: FoldedCountVectorsFeaturizer, tokenizer: VietnameseTokenizer, text: str
) -> list[np.ndarray]:
    (message,) = featurizer.process(tokenizer.process([Message.build(text)]))
    sequence, sentence = message.get_sparse_features(TEXT)
    return [sequence.features.toarray(), sentence.features.toarray()]


@pytest.mark.parametrize("settings", ANALYZERS, ids=lambda settings: settings["analyzer"])
@pytest.mark.parametrize("accented, unaccented", PAIRS)
def test_accented_and_unaccented_spellings_get_identical_features(
    settings: dict[str, Any],
    accented: str,
    unaccented: str,
    tokenizer: VietnameseTokenizer,
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> None:
    featurizer = trained(settings, tokenizer, model_storage, execution_context)
    left, right = (
        features(featurizer, tokenizer, accented),
        features(featurizer, tokenizer, unaccented),
    )
    assert left[1].any()
    for one, other in zip(left, right, strict=False):
        np.testing.assert_array_equal(one, other)


def test_compound_tokens_also_count_their_syllables(
    tokenizer: VietnameseTokenizer,
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> None:
    featurizer = trained({"analyzer": "word"}, tokenizer, model_storage, execution_context)
    vocabulary = featurizer.vectorizers[TEXT].vocabulary_
    assert {"lam_can_cuoc", "lam", "can", "cuoc", "ho_kinh_doanh", "kinh"} <= set(vocabulary)
    assert not any(any(char in word for char in "ăâđêôơưàáạảãếệ") for word in vocabulary)


def test_char_ngrams_stay_inside_syllables(
    tokenizer: VietnameseTokenizer,
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> None:
    settings = {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4}
    vocabulary = (
        trained(settings, tokenizer, model_storage, execution_context).vectorizers[TEXT].vocabulary_
    )
    assert " can" in vocabulary and not any("_" in ngram for ngram in vocabulary)


def test_intent_labels_are_not_folded(
    tokenizer: VietnameseTokenizer,
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> None:
    featurizer = trained({"analyzer": "word"}, tokenizer, model_storage, execution_context)
    assert set(featurizer.vectorizers[INTENT].vocabulary_) == set(TRAINING)


@pytest.mark.parametrize("settings", ANALYZERS, ids=lambda settings: settings["analyzer"])
def test_persist_and_load_round_trip(
    settings: dict[str, Any],
    tokenizer: VietnameseTokenizer,
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> None:
    featurizer = trained(settings, tokenizer, model_storage, execution_context)
    loaded = FoldedCountVectorsFeaturizer.load(
        config(**settings), model_storage, Resource("cv"), execution_context
    )
    assert loaded.vectorizers[TEXT].vocabulary_ == featurizer.vectorizers[TEXT].vocabulary_
    for text in ("Làm căn cước cho con", "lam can cuoc cho con"):
        for one, other in zip(
            features(featurizer, tokenizer, text), features(loaded, tokenizer, text), strict=False
        ):
            np.testing.assert_array_equal(one, other)


def test_process_training_data_adds_features(
    tokenizer: VietnameseTokenizer,
    model_storage: LocalModelStorage,
    execution_context: ExecutionContext,
) -> None:
    featurizer = trained({"analyzer": "word"}, tokenizer, model_storage, execution_context)
    data = featurizer.process_training_data(training_data(tokenizer))
    assert all(
        example.features_present(TEXT, featurizers=None) for example in data.training_examples
    )


def test_oov_token_needs_compound_syllables_off(
    model_storage: LocalModelStorage, execution_context: ExecutionContext
) -> None:
    with pytest.raises(InvalidConfigException):
        FoldedCountVectorsFeaturizer.create(
            config(OOV_token="oov"), model_storage, Resource("cv"), execution_context
        )
