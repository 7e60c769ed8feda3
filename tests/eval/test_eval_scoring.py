"""eval/evaluate.py: seeded training configs and scores averaged over the seeds."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from eval import evaluate
from eval.evaluate import PIPELINES, Prediction, Question, Trained

QUESTIONS = [
    Question("lệ phí làm hộ chiếu", "ask_fee", "1.000001", "accented"),
    Question("lam ho chieu o dau", "ask_agency", "1.000001", "unaccented"),
    Question("xin chào", "greet", None, "informal"),
    Question("hộ chiếu mất bao lâu", "ask_processing_time", None, "accented"),
]


def predictions(*intents: str) -> list[Prediction]:
    return [Prediction(intent, intent, "1.000001", False) for intent in intents]


RUNS = {
    "ours": [
        predictions("ask_fee", "ask_agency", "greet", "ask_processing_time"),  # 4 of 4
        predictions("ask_fee", "ask_agency", "greet", "ask_fee"),  # 3 of 4
    ],
    "baseline": [
        predictions("ask_fee", "nlu_fallback", "greet", "ask_fee"),  # 2 of 4
        predictions("ask_fee", "ask_fee", "goodbye", "ask_fee"),  # 1 of 4
    ],
}
TRAINED = [
    Trained(key, seed, "config", f"models/{key}-seed{seed}.tar.gz", 80, 100.0 + seed)
    for seed in (42, 43)
    for key in ("ours", "baseline")
]


def test_intent_rows_are_means_over_the_seeds() -> None:
    table = evaluate.score_table(QUESTIONS, RUNS, ["1.000001", None, None, None])
    assert table[(evaluate.INTENT, evaluate.OURS)]["overall"] == (87.5, 4)
    assert table[(evaluate.INTENT, evaluate.BASELINE)]["overall"] == (37.5, 4)
    assert table[(evaluate.INTENT, evaluate.OURS)]["accented"] == (75.0, 2)
    # the baseline's first seed fell back on question 2: its best intent was still wrong
    assert table[(evaluate.INTENT_RAW, evaluate.BASELINE)]["unaccented"] == (0.0, 1)
    assert table[(evaluate.PROCEDURE, evaluate.OURS)]["overall"] == (100.0, 2)


def test_each_seed_is_reported_and_the_margin_judged_against_the_spread() -> None:
    scores = evaluate.seed_scores(QUESTIONS, RUNS)
    assert scores == {"ours": [100.0, 75.0], "baseline": [50.0, 25.0]}
    assert "| 43 | 75.0 % | 25.0 % |" in evaluate.seed_table(TRAINED, scores)
    table = evaluate.score_table(QUESTIONS, RUNS, [None] * 4)
    lines = evaluate.target_checks(table, TRAINED, scores)
    assert lines[0] == "- MISSED: intent accuracy ≥ 92 % (mean of 2 seeds)"
    assert lines[1].startswith("- met: intent accuracy ahead")
    assert "every seed of ours above every seed of the baseline" in lines[1]
    overlapping = {"ours": [93.0, 90.0], "baseline": [91.0, 88.0]}
    assert (
        "seed ranges overlap: ours 90.0–93.0 %, baseline 88.0–91.0 %"
        in evaluate.target_checks(table, TRAINED, overlapping)[1]
    )


def test_confusions_are_summed_over_the_seeds() -> None:
    assert evaluate.intent_confusions(QUESTIONS, RUNS["baseline"]) == [
        "- ask_processing_time → ask_fee: 2",
        "- ask_agency → ask_fee: 1",
        "- ask_agency → nlu_fallback: 1",
        "- greet → goodbye: 1",
    ]


@pytest.mark.parametrize("quick", [False, True])
def test_training_config_is_a_seeded_copy(quick: bool, tmp_path: Path) -> None:
    ours, baseline = PIPELINES
    path, label = evaluate.training_config(baseline, quick, 7, tmp_path)
    config = evaluate.read_yaml(path)
    diet = next(
        component for component in config["pipeline"] if component["name"] == "DIETClassifier"
    )
    assert diet["random_seed"] == 7
    assert label.startswith("config_baseline.yml, random_seed 7")
    assert ("epochs cut to" in label) == quick
    quick_epochs = evaluate.diet_epochs(evaluate.read_yaml(evaluate.QUICK_CONFIG))
    assert (diet["epochs"] == quick_epochs) == quick
    ours_path, ours_label = evaluate.training_config(ours, quick, 7, tmp_path)
    assert ours_label.startswith("config_test.yml" if quick else "config.yml")
    assert (
        evaluate.read_yaml(ours_path)["pipeline"][0]["name"]
        == "bot.nlu.tokenizer.VietnameseTokenizer"
    )


@pytest.mark.parametrize("text", ["42,x", "1,1", ""])
def test_bad_seed_lists_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        evaluate._seed_list(text)


def test_seed_list_default_and_parsing() -> None:
    assert evaluate.parse_args([]).seeds == (42, 43, 44)
    assert evaluate.parse_args(["--seeds", "1,2"]).seeds == (1, 2)


def test_without_the_baseline_its_cells_are_dashes_and_its_target_unchecked() -> None:
    runs = {"ours": RUNS["ours"], "baseline": []}
    ours_only = [model for model in TRAINED if model.key == "ours"]
    table = evaluate.score_table(QUESTIONS, runs, [None] * 4)
    assert table[(evaluate.INTENT, evaluate.BASELINE)]["overall"] is None
    scores = evaluate.seed_scores(QUESTIONS, runs)
    assert "| 43 | 75.0 % | — |" in evaluate.seed_table(ours_only, scores)
    lines = evaluate.target_checks(table, ours_only, scores)
    assert lines[-1].startswith("- not checked: intent accuracy ahead of Rasa's default pipeline")
    assert not any(line.startswith("- met: intent accuracy ahead") for line in lines)


def test_the_official_name_set_is_scored_beside_the_test_set_only() -> None:
    assert evaluate.parse_args([]).also == [evaluate.OFFICIAL_FILE]
    assert evaluate.parse_args(["--questions", "eval/dev2_questions.yml"]).also == []
