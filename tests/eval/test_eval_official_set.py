"""The official-name evaluation set (issue #14): its size, mix and hold-out from training."""

from __future__ import annotations

from collections import Counter

import yaml
from rasa.shared.nlu.training_data.loading import load_data

from bot.nlu.official_names import default_names
from bot.settings import PROJECT_ROOT
from eval.evaluate import OFFICIAL_FILE, load_questions
from vntext import fold

PHRASINGS = PROJECT_ROOT / "eval" / "official_phrasings.yml"
TRAINING_PHRASINGS = PROJECT_ROOT / "scripts" / "official_name_phrasings.yml"
GENERATED = PROJECT_ROOT / "nlu_data" / "nlu_official_names.yml"


def test_the_set_is_as_large_and_mixed_as_the_issue_asks() -> None:
    questions = load_questions(OFFICIAL_FILE)
    assert len(questions) >= 300 and len({q.procedure for q in questions}) >= 150
    styles = Counter(question.style for question in questions)
    assert styles["unaccented"] == styles["accented"] == len(questions) // 2
    phrasings = yaml.safe_load(PHRASINGS.read_text(encoding="utf-8"))
    assert len(phrasings) >= 7 and all(len(set(texts)) >= 20 for texts in phrasings.values())
    assert {question.intent for question in questions} == set(phrasings)


def test_every_question_quotes_its_procedure_s_official_name() -> None:
    names = default_names()
    for question in load_questions(OFFICIAL_FILE):
        match = names.find(question.text)
        assert match is not None and question.procedure in match.codes, question.text


def test_training_never_sees_the_set_s_phrasings_or_procedures() -> None:
    evaluated = yaml.safe_load(PHRASINGS.read_text(encoding="utf-8"))
    trained = yaml.safe_load(TRAINING_PHRASINGS.read_text(encoding="utf-8"))
    eval_texts = {fold(text) for texts in evaluated.values() for text in texts}
    assert not eval_texts & {fold(text) for texts in trained.values() for text in texts}
    examples = [fold(message.get("text")) for message in load_data(str(GENERATED)).intent_examples]
    held_out = load_questions(OFFICIAL_FILE)
    assert not {fold(question.text) for question in held_out} & set(examples)
    codes = {str(question.procedure) for question in held_out}
    names = {fold(default_names().name_of(code)).rstrip(".") for code in codes}
    assert not [example for example in examples if any(name in example for name in names)]
