"""`python -m bot cluster` (what `make cluster` ends with): several Rasa servers and action
servers behind HAProxy, run and restarted by supervisord.

    client/gateway -> HAProxy :RASA_PORT --(hash of the JSON body's "sender")--> rasa-1..N
    rasa-i -> HAProxy :ACTION_SERVER_PORT --(least connections)--> actions-1..M

- A conversation sticks to one Rasa replica: HAProxy buffers the request and hashes the
  `sender` field of the REST channel's JSON body (`balance hash req.body,json_query(...)`,
  consistent hashing), so the gateway needs no change and sends no extra header. When a
  replica dies only its conversations move; they continue on another replica from the
  PostgreSQL tracker store, under the Redis lock store (endpoints.production.yml).
- HAProxy checks every server each second and drops one after 2 failed checks (about 2 s
  for a dead one, which refuses the check at once; a busy one has 5 s to answer it);
  a request whose connection fails is retried once on another server; one that reached a
  server is not (a turn must not run twice), so a turn in flight on a killed server fails.
  The replica that answered is named in the `X-Rasa-Replica` response header.
- supervisord restarts a process that died. It inherits the environment (secrets
  included) from `scripts/cluster.sh`; the files written here hold ports and paths only.

The files go to `--run-dir` (default `.cluster/`): haproxy.cfg, supervisord.conf, logs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.settings import PROJECT_ROOT, get_settings

DEFAULT_RUN_DIR = PROJECT_ROOT / ".cluster"
REPLICA_HEADER = "X-Rasa-Replica"
# Seconds between health checks, and failed checks before a server is taken out.
CHECK_INTERVAL_S, CHECK_FALL = 1, 2


@dataclass(frozen=True)
class Cluster:
    """Where everything listens. Replicas use consecutive ports from `base_port`."""

    rasa_replicas: int
    action_replicas: int
    host: str  # where the load balancer listens for Rasa (RASA_HOST)
    rasa_port: int  # the load balancer's Rasa port (RASA_PORT, 5005 like make serve)
    actions_port: int  # the load balancer's action-server port (ACTION_SERVER_PORT)
    base_port: int
    model: str
    run_dir: Path

    def rasa_ports(self) -> list[int]:
        return [self.base_port + i for i in range(1, self.rasa_replicas + 1)]

    def action_ports(self) -> list[int]:
        first = self.base_port + self.rasa_replicas + 1
        return list(range(first, first + self.action_replicas))

    @property
    def stats_socket(self) -> Path:
        return self.run_dir / "haproxy.sock"


def haproxy_config(cluster: Cluster) -> str:
    rasa = "\n".join(
        f"  server rasa-{i} 127.0.0.1:{port} check"
        for i, port in enumerate(cluster.rasa_ports(), 1)
    )
    actions = "\n".join(
        f"  server actions-{i} 127.0.0.1:{port} check"
        for i, port in enumerate(cluster.action_ports(), 1)
    )
    return f"""# Written by python -m bot cluster (bot/cluster.py); do not edit.
global
  maxconn 4096
  stats socket {cluster.stats_socket} mode 600 level admin

defaults
  mode http
  timeout connect 2s
  timeout client 90s
  timeout server 90s
  timeout http-request 10s
  # a dead server refuses the check at once; a busy one may take this long to answer it
  timeout check 5s
  option http-buffer-request
  retries 1
  option redispatch 1
  # only a request that never reached a server is retried: a turn is not idempotent
  retry-on conn-failure
  default-server inter {CHECK_INTERVAL_S}s fall {CHECK_FALL} rise 2 on-marked-down shutdown-sessions

frontend rasa
  bind {cluster.host}:{cluster.rasa_port}
  default_backend rasa

backend rasa
  # one conversation, one replica: consistent hash of the REST body's sender
  balance hash req.body,json_query('$.sender')
  hash-type consistent sdbm avalanche
  option httpchk GET /
  http-check expect status 200
  http-response set-header {REPLICA_HEADER} %s
{rasa}

frontend actions
  bind 127.0.0.1:{cluster.actions_port}
  default_backend actions

backend actions
  balance leastconn
  option httpchk GET /health
  http-check expect status 200
{actions}
"""


def supervisor_config(cluster: Cluster, python: str = sys.executable) -> str:
    logs = cluster.run_dir / "logs"
    sections = [
        f"""; Written by python -m bot cluster (bot/cluster.py); do not edit.
[supervisord]
nodaemon=true
logfile={logs / "supervisord.log"}
pidfile={cluster.run_dir / "supervisord.pid"}
childlogdir={logs}

[unix_http_server]
file={cluster.run_dir / "supervisor.sock"}
chmod=0700

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{cluster.run_dir / "supervisor.sock"}
"""
    ]
    action_url = f"http://127.0.0.1:{cluster.actions_port}/webhook"
    for i, port in enumerate(cluster.rasa_ports(), 1):
        endpoints = PROJECT_ROOT / "endpoints.production.yml"
        command = f"{python} -m bot rasa --model {cluster.model} --endpoints {endpoints}"
        sections.append(
            _program(
                f"rasa-{i}",
                command,
                logs,
                f'RASA_HOST="127.0.0.1",RASA_PORT="{port}",ACTION_SERVER_URL="{action_url}"',
            )
        )
    for i, port in enumerate(cluster.action_ports(), 1):
        sections.append(
            _program(
                f"actions-{i}",
                f"{python} -m bot actions",
                logs,
                f'ACTION_SERVER_HOST="127.0.0.1",ACTION_SERVER_PORT="{port}"',
            )
        )
    haproxy = shutil.which("haproxy") or "haproxy"
    sections.append(
        _program("haproxy", f"{haproxy} -db -f {cluster.run_dir / 'haproxy.cfg'}", logs, "")
    )
    return "\n".join(sections)


def _program(name: str, command: str, logs: Path, environment: str) -> str:
    lines = [
        f"[program:{name}]",
        f"command={command}",
        f"directory={PROJECT_ROOT}",
        "autorestart=true",
        "startsecs=0",
        "stopasgroup=true",
        "killasgroup=true",
        "stopwaitsecs=20",
        "redirect_stderr=true",
        f"stdout_logfile={logs / (name + '.log')}",
        "stdout_logfile_maxbytes=10MB",
        "stdout_logfile_backups=1",
    ]
    if environment:
        lines.append(f"environment={environment}")
    return "\n".join(lines) + "\n"


def write_files(cluster: Cluster) -> Path:
    """Write haproxy.cfg and supervisord.conf; the path of the latter."""
    (cluster.run_dir / "logs").mkdir(parents=True, exist_ok=True)
    (cluster.run_dir / "haproxy.cfg").write_text(haproxy_config(cluster), encoding="utf-8")
    conf = cluster.run_dir / "supervisord.conf"
    conf.write_text(supervisor_config(cluster), encoding="utf-8")
    return conf


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cluster", help="nhiều máy chủ Rasa và hành động sau HAProxy (make cluster)"
    )
    parser.add_argument("--model", required=True, help="mô hình đã huấn luyện (.tar.gz)")
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("RASA_REPLICAS", "2")))
    parser.add_argument("--actions", type=int, default=int(os.environ.get("ACTION_REPLICAS", "2")))
    parser.add_argument(
        "--base-port",
        type=int,
        default=int(os.environ.get("CLUSTER_BASE_PORT", "5100")),
        help="cổng của bản sao đầu tiên trừ 1 (mặc định 5100: rasa-1 ở 5101)",
    )
    parser.add_argument(
        "--run-dir", type=Path, default=Path(os.environ.get("CLUSTER_RUN_DIR", DEFAULT_RUN_DIR))
    )
    parser.set_defaults(handler=_run)


def _run(arguments: argparse.Namespace) -> int:
    if arguments.replicas < 1 or arguments.actions < 1:
        print("Lỗi: cần ít nhất 1 máy chủ Rasa và 1 máy chủ hành động.", file=sys.stderr)
        return 2
    settings = get_settings()
    cluster = Cluster(
        arguments.replicas,
        arguments.actions,
        settings.rasa_host,
        settings.rasa_port,
        settings.action_server_port,
        arguments.base_port,
        str(Path(arguments.model).resolve()),
        arguments.run_dir.resolve(),
    )
    conf = write_files(cluster)
    supervisord = str(Path(sys.executable).with_name("supervisord"))
    os.execv(supervisord, [supervisord, "-c", str(conf)])
    return 0  # not reached: supervisord replaced this process
