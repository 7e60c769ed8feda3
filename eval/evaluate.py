"""Held-out evaluation: our NLU pipeline vs Rasa's default pipeline vs plain BM25 over names.

    .venv/bin/python -m eval.evaluate [--seeds 42,43,44] [--quick] [--without-baseline]
        [--skip-train] [--questions FILE] [--also FILE] [--report FILE]

Trains NLU-only models from nlu_data/ with config.yml and config_baseline.yml (force, no
training cache, so the times are real), once per DIET random seed (a copy of each config with
`random_seed` set: retrainings differ by several points, so one run per pipeline proves
little), parses the 240 questions of eval/test_questions.yml and prints (and writes to
docs/evaluation.md):
- intent accuracy, as the bot would act on it (nlu_fallback counts as wrong), overall and
  per style, averaged over the seeds, and each seed's overall figure;
- procedure top-1 on the questions naming a procedure: the `procedure` entity's value
  equals the label (no entity counts as wrong). Rasa's default pipeline links nothing ("—");
- plain BM25 over procedure names (eval/bm25.py), same questions;
- the share of no-procedure questions that nevertheless get a procedure entity.
The same models then score eval/official_name_questions.yml (questions quoting official
procedure names, issue #14; other sets with --also), in a section of its own with its targets.
--without-baseline trains config.yml only (Rasa's default pipeline trains for about 15 minutes
per seed; its rows show "—").
--quick trains both pipelines with config_test.yml's DIET epochs, into models/eval/quick/
(its report goes there too, unless --report says otherwise). --skip-train reuses the models
and recorded training times of the previous run in models/eval/ (or models/eval/quick/).
While tuning, score the dev set instead of the test set:
--skip-train --questions eval/dev_questions.yml (report in models/eval/).
Per-question predictions go to models/eval/predictions.json (<stem>_predictions.json for
other question files).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import logging
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT  # noqa: E402  (imports no Rasa)

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("RASA_CACHE_DIRECTORY", str(PROJECT_ROOT / ".rasa" / "cache-eval"))
os.environ.setdefault(
    "RASA_MAX_CACHE_SIZE", "0"
)  # every training is forced: a cache would only fill the disk
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import yaml  # noqa: E402

from eval.bm25 import NameBM25  # noqa: E402
from procedures_kb.store import load_records  # noqa: E402

TEST_FILE = PROJECT_ROOT / "eval" / "test_questions.yml"
OFFICIAL_FILE = PROJECT_ROOT / "eval" / "official_name_questions.yml"  # issue #14, beside TEST_FILE
OFFICIAL_TARGETS = {"intent": 97.0, "procedure": 98.0}
NLU_DATA = PROJECT_ROOT / "nlu_data"
MODELS_DIR = PROJECT_ROOT / "models" / "eval"
REPORT = PROJECT_ROOT / "docs" / "evaluation.md"
TUNING_NOTES = PROJECT_ROOT / "eval" / "tuning_notes.md"
STYLES = ("accented", "unaccented", "informal")
COLUMNS = ("overall",) + STYLES
FALLBACK = "nlu_fallback"
DASH = "—"


@dataclass(frozen=True)
class Question:
    text: str
    intent: str
    procedure: str | None
    style: str


@dataclass(frozen=True)
class Pipeline:
    key: str  # model file name
    config: Path  # as given by the user (config.yml, config_baseline.yml)
    links_procedures: bool


@dataclass
class Trained:
    key: str
    seed: int  # DIET random_seed
    config: str  # what was trained: the config file and what the copy changed
    model: str
    epochs: int
    seconds: float


@dataclass
class Prediction:
    intent: str  # as served: nlu_fallback when below the FallbackClassifier threshold
    classifier_intent: str  # the classifier's own best intent
    procedure: str | None
    ambiguous: bool | None


PIPELINES = (
    Pipeline("ours", PROJECT_ROOT / "config.yml", links_procedures=True),
    Pipeline("baseline", PROJECT_ROOT / "config_baseline.yml", links_procedures=False),
)
QUICK_CONFIG = PROJECT_ROOT / "config_test.yml"
DEFAULT_SEEDS = (42, 43, 44)


# --- data --------------------------------------------------------------------------


def load_questions(path: Path = TEST_FILE) -> list[Question]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Question(
            text=str(item["text"]),
            intent=str(item["intent"]),
            procedure=str(item["procedure"]) if item.get("procedure") is not None else None,
            style=str(item["style"]),
        )
        for item in data["questions"]
    ]


def read_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def diet_epochs(config: dict[str, Any]) -> int:
    return next(
        int(c.get("epochs", 300)) for c in config["pipeline"] if c["name"] == "DIETClassifier"
    )


# --- training ----------------------------------------------------------------------


def training_config(pipeline: Pipeline, quick: bool, seed: int, scratch: Path) -> tuple[Path, str]:
    """A copy of the pipeline's config with DIET's random_seed set, and a label saying so.

    --quick: ours is config_test.yml; the baseline's DIET and ResponseSelector epochs are cut
    to config_test.yml's DIET epochs."""
    source = QUICK_CONFIG if quick and pipeline.links_procedures else pipeline.config
    config = read_yaml(source)
    changes = [f"random_seed {seed}"]
    if quick and not pipeline.links_procedures:
        epochs = diet_epochs(read_yaml(QUICK_CONFIG))
        for component in config["pipeline"]:
            if "epochs" in component:
                component["epochs"] = epochs
        changes.append(f"epochs cut to {epochs}")
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            component["random_seed"] = seed
    path = scratch / f"{source.stem}_seed{seed}.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, f"{_relative(source)}, {', '.join(changes)}"


def model_dir(quick: bool) -> Path:
    """Quick models live apart, so a quick run never replaces the full models or report."""
    return MODELS_DIR / "quick" if quick else MODELS_DIR


def train(pipeline: Pipeline, seed: int, quick: bool, output: Path) -> Trained:
    """Trains from scratch (force_full_training: a cache hit would fake the training time)."""
    from rasa.model_training import train_nlu

    with tempfile.TemporaryDirectory() as scratch:
        config, label = training_config(pipeline, quick, seed, Path(scratch))
        started = time.perf_counter()
        model = train_nlu(
            str(config),
            str(NLU_DATA),
            str(output),
            fixed_model_name=f"{pipeline.key}-seed{seed}",
            additional_arguments={"force_full_training": True},
        )
        seconds = time.perf_counter() - started
        epochs = diet_epochs(read_yaml(config))
    if not model:
        raise RuntimeError(f"training with {label} produced no model")
    return Trained(
        key=pipeline.key, seed=seed, config=label, model=model, epochs=epochs, seconds=seconds
    )


def train_all(
    quick: bool, seeds: Sequence[int], pipelines: Sequence[Pipeline] = PIPELINES
) -> list[Trained]:
    output = model_dir(quick)
    output.mkdir(parents=True, exist_ok=True)
    trained = [train(pipeline, seed, quick, output) for seed in seeds for pipeline in pipelines]
    meta = {"quick": quick, "date": _now(), "models": [asdict(model) for model in trained]}
    (output / "training.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return trained


def previous_training(quick: bool) -> list[Trained]:
    """The models and times recorded by the last training run (for --skip-train)."""
    meta_file = model_dir(quick) / "training.json"
    if not meta_file.exists():
        raise FileNotFoundError(f"{_relative(meta_file)} missing: run once without --skip-train")
    try:
        trained = [
            Trained(**model)
            for model in json.loads(meta_file.read_text(encoding="utf-8"))["models"]
        ]
    except TypeError as error:
        stale = f"{_relative(meta_file)} is from an older version: run once without --skip-train"
        raise FileNotFoundError(stale) from error
    missing = [model.model for model in trained if not Path(model.model).exists()]
    if missing:
        raise FileNotFoundError(f"models missing: {missing}")
    return trained


# --- prediction --------------------------------------------------------------------


async def predict(model: str, questions: Sequence[Question]) -> list[Prediction]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    return [_prediction(await agent.parse_message(question.text)) for question in questions]


def _prediction(parsed: dict[str, Any]) -> Prediction:
    intent = (parsed.get("intent") or {}).get("name") or ""
    ranking = [
        item["name"] for item in parsed.get("intent_ranking", []) if item["name"] != FALLBACK
    ]
    procedure = next(
        (e for e in parsed.get("entities", []) if e.get("entity") == "procedure"), None
    )
    return Prediction(
        intent=intent,
        classifier_intent=ranking[0] if ranking else intent,
        procedure=str(procedure["value"]) if procedure else None,
        ambiguous=procedure.get("ambiguous") if procedure else None,
    )


# --- scoring -----------------------------------------------------------------------

Cell = tuple[float, int] | None  # (percentage, number of questions); None: not applicable
Row = dict[str, Cell]
Table = dict[tuple[str, str], Row]  # (metric, system) -> row, in display order
Runs = dict[str, list[list[Prediction]]]  # pipeline key -> one prediction list per seed

INTENT, INTENT_RAW, PROCEDURE = (
    "Intent accuracy",
    "Intent accuracy, fallback ignored",
    "Procedure top-1",
)
AMBIGUOUS = "Procedure flagged ambiguous"
SPURIOUS = "Procedure entity on a no-procedure question (lower is better)"
OURS, BASELINE, BM25 = "config.yml", "config_baseline.yml", "plain BM25 over names"
# Unseeded retrainings of Rasa's default pipeline on nearly the same data differed by 4.6 points.
NOISE_POINTS = 3.0


def share(
    questions: Sequence[Question], hit: Callable[[int], bool], keep: Callable[[Question], bool]
) -> Row:
    """Percentage of kept questions (overall and per style) for which hit(index) holds."""
    row: Row = {}
    for column in COLUMNS:
        indices = [i for i, q in enumerate(questions) if keep(q) and column in ("overall", q.style)]
        row[column] = (
            (100 * sum(hit(i) for i in indices) / len(indices), len(indices)) if indices else None
        )
    return row


def mean_row(rows: Sequence[Row]) -> Row:
    """Column-wise mean of rows over the same questions (one row per seed)."""
    return {
        column: (sum(row[column][0] for row in rows) / len(rows), rows[0][column][1])
        if rows[0][column]
        else None
        for column in COLUMNS
    }


def has_procedure(question: Question) -> bool:
    return question.procedure is not None


def intent_row(questions: Sequence[Question], preds: list[Prediction], served: bool = True) -> Row:
    """Intent accuracy as served (nlu_fallback wrong) or of the classifier's best intent."""
    pick = (lambda p: p.intent) if served else (lambda p: p.classifier_intent)
    return share(questions, lambda i: pick(preds[i]) == questions[i].intent, lambda q: True)


def score_table(questions: Sequence[Question], runs: Runs, bm25: list[str | None]) -> Table:
    """Intent rows are means over the seeds; the linker does not depend on the seed, so the
    procedure rows come from the first one."""
    ours = runs["ours"][0]
    labelled = any(has_procedure(question) for question in questions)

    def no_procedure_labelled(question: Question) -> bool:
        """Only meaningful when the set labels procedures at all (the dev set does not)."""
        return labelled and not has_procedure(question)

    def intent(key: str, served: bool = True) -> Row:
        """The mean over the seeds; — when the pipeline was not trained (--without-baseline)."""
        if not runs.get(key):
            return {column: None for column in COLUMNS}
        return mean_row([intent_row(questions, preds, served) for preds in runs[key]])

    def procedure(predicted: Callable[[int], str | None]) -> Row:
        return share(questions, lambda i: predicted(i) == questions[i].procedure, has_procedure)

    return {
        (INTENT, OURS): intent("ours"),
        (INTENT, BASELINE): intent("baseline"),
        (INTENT_RAW, OURS): intent("ours", served=False),
        (INTENT_RAW, BASELINE): intent("baseline", served=False),
        (PROCEDURE, OURS): procedure(lambda i: ours[i].procedure),
        (PROCEDURE, BASELINE): {column: None for column in COLUMNS},
        (PROCEDURE, BM25): procedure(lambda i: bm25[i]),
        (AMBIGUOUS, OURS): share(questions, lambda i: bool(ours[i].ambiguous), has_procedure),
        (SPURIOUS, OURS): share(
            questions, lambda i: ours[i].procedure is not None, no_procedure_labelled
        ),
    }


def markdown_table(table: Table) -> str:
    def cell(value: Cell) -> str:
        return f"{value[0]:.1f} % ({value[1]})" if value else DASH

    lines = [
        "| metric | system | " + " | ".join(COLUMNS) + " |",
        "|---|---|" + "---|" * len(COLUMNS),
    ]
    lines += [
        f"| {metric} | {system} | " + " | ".join(cell(row[c]) for c in COLUMNS) + " |"
        for (metric, system), row in table.items()
    ]
    return "\n".join(lines)


def seed_scores(questions: Sequence[Question], runs: Runs) -> dict[str, list[float]]:
    """Overall intent accuracy (as served) of each seed's model, per pipeline key."""
    return {
        key: [intent_row(questions, preds)["overall"][0] for preds in per_seed]
        for key, per_seed in runs.items()
    }


def seed_table(trained: list[Trained], scores: dict[str, list[float]]) -> str:
    """Markdown: one row per seed with both pipelines' overall intent accuracy."""
    seeds = [model.seed for model in trained if model.key == "ours"]
    base = scores.get("baseline") or []

    def baseline(value: float | None) -> str:
        return f"{value:.1f} %" if value is not None else DASH

    lines = [f"| DIET random_seed | {OURS} | {BASELINE} |", "|---|---|---|"]
    for i, seed in enumerate(seeds):
        lines.append(
            f"| {seed} | {scores['ours'][i]:.1f} % | {baseline(base[i] if base else None)} |"
        )
    mean_base = baseline(_mean(base) if base else None)
    lines.append(f"| mean | {_mean(scores['ours']):.1f} % | {mean_base} |")
    return "\n".join(lines)


def target_checks(
    table: Table, trained: list[Trained], scores: dict[str, list[float]]
) -> list[str]:
    """The project's targets, each marked met or missed (intent: mean over the seeds)."""

    def value(metric: str, system: str, column: str = "overall") -> float:
        cell = table[(metric, system)][column]
        return cell[0] if cell else 0.0

    seconds = max(model.seconds for model in trained if model.key == "ours")
    seeds = len(scores["ours"])
    checks = [
        (f"intent accuracy ≥ 92 % (mean of {seeds} seeds)", value(INTENT, OURS) >= 92),
        ("config.yml trains in ≤ 5 min (slowest seed)", seconds <= 300),
    ]
    baseline = bool(scores.get("baseline"))
    if baseline:
        ahead = value(INTENT, OURS) > value(INTENT, BASELINE)
        checks.insert(1, ("intent accuracy ahead of Rasa's default pipeline", ahead))
    if table[(PROCEDURE, OURS)]["overall"]:
        checks[-1:-1] = [
            ("procedure top-1 ≥ 92 % overall", value(PROCEDURE, OURS) >= 92),
            (
                "procedure top-1 ≥ 85 % in every style",
                all(value(PROCEDURE, OURS, style) >= 85 for style in STYLES),
            ),
            (
                "procedure top-1 ahead of plain BM25",
                value(PROCEDURE, OURS) > value(PROCEDURE, BM25),
            ),
        ]
    lines = [f"- {'met' if ok else 'MISSED'}: {name}" for name, ok in checks]
    if baseline:
        lines[1] += _margin_note(value(INTENT, OURS) - value(INTENT, BASELINE), scores)
    else:
        lines.append(
            "- not checked: intent accuracy ahead of Rasa's default pipeline (--without-baseline)"
        )
    return lines


def _margin_note(margin: float, scores: dict[str, list[float]]) -> str:
    """Whether the margin stands out of the run-to-run noise."""
    ours, base = scores["ours"], scores["baseline"]
    if len(ours) == 1:
        noise = " within run-to-run noise" if abs(margin) < NOISE_POINTS else ""
        return f" (margin {margin:+.1f} points{':' if noise else ''}{noise})"
    spread = f"ours {min(ours):.1f}–{max(ours):.1f} %, baseline {min(base):.1f}–{max(base):.1f} %"
    verdict = (
        "every seed of ours above every seed of the baseline"
        if min(ours) > max(base)
        else "seed ranges overlap"
    )
    return f" (margin {margin:+.1f} points; {verdict}: {spread})"


def extra_set_section(path: Path, runs: Runs, bm25: NameBM25) -> tuple[str, list[str]]:
    """Markdown section for another question set scored with the same models, and its
    target lines (the official-name set's targets: OFFICIAL_TARGETS)."""
    questions = load_questions(path)
    table = score_table(questions, runs, [bm25.top1(question.text) for question in questions])
    intent, procedure = table[(INTENT, OURS)]["overall"], table[(PROCEDURE, OURS)]["overall"]
    targets = [
        f"- {'met' if intent and intent[0] >= OFFICIAL_TARGETS['intent'] else 'MISSED'}: "
        f"intent accuracy ≥ {OFFICIAL_TARGETS['intent']:.0f} % (mean of the seeds)",
        f"- {'met' if procedure and procedure[0] >= OFFICIAL_TARGETS['procedure'] else 'MISSED'}: "
        f"procedure top-1 ≥ {OFFICIAL_TARGETS['procedure']:.0f} %",
    ]
    seeds = ", ".join(f"{score:.1f} %" for score in seed_scores(questions, runs)["ours"])
    procedures = len({question.procedure for question in questions})
    confusions = intent_confusions(questions, runs["ours"])
    failures = linker_failures(questions, runs["ours"][0])
    section = f"""## Official-name set: `{_relative(path)}` (held out: never trained or tuned on)

{len(questions)} questions quoting {procedures} catalogue procedures by their official names (issue #14; how it was written: below). Same models as above.

{markdown_table(table)}

Overall intent accuracy of config.yml per seed: {seeds}.

Targets:

{chr(10).join(targets)}

Intent errors of config.yml (expected → predicted, summed over the seeds):

{chr(10).join(confusions) or "(none)"}

Procedure-linking errors of config.yml:

{chr(10).join(failures) or "(none)"}
"""
    return section, targets


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def linker_failures(questions: Sequence[Question], ours: list[Prediction]) -> list[str]:
    """Markdown lines for each question whose procedure the linker got wrong."""
    if not any(has_procedure(question) for question in questions):
        return ["(this question set labels no procedures)"]
    names = {code: record["name"] for code, record in load_records().items()}
    lines = []
    for question, prediction in zip(questions, ours, strict=False):
        if prediction.procedure == question.procedure:
            continue
        expected = (
            f"{question.procedure} {names.get(question.procedure or '', '')}"
            if question.procedure
            else "none"
        )
        got = (
            f"{prediction.procedure} {names.get(prediction.procedure or '', '')}"
            if prediction.procedure
            else "none"
        )
        flag = " (ambiguous)" if prediction.ambiguous else ""
        lines.append(
            f"- [{question.style}] “{question.text}” — expected {_cut(expected)}; got {_cut(got)}{flag}"
        )
    return lines


def intent_confusions(questions: Sequence[Question], per_seed: list[list[Prediction]]) -> list[str]:
    """Markdown lines "expected → predicted: count" summed over the seeds, most frequent first."""
    counts: dict[tuple[str, str], int] = {}
    for preds in per_seed:
        for question, prediction in zip(questions, preds, strict=False):
            if prediction.intent != question.intent:
                key = (question.intent, prediction.intent)
                counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [f"- {expected} → {got}: {count}" for (expected, got), count in ordered]


# --- report ------------------------------------------------------------------------


def render(
    trained: list[Trained],
    table: str,
    seeds: str,
    targets: list[str],
    failures: list[str],
    confusions: list[str],
    args: argparse.Namespace,
    extra: Sequence[str] = (),
) -> str:
    models = "\n".join(
        f"| {model.key} | {model.config} | {model.epochs} | {model.seconds:.0f} s |"
        for model in trained
    )
    seed_count = len({model.seed for model in trained})
    notes = TUNING_NOTES.read_text(encoding="utf-8").strip() if TUNING_NOTES.exists() else "(none)"
    command = (
        " ".join(["eval.evaluate"] + sys.argv[1:]) if __name__ == "__main__" else "eval.evaluate"
    )
    held_out = " (held out: never used for training)" if args.questions == TEST_FILE else ""
    quick = (
        "\n--quick: the config.yml rows come from config_test.yml, see the models table."
        if args.quick
        else ""
    )
    reused = (
        " (--skip-train: models and times of the previous training run)" if args.skip_train else ""
    )
    return f"""# NLU evaluation on `{_relative(args.questions)}`

Generated by `.venv/bin/python -m {command}` on {_now()}, on the project's 2-core machine.
Questions: `{_relative(args.questions)}`{held_out}.
Training data: `nlu_data/` ({_training_examples()} examples).{quick}

## Models{reused}

| model | trained config (a copy with these changes) | DIET epochs | training time (NLU only, no cache) |
|---|---|---|---|
{models}

## Results

Cells: percentage (number of questions). Intent rows are the mean over {seed_count} DIET random
seed(s), one model each (per seed below). Intent accuracy counts `nlu_fallback` as wrong, as the
bot acts on it; "fallback ignored" scores the classifier's best intent. Procedure top-1 is over
the questions with a labelled procedure: the `procedure` entity's value must equal the label
(no entity counts as wrong). Rasa's default pipeline links no procedure (—). Plain BM25 ranks
the 2,642 catalogue names (diacritic-folded syllables; no aliases, stopwords, typo correction
or abbreviation expansion) with the whole question as query.

{table}

Overall intent accuracy of each seed's model:

{seeds}

Targets (training time measured on a shared machine; other jobs can slow it down):

{chr(10).join(targets)}

{chr(10).join(extra)}
## Tuning notes

{notes}

## Intent errors of config.yml (expected → predicted, summed over the seeds)

{chr(10).join(confusions) or "(none)"}

## Procedure-linking errors of config.yml

{chr(10).join(failures) or "(none)"}
"""


def _training_examples() -> int:
    """Intent examples in nlu_data/ (which may also hold rules and stories: NLU files only)."""
    from rasa.shared.data import get_data_files, is_nlu_file
    from rasa.shared.nlu.training_data.loading import load_data

    return sum(
        len(load_data(path).intent_examples)
        for path in get_data_files([str(NLU_DATA)], is_nlu_file)
    )


def _cut(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _now() -> str:
    return datetime.datetime.now().strftime("%Y-%m-%d %H:%M")


def _relative(path: Path | str) -> str:
    path = Path(path)
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


# --- main --------------------------------------------------------------------------


def quiet_rasa() -> None:
    """Rasa's structlog prints every parse at debug level unless configured (its CLI does);
    its dependencies' deprecation warnings say nothing about this evaluation."""
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seeds",
        type=_seed_list,
        default=DEFAULT_SEEDS,
        help="DIET random seeds, one model per pipeline each (default: 42,43,44)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="few epochs (config_test.yml's) for both pipelines"
    )
    parser.add_argument(
        "--without-baseline",
        action="store_true",
        help="train only config.yml (Rasa's default pipeline takes about 15 min per seed)",
    )
    parser.add_argument(
        "--skip-train", action="store_true", help="reuse the models of the last run in models/eval/"
    )
    parser.add_argument(
        "--questions",
        type=Path,
        default=TEST_FILE,
        help="questions to score, e.g. eval/dev_questions.yml while tuning",
    )
    parser.add_argument(
        "--also",
        type=Path,
        action="append",
        help="another question set scored with the same models (default with the test set: "
        "eval/official_name_questions.yml)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        help="markdown output (default: docs/evaluation.md for a full run on the test set)",
    )
    args = parser.parse_args(argv)
    args.questions = args.questions.resolve()
    if args.also is None:
        args.also = [OFFICIAL_FILE] if args.questions == TEST_FILE else []
    args.also = [path.resolve() for path in args.also]
    if args.report is None:
        official = args.questions == TEST_FILE and not args.quick
        args.report = (
            REPORT if official else model_dir(args.quick) / f"{args.questions.stem}_evaluation.md"
        )
    return args


def _seed_list(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"seeds are whole numbers separated by commas, not {text!r}"
        ) from None
    if len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"a seed is repeated in {text!r}")
    return seeds


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_rasa()
    questions = load_questions(args.questions)
    pipelines = PIPELINES[:1] if args.without_baseline else PIPELINES
    if args.skip_train:
        trained = previous_training(args.quick)
    else:
        trained = train_all(args.quick, args.seeds, pipelines)
    predicted = [(model, asyncio.run(predict(model.model, questions))) for model in trained]
    runs: Runs = {
        pipeline.key: [preds for model, preds in predicted if model.key == pipeline.key]
        for pipeline in PIPELINES
    }
    bm25 = NameBM25.from_catalogue()
    bm25_top1 = [bm25.top1(question.text) for question in questions]
    scores, per_seed = score_table(questions, runs, bm25_top1), seed_scores(questions, runs)
    table, seeds = markdown_table(scores), seed_table(trained, per_seed)
    targets = target_checks(scores, trained, per_seed)
    dump_name = (
        "predictions.json"
        if args.questions == TEST_FILE
        else f"{args.questions.stem}_predictions.json"
    )
    dump = model_dir(args.quick) / dump_name
    _dump(dump, questions, predicted, bm25_top1)
    failures, confusions = (
        linker_failures(questions, runs["ours"][0]),
        intent_confusions(questions, runs["ours"]),
    )
    extra = [_score_also(path, trained, bm25, args.quick) for path in args.also]
    sections = [section for section, _ in extra]
    report = render(trained, table, seeds, targets, failures, confusions, args, sections)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report, encoding="utf-8")
    print(
        "\n".join(
            f"{m.key}: {m.config}, {m.epochs} epochs, trained in {m.seconds:.0f} s" for m in trained
        )
    )
    print(table)
    print(seeds)
    print("\n".join(targets))
    for path, (_, also_targets) in zip(args.also, extra, strict=True):
        print(f"{_relative(path)}:\n" + "\n".join(also_targets))
    print(f"written: {_relative(args.report)}; predictions: {_relative(dump)}")
    return 0


def _score_also(
    path: Path, trained: list[Trained], bm25: NameBM25, quick: bool
) -> tuple[str, list[str]]:
    """Parses another question set with every trained model; its report section and targets."""
    questions = load_questions(path)
    predicted = [(model, asyncio.run(predict(model.model, questions))) for model in trained]
    runs: Runs = {
        pipeline.key: [preds for model, preds in predicted if model.key == pipeline.key]
        for pipeline in PIPELINES
    }
    top1 = [bm25.top1(question.text) for question in questions]
    _dump(model_dir(quick) / f"{path.stem}_predictions.json", questions, predicted, top1)
    return extra_set_section(path, runs, bm25)


def _dump(
    path: Path,
    questions: Sequence[Question],
    predicted: list[tuple[Trained, list[Prediction]]],
    bm25: list[str | None],
) -> None:
    """Per question: its labels, each model's prediction (key "ours-seed42", …) and BM25's."""
    by_model = {Path(model.model).name.removesuffix(".tar.gz"): preds for model, preds in predicted}
    rows = [
        {
            **asdict(question),
            **{name: asdict(preds[index]) for name, preds in by_model.items()},
            "bm25": bm25[index],
        }
        for index, question in enumerate(questions)
    ]
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
