"""Where the wording lives: domain.yml responses for static replies, `bot.wording` for what code
builds. No dangling names either way, every {variable} filled, and the survey in domain.yml
equal to `SURVEY_CRITERIA`."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.survey import CRITERION_SLOTS
from bot import payloads, wording
from bot.db.models import CRITERION_COLUMNS, SurveyResponse
from bot.settings import PROJECT_ROOT
from bot.wording import SATISFACTION_LABELS, SURVEY_CRITERIA

DOMAIN: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
RULES_FILE = PROJECT_ROOT / "nlu_data" / "rules.yml"
RULES: dict[str, Any] = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
RESPONSES: dict[str, list[dict[str, Any]]] = DOMAIN["responses"]
CODE_DIRS = ("actions", "bot", "procedures_kb")
SURVEY_QUESTIONS = len(SURVEY_CRITERIA) + 2  # the overall question, the criteria, the comment


def code_files() -> Iterator[Path]:
    for folder in CODE_DIRS:
        yield from (p for p in (PROJECT_ROOT / folder).rglob("*.py") if "migrations" not in p.parts)


def parsed() -> Iterator[ast.AST]:
    """Every node of the code's syntax trees."""
    for path in code_files():
        yield from ast.walk(ast.parse(path.read_text(encoding="utf-8")))


def _names(node: ast.expr, local: dict[str, ast.expr]) -> list[str]:
    """The response names a `response=` argument can take: a string, either side of
    `a if c else b`, a local variable holding one, or the values of the table it is looked up in."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _names(node.body, local) + _names(node.orelse, local)
    if isinstance(node, ast.Name) and node.id in local:
        return _names(local[node.id], local)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        return _mapping_values(node.value.id)
    return []


def _mapping_values(name: str) -> list[str]:
    """The strings of a module-level dict named `name` (a table of responses by outcome)."""
    for node in parsed():
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Dict)
            and any(isinstance(target, ast.Name) and target.id == name for target in node.targets)
        ):
            return [v.value for v in node.value.values if isinstance(v, ast.Constant)]
    return []


def uttered() -> dict[str, set[str]]:
    """Response name -> the values passed with it, over every `utter_message(response=…)`."""
    found: dict[str, set[str]] = {}
    for function in (n for n in parsed() if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
        local = {
            node.targets[0].id: node.value
            for node in ast.walk(function)
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        }
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "utter_message":
                keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
                for name in _names(keywords["response"], local) if "response" in keywords else []:
                    found.setdefault(name, set()).update(set(keywords) - {"response", "buttons"})
    return found


def named_in_code() -> set[str]:
    """Every "utter_…" string in the code, also those passed along before being said."""
    return {
        node.value
        for node in parsed()
        if isinstance(node, ast.Constant) and str(node.value).startswith("utter_")
    }


def form_asked() -> set[str]:
    """utter_ask_<slot> responses a form asks by itself (no action_ask_<slot> in the domain)."""
    actions = set(DOMAIN["actions"])
    slots = {slot for form in DOMAIN["forms"].values() for slot in form["required_slots"]}
    return {f"utter_ask_{slot}" for slot in slots if f"action_ask_{slot}" not in actions}


def in_rules() -> set[str]:
    return {
        step["action"]
        for rule in RULES["rules"]
        for step in rule["steps"]
        if "action" in step and step["action"].startswith("utter_")
    }


def variables(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_response_is_said_somewhere() -> None:
    used = named_in_code() | form_asked() | in_rules()
    assert sorted(set(RESPONSES) - used) == []


def test_every_response_the_code_or_rules_name_exists() -> None:
    assert sorted((named_in_code() | in_rules() | form_asked()) - set(RESPONSES)) == []


def test_every_variable_of_a_response_is_passed_or_a_slot() -> None:
    slots = set(DOMAIN["slots"])
    passed = uttered()
    for name, variants in RESPONSES.items():
        for variant in variants:
            known = passed.get(name, set()) | (slots if name in form_asked() else set())
            assert variables(variant["text"]) <= known, name


def test_the_checks_see_the_calls() -> None:
    """The static scan above finds what it must (it would pass vacuously otherwise)."""
    passed = uttered()
    assert passed["utter_lookup_locked"] == {"until", "hotline"}
    assert passed["utter_unsubscribed_many"] == {"codes"} and passed["utter_subscribed"] == {"code"}
    assert {"utter_survey_comment", "utter_survey_comment_general"} <= set(passed)
    assert "utter_ask_survey_trips" in form_asked()
    assert "utter_ask_survey_overall" not in form_asked()


def test_every_template_of_the_wording_module_is_used() -> None:
    sources = "\n".join(
        path.read_text(encoding="utf-8") for path in code_files() if path.name != "wording.py"
    )
    templates = [name for name in vars(wording) if name.isupper() and not name.startswith("_")]
    assert len(templates) > 20
    unused = [name for name in templates if not re.search(rf"\b{name}\b", sources)]
    assert unused == []


def test_no_citizen_text_is_built_in_the_actions() -> None:
    """Replies go through `response=` (or a `bot.wording` template), never a literal `text=`."""
    for path in (PROJECT_ROOT / "actions").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "utter_message":
                text = next((k.value for k in node.keywords if k.arg == "text"), None)
                literal = isinstance(text, (ast.Constant, ast.JoinedStr))
                assert not literal, f"{path.name}:{node.lineno}"


# --- one greeting, one yes/no convention ---------------------------------------------------


def test_the_greeting_buttons_send_what_the_commands_send() -> None:
    payloads_sent = [button["payload"] for button in RESPONSES["utter_greet"][0]["buttons"]]
    assert payloads_sent == [payloads.STATUS_LOOKUP_REQUEST, payloads.SURVEY_REQUEST]


def test_yes_and_no_buttons_send_affirm_and_deny() -> None:
    yes_no = [
        (button["title"], button["payload"])
        for variants in RESPONSES.values()
        for variant in variants
        for button in variant.get("buttons", [])
        if button["title"] in ("Có", "Không")
    ]
    assert len(yes_no) >= 6 and set(yes_no) == {("Có", "/affirm"), ("Không", "/deny")}


# --- the survey: SURVEY_CRITERIA is the one definition ------------------------------------

CRITERION_SLOT_NAMES = [f"survey_{criterion.key}" for criterion in SURVEY_CRITERIA]


def test_survey_slots_and_form_follow_the_criteria() -> None:
    assert list(CRITERION_SLOTS.values()) == CRITERION_SLOT_NAMES
    required = DOMAIN["forms"]["survey_form"]["required_slots"]
    assert required == ["survey_update", "survey_overall", *CRITERION_SLOT_NAMES, "survey_comment"]
    answer_slots = {slot for slot in DOMAIN["slots"] if slot.startswith("survey_")} - {
        "survey_offered",
        "survey_dossier",
        "survey_rated_before",
        "survey_pending",
        "survey_stop",
    }
    assert answer_slots == set(required)


@pytest.mark.parametrize("number, criterion", list(enumerate(SURVEY_CRITERIA, 2)))
def test_each_criterion_is_asked_with_its_choices_in_order(number: int, criterion: Any) -> None:
    [response] = RESPONSES[f"utter_ask_survey_{criterion.key}"]
    assert response["text"].startswith(f"Câu {number}/{SURVEY_QUESTIONS} — {criterion.question}:")
    labels = list(criterion.choices.values())
    assert [(b["title"], b["payload"]) for b in response["buttons"]] == list(
        zip(labels, labels, strict=True)
    )


def test_overall_comment_and_start_count_the_same_questions() -> None:
    levels = list(SATISFACTION_LABELS.values())
    for name in ("utter_survey_overall", "utter_survey_overall_general"):
        buttons = RESPONSES[name][0]["buttons"]
        assert [(b["title"], b["payload"]) for b in buttons] == list(
            zip(levels, levels, strict=True)
        )
    first, last = RESPONSES["utter_survey_overall"][0], RESPONSES["utter_survey_comment"][0]
    assert first["text"].startswith(f"Câu 1/{SURVEY_QUESTIONS} — ")
    assert last["text"].startswith(f"Câu {SURVEY_QUESTIONS}/{SURVEY_QUESTIONS} — ")
    assert f"gồm {SURVEY_QUESTIONS} câu" in RESPONSES["utter_survey_start"][0]["text"]


def test_database_columns_follow_the_criteria() -> None:
    assert list(CRITERION_COLUMNS) == [criterion.key for criterion in SURVEY_CRITERIA]
    assert all(key in SurveyResponse.__table__.c for key in CRITERION_COLUMNS)
