"""Held-out evaluation: our NLU pipeline vs Rasa's default pipeline vs plain BM25 over names.

    .venv/bin/python -m eval.evaluate [--quick] [--skip-train] [--questions FILE] [--report FILE]

Trains NLU-only models from nlu_data/ with config.yml and config_baseline.yml (force, no
training cache, so the times are real), parses the 240 questions of eval/test_questions.yml
and prints (and writes to docs/evaluation.md):
- intent accuracy, as the bot would act on it (nlu_fallback counts as wrong), overall and
  per style;
- procedure top-1 on the questions naming a procedure: the `procedure` entity's value
  equals the label (no entity counts as wrong). Rasa's default pipeline links nothing ("—");
- plain BM25 over procedure names (eval/bm25.py), same questions;
- the share of no-procedure questions that nevertheless get a procedure entity.
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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))  # models name their components by module path (bot.nlu...)
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("RASA_CACHE_DIRECTORY", str(PROJECT / ".rasa" / "cache-eval"))
os.environ.setdefault("RASA_MAX_CACHE_SIZE", "0")  # every training is forced: a cache would only fill the disk
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import yaml  # noqa: E402

from eval.bm25 import NameBM25  # noqa: E402
from procedures_kb.store import load_records  # noqa: E402

TEST_FILE = PROJECT / "eval" / "test_questions.yml"
NLU_DATA = PROJECT / "nlu_data"
MODELS_DIR = PROJECT / "models" / "eval"
REPORT = PROJECT / "docs" / "evaluation.md"
TUNING_NOTES = PROJECT / "eval" / "tuning_notes.md"
STYLES = ("accented", "unaccented", "informal")
COLUMNS = ("overall",) + STYLES
FALLBACK = "nlu_fallback"
DASH = "—"


@dataclass(frozen=True)
class Question:
    text: str
    intent: str
    procedure: Optional[str]
    style: str


@dataclass(frozen=True)
class Pipeline:
    key: str  # model file name
    config: Path  # as given by the user (config.yml, config_baseline.yml)
    links_procedures: bool


@dataclass
class Trained:
    key: str
    config: str  # config file actually trained (a temporary copy for --quick baseline)
    model: str
    epochs: int
    seconds: float


@dataclass
class Prediction:
    intent: str  # as served: nlu_fallback when below the FallbackClassifier threshold
    classifier_intent: str  # the classifier's own best intent
    procedure: Optional[str]
    ambiguous: Optional[bool]


PIPELINES = (
    Pipeline("ours", PROJECT / "config.yml", links_procedures=True),
    Pipeline("baseline", PROJECT / "config_baseline.yml", links_procedures=False),
)
QUICK_CONFIG = PROJECT / "config_test.yml"


# --- data --------------------------------------------------------------------------


def load_questions(path: Path = TEST_FILE) -> List[Question]:
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


def read_yaml(path: Path) -> Dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def diet_epochs(config: Dict[str, Any]) -> int:
    return next(int(c.get("epochs", 300)) for c in config["pipeline"] if c["name"] == "DIETClassifier")


# --- training ----------------------------------------------------------------------


def training_config(pipeline: Pipeline, quick: bool, scratch: Path) -> Path:
    """The config file to train: config_test.yml for ours in --quick mode; for the baseline a
    copy whose DIET and ResponseSelector epochs are cut to config_test.yml's DIET epochs."""
    if not quick:
        return pipeline.config
    if pipeline.links_procedures:
        return QUICK_CONFIG
    epochs = diet_epochs(read_yaml(QUICK_CONFIG))
    config = read_yaml(pipeline.config)
    for component in config["pipeline"]:
        if "epochs" in component:
            component["epochs"] = epochs
    path = scratch / f"quick_{pipeline.config.name}"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def model_dir(quick: bool) -> Path:
    """Quick models live apart, so a quick run never replaces the full models or report."""
    return MODELS_DIR / "quick" if quick else MODELS_DIR


def train(pipeline: Pipeline, config: Path, output: Path = MODELS_DIR) -> Trained:
    """Trains from scratch (force_full_training: a cache hit would fake the training time)."""
    from rasa.model_training import train_nlu

    started = time.perf_counter()
    model = train_nlu(
        str(config),
        str(NLU_DATA),
        str(output),
        fixed_model_name=pipeline.key,
        additional_arguments={"force_full_training": True},
    )
    seconds = time.perf_counter() - started
    if not model:
        raise RuntimeError(f"training with {config} produced no model")
    epochs = diet_epochs(read_yaml(config))
    label = _relative(config) if config.is_relative_to(PROJECT) else f"{pipeline.config.name}, epochs cut to {epochs}"
    return Trained(key=pipeline.key, config=label, model=model, epochs=epochs, seconds=seconds)


def train_all(quick: bool) -> List[Trained]:
    output = model_dir(quick)
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        trained = [train(pipeline, training_config(pipeline, quick, Path(scratch)), output) for pipeline in PIPELINES]
    meta = {"quick": quick, "date": _now(), "models": [asdict(model) for model in trained]}
    (output / "training.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return trained


def previous_training(quick: bool) -> List[Trained]:
    """The models and times recorded by the last training run (for --skip-train)."""
    meta_file = model_dir(quick) / "training.json"
    if not meta_file.exists():
        raise FileNotFoundError(f"{_relative(meta_file)} missing: run once without --skip-train")
    trained = [Trained(**model) for model in json.loads(meta_file.read_text(encoding="utf-8"))["models"]]
    missing = [model.model for model in trained if not Path(model.model).exists()]
    if missing:
        raise FileNotFoundError(f"models missing: {missing}")
    return trained


# --- prediction --------------------------------------------------------------------


async def predict(model: str, questions: Sequence[Question]) -> List[Prediction]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    return [_prediction(await agent.parse_message(question.text)) for question in questions]


def _prediction(parsed: Dict[str, Any]) -> Prediction:
    intent = (parsed.get("intent") or {}).get("name") or ""
    ranking = [item["name"] for item in parsed.get("intent_ranking", []) if item["name"] != FALLBACK]
    procedure = next((e for e in parsed.get("entities", []) if e.get("entity") == "procedure"), None)
    return Prediction(
        intent=intent,
        classifier_intent=ranking[0] if ranking else intent,
        procedure=str(procedure["value"]) if procedure else None,
        ambiguous=procedure.get("ambiguous") if procedure else None,
    )


# --- scoring -----------------------------------------------------------------------

Cell = Optional[Tuple[float, int]]  # (percentage, number of questions); None: not applicable
Row = Dict[str, Cell]
Table = Dict[Tuple[str, str], Row]  # (metric, system) -> row, in display order

INTENT, INTENT_RAW, PROCEDURE = "Intent accuracy", "Intent accuracy, fallback ignored", "Procedure top-1"
AMBIGUOUS = "Procedure flagged ambiguous"
SPURIOUS = "Procedure entity on a no-procedure question (lower is better)"
OURS, BASELINE, BM25 = "config.yml", "config_baseline.yml", "plain BM25 over names"
# Unseeded retrainings of Rasa's default pipeline on nearly the same data differed by 4.6 points.
NOISE_POINTS = 3.0


def share(questions: Sequence[Question], hit: Callable[[int], bool], keep: Callable[[Question], bool]) -> Row:
    """Percentage of kept questions (overall and per style) for which hit(index) holds."""
    row: Row = {}
    for column in COLUMNS:
        indices = [i for i, q in enumerate(questions) if keep(q) and column in ("overall", q.style)]
        row[column] = (100 * sum(hit(i) for i in indices) / len(indices), len(indices)) if indices else None
    return row


def has_procedure(question: Question) -> bool:
    return question.procedure is not None


def score_table(
    questions: Sequence[Question], predictions: Dict[str, List[Prediction]], bm25: List[Optional[str]]
) -> Table:
    ours, base = predictions["ours"], predictions["baseline"]
    labelled = any(has_procedure(question) for question in questions)

    def no_procedure_labelled(question: Question) -> bool:
        """Only meaningful when the set labels procedures at all (the dev set does not)."""
        return labelled and not has_procedure(question)

    def intent(preds: List[Prediction], served: bool = True) -> Row:
        pick = (lambda p: p.intent) if served else (lambda p: p.classifier_intent)
        return share(questions, lambda i: pick(preds[i]) == questions[i].intent, lambda q: True)

    def procedure(predicted: Callable[[int], Optional[str]]) -> Row:
        return share(questions, lambda i: predicted(i) == questions[i].procedure, has_procedure)

    return {
        (INTENT, OURS): intent(ours),
        (INTENT, BASELINE): intent(base),
        (INTENT_RAW, OURS): intent(ours, served=False),
        (INTENT_RAW, BASELINE): intent(base, served=False),
        (PROCEDURE, OURS): procedure(lambda i: ours[i].procedure),
        (PROCEDURE, BASELINE): {column: None for column in COLUMNS},
        (PROCEDURE, BM25): procedure(lambda i: bm25[i]),
        (AMBIGUOUS, OURS): share(questions, lambda i: bool(ours[i].ambiguous), has_procedure),
        (SPURIOUS, OURS): share(questions, lambda i: ours[i].procedure is not None, no_procedure_labelled),
    }


def markdown_table(table: Table) -> str:
    def cell(value: Cell) -> str:
        return f"{value[0]:.1f} % ({value[1]})" if value else DASH

    lines = ["| metric | system | " + " | ".join(COLUMNS) + " |", "|---|---|" + "---|" * len(COLUMNS)]
    lines += [
        f"| {metric} | {system} | " + " | ".join(cell(row[c]) for c in COLUMNS) + " |"
        for (metric, system), row in table.items()
    ]
    return "\n".join(lines)


def target_checks(table: Table, trained: List[Trained]) -> List[str]:
    """The project's targets, each marked met or missed."""

    def value(metric: str, system: str, column: str = "overall") -> float:
        cell = table[(metric, system)][column]
        return cell[0] if cell else 0.0

    seconds = next(model.seconds for model in trained if model.key == "ours")
    checks = [
        ("intent accuracy ≥ 92 %", value(INTENT, OURS) >= 92),
        ("intent accuracy ahead of Rasa's default pipeline", value(INTENT, OURS) > value(INTENT, BASELINE)),
        ("config.yml trains in ≤ 5 min", seconds <= 300),
    ]
    if table[(PROCEDURE, OURS)]["overall"]:
        checks[2:2] = [
            ("procedure top-1 ≥ 92 % overall", value(PROCEDURE, OURS) >= 92),
            ("procedure top-1 ≥ 85 % in every style", all(value(PROCEDURE, OURS, style) >= 85 for style in STYLES)),
            ("procedure top-1 ahead of plain BM25", value(PROCEDURE, OURS) > value(PROCEDURE, BM25)),
        ]
    lines = [f"- {'met' if ok else 'MISSED'}: {name}" for name, ok in checks]
    margin = value(INTENT, OURS) - value(INTENT, BASELINE)
    if abs(margin) < NOISE_POINTS:
        lines[1] += f" (margin {margin:+.1f} points: within run-to-run noise)"
    return lines


def linker_failures(questions: Sequence[Question], ours: List[Prediction]) -> List[str]:
    """Markdown lines for each question whose procedure the linker got wrong."""
    if not any(has_procedure(question) for question in questions):
        return ["(this question set labels no procedures)"]
    names = {code: record["name"] for code, record in load_records().items()}
    lines = []
    for question, prediction in zip(questions, ours):
        if prediction.procedure == question.procedure:
            continue
        expected = f"{question.procedure} {names.get(question.procedure or '', '')}" if question.procedure else "none"
        got = f"{prediction.procedure} {names.get(prediction.procedure or '', '')}" if prediction.procedure else "none"
        flag = " (ambiguous)" if prediction.ambiguous else ""
        lines.append(f"- [{question.style}] “{question.text}” — expected {_cut(expected)}; got {_cut(got)}{flag}")
    return lines


def intent_confusions(questions: Sequence[Question], preds: List[Prediction]) -> List[str]:
    """Markdown lines "expected → predicted: count", most frequent first."""
    counts: Dict[tuple[str, str], int] = {}
    for question, prediction in zip(questions, preds):
        if prediction.intent != question.intent:
            key = (question.intent, prediction.intent)
            counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [f"- {expected} → {got}: {count}" for (expected, got), count in ordered]


# --- report ------------------------------------------------------------------------


def render(
    trained: List[Trained],
    table: str,
    targets: List[str],
    failures: List[str],
    confusions: List[str],
    args: argparse.Namespace,
) -> str:
    models = "\n".join(
        f"| {model.key} | `{model.config}` | {model.epochs} | {model.seconds:.0f} s |" for model in trained
    )
    notes = TUNING_NOTES.read_text(encoding="utf-8").strip() if TUNING_NOTES.exists() else "(none)"
    command = " ".join(["eval.evaluate"] + sys.argv[1:]) if __name__ == "__main__" else "eval.evaluate"
    held_out = " (held out: never used for training)" if args.questions == TEST_FILE else ""
    quick = "\n--quick: the config.yml rows come from config_test.yml, see the models table." if args.quick else ""
    reused = " (--skip-train: models and times of the previous training run)" if args.skip_train else ""
    return f"""# NLU evaluation on `{_relative(args.questions)}`

Generated by `.venv/bin/python -m {command}` on {_now()}, on the project's 2-core machine.
Questions: `{_relative(args.questions)}`{held_out}.
Training data: `nlu_data/` ({_training_examples()} examples).{quick}

## Models{reused}

| model | config | DIET epochs | training time (NLU only, no cache) |
|---|---|---|---|
{models}

## Results

Cells: percentage (number of questions). Intent accuracy counts `nlu_fallback` as wrong, as the
bot acts on it; "fallback ignored" scores the classifier's best intent. Procedure top-1 is over
the questions with a labelled procedure: the `procedure` entity's value must equal the label
(no entity counts as wrong). Rasa's default pipeline links no procedure (—). Plain BM25 ranks
the 2,642 catalogue names (diacritic-folded syllables; no aliases, stopwords, typo correction
or abbreviation expansion) with the whole question as query.

{table}

Targets (training time measured on a shared machine; other jobs can slow it down):

{chr(10).join(targets)}

## Tuning notes

{notes}

## Intent errors of config.yml (expected → predicted)

{chr(10).join(confusions) or "(none)"}

## Procedure-linking errors of config.yml

{chr(10).join(failures) or "(none)"}
"""


def _training_examples() -> int:
    """Intent examples in nlu_data/ (which may also hold rules and stories: NLU files only)."""
    from rasa.shared.data import get_data_files, is_nlu_file
    from rasa.shared.nlu.training_data.loading import load_data

    return sum(len(load_data(path).intent_examples) for path in get_data_files([str(NLU_DATA)], is_nlu_file))


def _cut(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _now() -> str:
    return datetime.datetime.now().strftime("%Y-%m-%d %H:%M")


def _relative(path: Path | str) -> str:
    path = Path(path)
    return str(path.relative_to(PROJECT)) if path.is_relative_to(PROJECT) else str(path)


# --- main --------------------------------------------------------------------------


def quiet_rasa() -> None:
    """Rasa's structlog prints every parse at debug level unless configured (its CLI does);
    its dependencies' deprecation warnings say nothing about this evaluation."""
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few epochs (config_test.yml's) for both pipelines")
    parser.add_argument("--skip-train", action="store_true", help="reuse the models of the last run in models/eval/")
    parser.add_argument(
        "--questions", type=Path, default=TEST_FILE, help="questions to score, e.g. eval/dev_questions.yml while tuning"
    )
    parser.add_argument(
        "--report", type=Path, help="markdown output (default: docs/evaluation.md for a full run on the test set)"
    )
    args = parser.parse_args(argv)
    args.questions = args.questions.resolve()
    if args.report is None:
        official = args.questions == TEST_FILE and not args.quick
        args.report = REPORT if official else model_dir(args.quick) / f"{args.questions.stem}_evaluation.md"
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    quiet_rasa()
    questions = load_questions(args.questions)
    trained = previous_training(args.quick) if args.skip_train else train_all(args.quick)
    predictions = {model.key: asyncio.run(predict(model.model, questions)) for model in trained}
    bm25 = NameBM25.from_catalogue()
    bm25_top1 = [bm25.top1(question.text) for question in questions]
    scores = score_table(questions, predictions, bm25_top1)
    table, targets = markdown_table(scores), target_checks(scores, trained)
    dump_name = "predictions.json" if args.questions == TEST_FILE else f"{args.questions.stem}_predictions.json"
    dump = model_dir(args.quick) / dump_name
    _dump(dump, questions, predictions, bm25_top1)
    ours = predictions["ours"]
    failures, confusions = linker_failures(questions, ours), intent_confusions(questions, ours)
    report = render(trained, table, targets, failures, confusions, args)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report, encoding="utf-8")
    print("\n".join(f"{m.key}: {m.config}, {m.epochs} epochs, trained in {m.seconds:.0f} s" for m in trained))
    print(table)
    print("\n".join(targets))
    print(f"written: {_relative(args.report)}; predictions: {_relative(dump)}")
    return 0


def _dump(
    path: Path, questions: Sequence[Question], predictions: Dict[str, List[Prediction]], bm25: List[Optional[str]]
) -> None:
    rows = [
        {**asdict(question), **{key: asdict(preds[index]) for key, preds in predictions.items()}, "bm25": bm25[index]}
        for index, question in enumerate(questions)
    ]
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
