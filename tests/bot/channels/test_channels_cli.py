"""`python -m bot gateway` as a real process: start, stop on SIGTERM, clear startup errors."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bot.settings import PROJECT_ROOT
from tests.helpers.channel_fakes import WAIT_TIMEOUT, FakeRasa, FakeTelegram

# Explicit empty values override a developer's .env, so only what a test sets is on.
QUIET_ENV = {
    "TELEGRAM_BOT_TOKEN": "",
    "ZALO_APP_ID": "",
    "HANDOFF": "off",
    "GATEWAY_HOST": "127.0.0.1",
    "WEBCHAT_PORT": "0",
}


async def _start(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "gateway",
        cwd=PROJECT_ROOT,
        env={**os.environ, **QUIET_ENV, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _wait_for_line(process: asyncio.subprocess.Process, text: bytes) -> None:
    assert process.stderr is not None
    async for line in process.stderr:
        if text in line:
            return
    raise AssertionError(f"gateway exited ({await process.wait()}) before logging {text!r}")


async def test_gateway_runs_until_sigterm(fake_rasa: FakeRasa) -> None:
    process = await _start({"RASA_URL": fake_rasa.url})
    await asyncio.wait_for(_wait_for_line(process, b"Gateway running"), WAIT_TIMEOUT)
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), WAIT_TIMEOUT)
    assert process.returncode == 0
    assert b"Gateway stopped" in stderr


async def test_rejected_telegram_token_is_reported_without_the_token(
    fake_telegram: FakeTelegram,
) -> None:
    wrong_token = "999999:WRONG-secret-token"
    process = await _start(
        {"TELEGRAM_BOT_TOKEN": wrong_token, "TELEGRAM_API_BASE_URL": fake_telegram.url}
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), WAIT_TIMEOUT)
    assert process.returncode == 1
    assert "Telegram từ chối TELEGRAM_BOT_TOKEN" in stderr.decode()
    assert b"WRONG-secret" not in stdout + stderr


async def test_bad_setting_exits_with_code_2() -> None:
    process = await _start({"WEBCHAT_PORT": "tám nghìn"})
    _, stderr = await asyncio.wait_for(process.communicate(), WAIT_TIMEOUT)
    assert process.returncode == 2
    assert "WEBCHAT_PORT" in stderr.decode()
