"""Train the Rasa model when it is missing or stale, run the action server, chat in a terminal.

A model is named after a fingerprint of everything that shapes it (config, domain, training
data, the custom NLU components and the aliases they read), so "stale" is decided by
content, not by dates, and a test run can reuse the model a previous run trained.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT

MODELS_DIR = PROJECT_ROOT / "models"
TRAINING_INPUTS = (
    "domain.yml",
    "nlu_data",
    "bot/nlu",
    "bot/dossier_code.py",
    "vntext",
    "procedures_kb/aliases.yml",
    "procedures_kb/name_words.json",
)


def fingerprint(*sources: bytes) -> str:
    """Names a model by what it was trained from: the given sources (config, data) and every
    file under TRAINING_INPUTS, so a stale model is never reused and a fresh one never retrained."""
    digest = hashlib.sha256(b"".join(sources))
    for name in TRAINING_INPUTS:
        path = PROJECT_ROOT / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(PROJECT_ROOT)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def model_path(config: Path, output: Path = MODELS_DIR) -> Path:
    return output / f"{config.stem}-{fingerprint(config.read_bytes())}.tar.gz"


def ensure_model(
    config: Path = PROJECT_ROOT / "config.yml", output: Path = MODELS_DIR, force: bool = False
) -> Path:
    """The trained model for `config`, training it first when missing or stale."""
    target = model_path(config, output)
    if target.exists() and not force:
        return target
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("RASA_CACHE_DIRECTORY", str(PROJECT_ROOT / ".rasa" / "cache"))
    from rasa.api import train

    print(f"Đang huấn luyện mô hình ({config.name}), lần đầu mất vài phút…", flush=True)
    result = train(
        domain=str(PROJECT_ROOT / "domain.yml"),
        config=str(config),
        training_files=str(PROJECT_ROOT / "nlu_data"),
        output=str(output),
        fixed_model_name=target.name.removesuffix(".tar.gz"),
        force_training=force,
    )
    if result.code != 0 or not target.exists():
        raise RuntimeError(f"huấn luyện thất bại (mã {result.code})")
    for old in output.glob(f"{config.stem}-*.tar.gz"):
        if old != target:
            old.unlink()
    return target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class ActionServer:
    """A running action server: its webhook URL and the token it requires."""

    url: str
    token: str

    def endpoint(self) -> Any:
        """Rasa's action endpoint for this server, sending the token as `endpoints.yml` does."""
        from rasa.utils.endpoints import EndpointConfig

        return EndpointConfig(url=self.url, headers={"Authorization": f"Bearer {self.token}"})


@contextmanager
def action_server(
    port: int, env: dict[str, str] | None = None, timeout: float = 120.0
) -> Iterator[ActionServer]:
    """Run `python -m bot actions` on loopback with a fresh random token (unless `env` sets one)."""
    token = (env or {}).get("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(32)
    command = [sys.executable, "-m", "bot", "actions"]
    process_env = {
        **os.environ,
        **(env or {}),
        "ACTION_SERVER_HOST": "127.0.0.1",
        "ACTION_SERVER_PORT": str(port),
        "ACTION_SERVER_TOKEN": token,
    }
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=process_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/health", process, timeout)
        yield ActionServer(f"http://127.0.0.1:{port}/webhook", token)
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace")[-2000:] if process.stderr else ""
            raise RuntimeError(f"máy chủ hành động dừng đột ngột:\n{error}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"máy chủ hành động không phản hồi tại {url}")


def render(messages: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """Bot messages as terminal text; buttons are numbered so the user can type a number."""
    lines, payloads = [], []
    for message in messages:
        if message.get("text"):
            lines.append(message["text"])
        for button in message.get("buttons") or []:
            payloads.append(button["payload"])
            lines.append(f"  [{len(payloads)}] {button['title']}")
    return "\n".join(lines), payloads


def quiet_rasa_logs() -> None:
    """Warnings only: Rasa's debug log would bury the chat (and it prints what users type)."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


async def chat(model: Path, actions: ActionServer) -> None:
    from rasa.core.agent import Agent

    from bot import rasa_speedups
    from vntext import normalize

    quiet_rasa_logs()
    rasa_speedups.install()

    agent = Agent.load(str(model), action_endpoint=actions.endpoint())
    print(
        "Trợ lý thủ tục hành chính — gõ câu hỏi (có dấu hoặc không); gõ số để chọn nút; Enter trống để thoát."
    )
    payloads: list[str] = []
    while True:
        try:
            line = normalize(await asyncio.get_running_loop().run_in_executor(None, input, "Bạn: "))
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if not line:
            return
        if line.isdigit() and 1 <= int(line) <= len(payloads):
            line = payloads[int(line) - 1]
        text, payloads = render(await agent.handle_text(line, sender_id="terminal"))
        print(f"Trợ lý: {text or '(không có câu trả lời)'}")


def run_chat(config: Path) -> int:
    model = ensure_model(config)
    with action_server(free_port()) as actions:
        asyncio.run(chat(model, actions))
    return 0


def register(subparsers: Any) -> None:
    """`python -m bot train` and `python -m bot chat`."""
    trainer = subparsers.add_parser("train", help="huấn luyện mô hình Rasa nếu chưa có hoặc đã cũ")
    trainer.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    trainer.add_argument("--force", action="store_true", help="huấn luyện lại dù mô hình còn mới")
    trainer.set_defaults(handler=_train)
    chatter = subparsers.add_parser(
        "chat", help="trò chuyện với trợ lý ngay trong cửa sổ dòng lệnh"
    )
    chatter.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    chatter.set_defaults(handler=_chat)


def _train(arguments: Any) -> int:
    return _reporting_failures(lambda: print(ensure_model(arguments.config, force=arguments.force)))


def _chat(arguments: Any) -> int:
    return _reporting_failures(lambda: run_chat(arguments.config))


def _reporting_failures(job: Any) -> int:
    """Runs `job`; a failure becomes one Vietnamese line on stderr and exit code 1."""
    try:
        job()
    except (RuntimeError, TimeoutError, OSError) as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 1
    return 0
