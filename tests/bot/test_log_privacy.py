"""The log filter: message text, phone digits, tokens and slot payloads never reach INFO+ logs."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from bot.log_privacy import REDACTED, Redactor
from bot.settings import PROJECT_ROOT

TOKEN = "tok-9f8e7d6c5b4a"
MARKER = "bimatcuacongdan"

# Logs as `rasa run` does: its structlog set-up, then a REST failure logged with the user's
# text as a field and in the frame locals of the traceback; plus a payload and a token
# through standard logging, and a payload in a Python warning.
RASA_LIKE_PROCESS = textwrap.dedent(f"""
    import logging, sys, warnings
    if sys.argv[1] == "filtered":
        from bot import log_privacy
        log_privacy.install(["{TOKEN}"])
    from rasa.utils.log_utils import configure_structlog
    import structlog
    configure_structlog(logging.INFO)
    structlogger = structlog.get_logger()

    def handle(text):
        raise ValueError("could not parse")

    try:
        handle("{MARKER} 0912 345 678")
    except ValueError:
        structlogger.exception("rest.message.received.failure", text="{MARKER} 0912 345 678")
    logging.getLogger("rasa.core.processor").warning('/check_dossier_status{{"phone_last4":"0874"}}')
    logging.getLogger("aiohttp").error("POST http://127.0.0.1:5055/webhook Authorization: Bearer {TOKEN}")
    logging.captureWarnings(True)
    warnings.warn("Parsed an intent from '/check_dossier_status{{\\"phone_last4\\":\\"5678\\"}}'")
""")


def run_process(mode: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", RASA_LIKE_PROCESS, mode],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "", "LOG_LEVEL": "DEBUG"},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout + completed.stderr


def test_rasa_logs_text_digits_and_tokens_without_the_filter() -> None:
    output = run_process("plain")
    assert MARKER in output and "0874" in output and "5678" in output and TOKEN in output
    assert output.count(MARKER) >= 2  # the field and the frame locals of the traceback


def test_the_filter_keeps_them_out_of_every_logger() -> None:
    output = run_process("filtered")
    assert "rest.message.received.failure" in output and "ValueError: could not parse" in output
    assert MARKER not in output and TOKEN not in output and "345 678" not in output
    assert "0874" not in output and "5678" not in output
    assert output.count("/check_dossier_status{" + REDACTED + "}") == 2


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Goin' Fast @ http://127.0.0.1:5005", "Goin' Fast @ http://127.0.0.1:5005"),
        ("Rasa 3.6.21 loaded", "Rasa 3.6.21 loaded"),
        (
            "GET /conversations/tg:123456789/tracker?token=abcdef",
            "GET /conversations/tg:[redacted]/tracker?token=[redacted]",
        ),
        ("postgresql://user:pa55word@db/x", "postgresql://user:[redacted]@db/x"),
        (
            "https://api.telegram.org/bot123456:AA-secret/getMe",
            "https://api.telegram.org/bot[redacted]/getMe",
        ),
        (
            "số điện thoại +84 912 345 678, CCCD 001099012345",
            "số điện thoại +[redacted], CCCD [redacted]",
        ),
    ],
)
def test_redaction(text: str, kept: str) -> None:
    assert Redactor()(text) == kept
