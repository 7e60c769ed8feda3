"""One settings loader for every process: `.env` values reach each reader; production refusals."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from actions import settings as action_settings
from bot.db.engine import database_url
from bot.db.privacy import salted_hash
from bot.servers import endpoint_environment, rasa_arguments
from bot.settings import (
    ENV_NAMES,
    PROJECT_ROOT,
    ConfigError,
    get_settings,
    load_settings,
    startup_problems,
)

STRONG = "x" * 32


@pytest.fixture
def env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty settings file as ASSISTANT_ENV_FILE, and none of the settings in the environment."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "test.env"
    path.write_text("", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_ENV_FILE", str(path))
    return path


def test_env_file_values_reach_the_database_the_salt_and_the_answers(
    env_file: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'from-env-file.db'}"
    assert database_url() != url and action_settings.hotline() != "Tổng đài 1900 4242"
    env_file.write_text(
        f"DATABASE_URL={url}\nASSISTANT_HASH_SALT=salt-from-file\nHOTLINE_TEXT=Tổng đài 1900 4242\n"
        "OFFICE_TEXT=Văn phòng số 9\nPORTAL_URL=https://dvc.example.gov.vn/\n",
        encoding="utf-8",
    )
    os.utime(env_file, ns=(1, 1))  # a new modification time, as an edit would give
    assert database_url() == url
    assert salted_hash("0912345678") == hashlib.sha256(b"salt-from-file\x000912345678").hexdigest()
    assert (action_settings.hotline(), action_settings.office(), action_settings.portal_url()) == (
        "Tổng đài 1900 4242",
        "Văn phòng số 9",
        "https://dvc.example.gov.vn",
    )


def test_environment_wins_over_the_file_and_blank_means_default(
    env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file.write_text(
        "HOTLINE_TEXT=from file\nRASA_PORT=6000\nACTION_SERVER_PORT=\n", encoding="utf-8"
    )
    monkeypatch.setenv("HOTLINE_TEXT", "from the environment")
    settings = get_settings()
    assert (settings.hotline_text, settings.rasa_port, settings.action_server_port) == (
        "from the environment",
        6000,
        5055,
    )


def test_a_bad_value_is_named(env_file: Path) -> None:
    with pytest.raises(ConfigError, match="ACTION_SERVER_PORT"):
        load_settings({"ACTION_SERVER_PORT": "cổng"}, env_file)


def test_servers_bind_loopback_and_the_api_is_off_without_a_token() -> None:
    settings = load_settings({"ACTION_SERVER_TOKEN": STRONG}, None)
    assert (settings.rasa_host, settings.action_server_host) == ("127.0.0.1", "127.0.0.1")
    arguments = rasa_arguments(settings, "models", "endpoints.yml", "credentials.yml")
    assert arguments[arguments.index("--interface") + 1] == "127.0.0.1"
    assert "--enable-api" not in arguments and "--cors" not in arguments
    assert endpoint_environment(settings)["ACTION_SERVER_URL"] == "http://127.0.0.1:5055/webhook"


def test_the_api_is_on_only_behind_its_token() -> None:
    settings = load_settings({"RASA_AUTH_TOKEN": STRONG, "RASA_HOST": "10.0.0.5"}, None)
    arguments = rasa_arguments(settings, "models", "endpoints.yml", "credentials.yml")
    assert "--enable-api" in arguments and arguments[arguments.index("--auth-token") + 1] == STRONG
    assert arguments[arguments.index("--interface") + 1] == "10.0.0.5" and "--cors" not in arguments


@pytest.mark.parametrize(
    ("process", "environ", "named"),
    [
        ("actions", {"ACTION_SERVER_TOKEN": STRONG}, "ASSISTANT_HASH_SALT is not set"),
        (
            "actions",
            {"ACTION_SERVER_TOKEN": STRONG, "ASSISTANT_HASH_SALT": "tro-ly-tthc-development-salt"},
            "development salt",
        ),
        ("rasa", {"ACTION_SERVER_TOKEN": STRONG}, "RASA_CHANNEL_TOKEN is not set"),
        (
            "rasa",
            {
                "ACTION_SERVER_TOKEN": STRONG,
                "RASA_CHANNEL_TOKEN": STRONG,
                "RASA_AUTH_TOKEN": "short",
            },
            "RASA_AUTH_TOKEN is shorter",
        ),
        ("gateway", {}, "RASA_CHANNEL_TOKEN is not set"),
        (
            "gateway",
            {"RASA_CHANNEL_TOKEN": STRONG, "FEED_TOKEN": STRONG},
            "ASSISTANT_HASH_SALT is not set",
        ),
        (
            "gateway",
            {"RASA_CHANNEL_TOKEN": STRONG, "FEED_TOKEN": "short", "ASSISTANT_HASH_SALT": STRONG},
            "FEED_TOKEN is shorter",
        ),
        ("database", {"ASSISTANT_HASH_SALT": "short"}, "ASSISTANT_HASH_SALT is shorter"),
    ],
)
def test_production_needs_real_secrets(process: str, environ: dict[str, str], named: str) -> None:
    settings = load_settings({"ASSISTANT_ENV": "production", **environ}, None)
    assert any(named in problem for problem in startup_problems(settings, process))
    development = load_settings(environ, None)
    assert not any(named in problem for problem in startup_problems(development, process))


def test_the_back_end_servers_need_their_shared_token_even_in_development() -> None:
    settings = load_settings({}, None)
    assert (
        startup_problems(settings, "actions")
        == startup_problems(settings, "rasa")
        == ["ACTION_SERVER_TOKEN is not set"]
    )
    assert startup_problems(settings, "gateway") == startup_problems(settings, "database") == []


def test_production_with_real_secrets_has_no_problem() -> None:
    settings = load_settings(
        {
            "ASSISTANT_ENV": "production",
            "ASSISTANT_HASH_SALT": STRONG,
            "ACTION_SERVER_TOKEN": STRONG,
            "RASA_CHANNEL_TOKEN": STRONG,
        },
        None,
    )
    assert all(
        not startup_problems(settings, process)
        for process in ("actions", "rasa", "gateway", "database")
    )


@pytest.mark.parametrize(
    ("command", "named"),
    [
        (["actions"], "ASSISTANT_HASH_SALT"),
        (["rasa"], "RASA_CHANNEL_TOKEN"),
        (["gateway"], "RASA_CHANNEL_TOKEN"),
        (["seed", "--demo"], "ASSISTANT_HASH_SALT"),
    ],
)
def test_every_process_refuses_to_start_in_production_without_its_secrets(
    command: list[str], named: str, tmp_path: Path
) -> None:
    env_file = tmp_path / "production.env"
    env_file.write_text(
        f"ASSISTANT_ENV=production\nACTION_SERVER_TOKEN={STRONG}\n"
        f"DATABASE_URL=sqlite:///{tmp_path / 'never.db'}\n",
        encoding="utf-8",
    )
    environ = {name: value for name, value in os.environ.items() if name not in ENV_NAMES}
    completed = subprocess.run(
        [sys.executable, "-m", "bot", *command],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**environ, "ASSISTANT_ENV_FILE": str(env_file)},
    )
    assert completed.returncode == 2
    assert named in completed.stderr and "not starting" in completed.stderr
    assert "Traceback" not in completed.stderr and not (tmp_path / "never.db").exists()
