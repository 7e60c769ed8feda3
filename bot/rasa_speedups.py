"""Per-turn work Rasa 3.6 does for nothing, removed in the processes that run Rasa.

Found by profiling a turn (benchmarks/profile_turn.py; figures in docs/benchmarks.md):
after each custom action, `RemoteAction._validate_action_result` calls
`jsonschema.validate`, which first checks Rasa's own large events schema against the
JSON-Schema meta-schema, on every call, then validates the answer. That check of a constant
schema was about half of a turn's CPU time. Here the validator is built (and the schema
checked) once; a valid answer passes at once, and an invalid one goes through Rasa's own
method, so it fails exactly as before, with Rasa's message.

`install()` is called where Rasa runs: `python -m bot rasa`, `python -m bot chat`, the
benchmarks and the tests' agents.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

_ORIGINAL: dict[str, Callable[[Any, dict[str, Any]], bool]] = {}


@lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(action: Any, result: dict[str, Any]) -> bool:
    if _action_result_validator().is_valid(result):
        return True
    return _ORIGINAL["validate"](action, result)  # raises Rasa's ValidationError


def install() -> None:
    """Replace the method once per process (calling it again changes nothing)."""
    from rasa.core.actions.action import RemoteAction

    if "validate" not in _ORIGINAL:
        _ORIGINAL["validate"] = RemoteAction._validate_action_result
        RemoteAction._validate_action_result = _validate_action_result
