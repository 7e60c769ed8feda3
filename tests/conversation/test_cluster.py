"""`make cluster` end to end: two Rasa replicas and two action servers behind HAProxy, the
PostgreSQL tracker store and the Redis lock store (scripts/cluster.sh on the test model).

A conversation started on one replica goes on on the other with its context; HAProxy keeps
a conversation on one replica, and when that replica is killed it moves the conversation
to the other within seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from bot.cluster import REPLICA_HEADER
from bot.settings import PROJECT_ROOT as ROOT
from tests.helpers.served_stack import start_script

pytestmark = pytest.mark.rasa

REPLICAS = ("rasa-1", "rasa-2")
FIRST = "đăng ký thường trú lệ phí bao nhiêu"  # 1.004222
FOLLOW_UP = "nộp online được không?"


@dataclass(frozen=True)
class RunningCluster:
    lb_port: int
    replica_ports: dict[str, int]  # rasa-1 -> its own port
    run_dir: Path

    @property
    def lb(self) -> str:
        return f"http://127.0.0.1:{self.lb_port}"

    def pid(self, program: str) -> int:
        output = subprocess.run(
            [
                str(ROOT / ".venv/bin/supervisorctl"),
                "-c",
                str(self.run_dir / "supervisord.conf"),
                "pid",
                program,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return int(output.strip())

    def backend_status(self) -> dict[str, str]:
        """HAProxy's view of the Rasa servers: rasa-1 -> UP / DOWN (stats socket; "UP 1/2" is
        a server failing its checks but not yet taken out)."""
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(str(self.run_dir / "haproxy.sock"))
            client.sendall(b"show stat\n")
            data = b"".join(iter(lambda: client.recv(65536), b""))
        rows = [line.split(",") for line in data.decode().splitlines() if line.startswith("rasa,")]
        return {row[1]: row[17] for row in rows if row[1] in REPLICAS}


def free_port_block(size: int) -> int:
    """A port p such that p+1 ... p+size are free on loopback now."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + size < 65535 and all(_free(base + i) for i in range(1, size + 1)):
            return int(base)
    raise RuntimeError("no block of free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    return free_port_block(0)


def _services() -> tuple[Any, Any]:
    postgres, redis = os.environ.get("TEST_POSTGRES_URL"), os.environ.get("TEST_REDIS_URL")
    missing = [
        name
        for name, ok in (
            ("TEST_POSTGRES_URL", postgres),
            ("TEST_REDIS_URL", redis),
            ("haproxy", shutil.which("haproxy")),
        )
        if not ok
    ]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{', '.join(missing)} must be there in CI (.ci/run)")
        pytest.skip(
            f"{', '.join(missing)} not available"
            " (scripts/start_test_services.sh, apt-get install haproxy)"
        )
    return urlparse(postgres), urlparse(redis)


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, trained_model: Path
) -> Iterator[RunningCluster]:
    database, cache = _services()
    folder = tmp_path_factory.mktemp("cluster")
    lb_port, actions_port, base = _free_port(), _free_port(), free_port_block(4)
    from bot.settings import ENV_NAMES

    env = {name: value for name, value in os.environ.items() if name not in ENV_NAMES}
    env.update(
        ASSISTANT_ENV_FILE=str(folder / "absent.env"),
        RASA_CONFIG="config_test.yml",
        DATABASE_URL=f"sqlite:///{folder / 'cluster.db'}",
        RASA_PORT=str(lb_port),
        ACTION_SERVER_PORT=str(actions_port),
        CLUSTER_BASE_PORT=str(base),
        CLUSTER_RUN_DIR=str(folder / "run"),
        ASSISTANT_TODAY="2026-12-02",
        TRACKER_DB_HOST=database.hostname,
        TRACKER_DB_PORT=str(database.port),
        TRACKER_DB_NAME=database.path.lstrip("/"),
        TRACKER_DB_USER=database.username,
        TRACKER_DB_PASSWORD=database.password,
        REDIS_HOST=cache.hostname,
        REDIS_PORT=str(cache.port),
    )
    log = folder / "cluster.log"
    process = start_script("cluster.sh", env, log)
    running = RunningCluster(lb_port, {"rasa-1": base + 1, "rasa-2": base + 2}, folder / "run")
    try:
        deadline = time.monotonic() + 600
        for port in running.replica_ports.values():
            _wait_for(f"http://127.0.0.1:{port}/", process, deadline, log)
        while set(running.backend_status().values()) != {"UP"}:
            assert time.monotonic() < deadline, running.backend_status()
            time.sleep(0.5)
        yield running
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def _wait_for(url: str, process: subprocess.Popen[bytes], deadline: float, log: Path) -> None:
    while True:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, f"{url} never answered"
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(1)


def say(base_url: str, sender: str, message: str) -> tuple[str, str]:
    """The reply's text and the replica that answered (empty when not through HAProxy)."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"{base_url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        text = " ".join(m.get("text", "") for m in json.loads(response.read()))
        return text, response.headers.get(REPLICA_HEADER, "")


def test_a_conversation_goes_on_on_the_other_replica_with_its_context(
    cluster: RunningCluster,
) -> None:
    sender = f"cluster-{uuid.uuid4().hex[:8]}"
    first, replica = say(cluster.lb, sender, FIRST)
    assert replica in REPLICAS and "1.004222" in first
    other = next(name for name in REPLICAS if name != replica)
    follow_up, _ = say(f"http://127.0.0.1:{cluster.replica_ports[other]}", sender, FOLLOW_UP)
    assert "1.004222" in follow_up and "nộp hồ sơ online được" in follow_up
    again, same = say(cluster.lb, sender, "mất mấy ngày")
    assert same == replica and "1.004222" in again  # HAProxy keeps the conversation on its replica


def test_conversations_are_spread_over_both_replicas(cluster: RunningCluster) -> None:
    served_by = {
        say(cluster.lb, f"spread-{uuid.uuid4().hex[:8]}", "xin chào")[1] for _ in range(12)
    }
    assert served_by == set(REPLICAS)


def test_a_killed_replica_is_dropped_and_its_conversations_go_on(cluster: RunningCluster) -> None:
    sender = f"killed-{uuid.uuid4().hex[:8]}"
    _, replica = say(cluster.lb, sender, FIRST)
    os.kill(cluster.pid(replica), signal.SIGKILL)
    deadline = time.monotonic() + 5
    while not cluster.backend_status()[replica].startswith("DOWN") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert cluster.backend_status()[replica].startswith("DOWN")  # taken out within 5 s
    follow_up, answered_by = say(cluster.lb, sender, FOLLOW_UP)
    assert answered_by != replica
    assert "1.004222" in follow_up and "nộp hồ sơ online được" in follow_up
