"""Load benchmark (`make bench-load`): real conversations from concurrent simulated citizens
against `make serve` and `make cluster`, each started here on loopback.

Every simulated user, with no pause, runs conversations picked in turn from `SCRIPTS`
(procedure questions with follow-ups, dossier lookups, a survey started after a lookup),
each under a new sender id, through Rasa's REST channel. A turn is an error when it does
not get HTTP 200 with a message, or gets the apology, a traceback or nothing; context is
lost when a follow-up no longer answers about the conversation's procedure or dossier.
Reported per run: turns/s, p50/p95/p99 latency, errors, lost context, the RSS of every
process of the stack (peak while loaded) and `uptime` before and after (the machine's load).

    python -m benchmarks.bench_load [--stack serve|cluster|all] [--seconds N] [--fault] [--write-docs]

BENCH_SECONDS (default 60) is the length of each run; BENCH_FAULT_SECONDS (default 300)
that of the fault run: 30 users on the cluster while one Rasa replica and one action
server are killed (SIGKILL) a third of the way in. RASA_CONFIG picks the model
(default config.yml). Ports: BENCH_BASE_PORT (default 7500) and up.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp

from tests.helpers.served_stack import seed_demo_subprocess, start_script

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench-load:start -->", "<!-- bench-load:end -->"
APOLOGY_START = "Xin lỗi bạn, hệ thống đang tạm thời gián đoạn"
TRACEBACK = re.compile(r"Traceback|Exception|Error:")
CODE = re.compile(r"\b\d\.\d{6}\b")
TURN_TIMEOUT_S = 30  # the gateway's RASA_TIMEOUT_SECONDS default
ERROR_PAUSE_S = 1.0  # a citizen who got an error waits before starting again
# STATUS_TEXTS (bot/wording.py): "Đã trả kết quả", where the lookup offers the survey
DONE_STATUS = 10


@dataclass
class Turn:
    text: str
    expect: str = ""  # must be in the reply ("{code}" / "{procedure}": the conversation's)
    context: bool = False  # a follow-up: failing `expect` means the context was lost


Script = Callable[[dict[str, Any]], list[Turn]]


def procedure_fee(_sample: dict[str, Any]) -> list[Turn]:
    return [
        Turn("đăng ký thường trú lệ phí bao nhiêu", "1.004222"),
        Turn("nộp online được không?", "1.004222", context=True),
        Turn("mất mấy ngày", "1.004222", context=True),
    ]


def procedure_marriage(_sample: dict[str, Any]) -> list[Turn]:
    return [
        Turn("thủ tục đăng ký kết hôn gồm những bước nào", "{procedure}"),
        Turn("lệ phí bao nhiêu", "{procedure}", context=True),
    ]


def dossier_lookup(sample: dict[str, Any]) -> list[Turn]:
    return [
        Turn("tra cứu hồ sơ", "mã hồ sơ"),
        Turn(sample["code"], "4 chữ số cuối", context=True),
        Turn(sample["phone_last4"], sample["code"], context=True),
    ]


def survey(sample: dict[str, Any]) -> list[Turn]:
    return [
        Turn(f"tra cứu hồ sơ {sample['code']}", "4 chữ số cuối"),
        Turn(sample["phone_last4"], "đánh giá", context=True),
        Turn("/affirm", "Câu 1/11", context=True),
        Turn("hai long", "Câu 2/11", context=True),
    ]


SCRIPTS: tuple[tuple[Script, bool], ...] = (  # (script, needs a dossier that offers the survey)
    (procedure_fee, False),
    (dossier_lookup, False),
    (procedure_marriage, False),
    (survey, True),
)


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    lost_context: int = 0
    conversations: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    lost_examples: list[str] = field(default_factory=list)  # the first few, for stderr

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


async def _turn(
    session: aiohttp.ClientSession, url: str, sender: str, text: str
) -> tuple[str | None, str]:
    """The reply's text, or None and why it failed."""
    try:
        async with session.post(
            url,
            json={"sender": sender, "message": text},
            timeout=aiohttp.ClientTimeout(total=TURN_TIMEOUT_S),
        ) as response:
            if response.status != 200:
                return None, f"HTTP {response.status}"
            data = await response.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return None, type(error).__name__
    texts = (
        [str(m.get("text") or "") for m in data if isinstance(m, dict)]
        if isinstance(data, list)
        else []
    )
    reply = "\n".join(texts)
    if not reply.strip():
        return None, "empty reply"
    if reply.startswith(APOLOGY_START):
        return None, "apology"
    if TRACEBACK.search(reply):
        return None, "traceback"
    return reply, ""


async def _conversation(
    session: aiohttp.ClientSession,
    url: str,
    turns: list[Turn],
    sender: str,
    results: Results,
    deadline: float,
) -> None:
    procedure = ""
    for turn in turns:
        if time.monotonic() > deadline:
            return
        started = time.perf_counter()
        reply, failure = await _turn(session, url, sender, turn.text)
        results.latencies.append(time.perf_counter() - started)
        if reply is None:
            results.error(failure)
            await asyncio.sleep(ERROR_PAUSE_S)
            return
        procedure = procedure or next(iter(CODE.findall(reply)), "")
        expected = turn.expect.replace("{procedure}", procedure)
        if expected and expected not in reply:
            if turn.context:
                results.lost_context += 1
                if len(results.lost_examples) < 5:
                    results.lost_examples.append(
                        f"{turn.text!r} expected {expected!r}, got {reply[:160]!r}"
                    )
            return
    results.conversations += 1


async def _user(
    number: int,
    url: str,
    samples: dict[bool, Iterator[dict[str, Any]]],
    results: Results,
    deadline: float,
    run: str,
) -> None:
    async with aiohttp.ClientSession() as session:
        for index in itertools.count():
            if time.monotonic() > deadline:
                return
            script, needs_survey = SCRIPTS[(number + index) % len(SCRIPTS)]
            turns = script(next(samples[needs_survey]))
            await _conversation(
                session, url, turns, f"bench-{run}-{number}-{index}", results, deadline
            )


def load(
    url: str, users: int, seconds: float, samples: list[dict[str, Any]], run: str
) -> tuple[Results, float]:
    done = [s for s in samples if s["status"] == DONE_STATUS]
    pools = {False: itertools.cycle(samples), True: itertools.cycle(done or samples)}
    results = Results()

    async def main() -> float:
        deadline = time.monotonic() + seconds
        started = time.perf_counter()
        await asyncio.gather(*(_user(n, url, pools, results, deadline, run) for n in range(users)))
        return time.perf_counter() - started

    return results, asyncio.run(main())


# --- the stacks -------------------------------------------------------------------------------


@dataclass
class Stack:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    run_dir: Path
    log: Path

    def pids(self) -> dict[str, int]:
        """Every live process of the stack (same session), by a short name."""
        found = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                cmdline = (
                    (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
                )
            except OSError:
                continue
            if int(fields[3]) == self.process.pid and cmdline:  # session id
                found[f"{_short(cmdline)} ({stat.parent.name})"] = int(stat.parent.name)
        return found

    def rss_mb(self) -> dict[str, float]:
        sizes = {}
        for name, pid in self.pids().items():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            if match:
                sizes[name] = int(match.group(1)) / 1024
        return sizes

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def _short(cmdline: str) -> str:
    for pattern, name in (
        (r"-m bot rasa", "rasa"),
        (r"-m bot actions", "actions"),
        ("haproxy", "haproxy"),
        ("supervisord", "supervisord"),
        ("cluster.sh|serve.sh", "script"),
    ):
        if re.search(pattern, cmdline):
            return name
    return cmdline.split()[0].rsplit("/", 1)[-1]


def start(name: str, env: dict[str, str], run_dir: Path, health: list[str], lb_url: str) -> Stack:
    log = run_dir / f"{name}.log"
    process = start_script(f"{name}.sh", env, log)
    stack = Stack(name, process, f"{lb_url}/webhooks/rest/webhook", run_dir, log)
    deadline = time.monotonic() + 900
    for url in health:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} stopped:\n{log.read_text(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                stack.stop()
                raise TimeoutError(f"{url} never answered")
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                time.sleep(1)
    time.sleep(3)  # HAProxy marks servers up after two checks
    return stack


def base_env(run_dir: Path, base_port: int) -> dict[str, str]:
    from bot.settings import ENV_NAMES

    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ENV_NAMES
        or name
        in (
            "TRACKER_DB_HOST",
            "TRACKER_DB_PORT",
            "TRACKER_DB_NAME",
            "TRACKER_DB_USER",
            "TRACKER_DB_PASSWORD",
            "REDIS_HOST",
            "REDIS_PORT",
        )
    }
    env.update(
        ASSISTANT_ENV_FILE=str(run_dir / "absent.env"),
        DATABASE_URL=f"sqlite:///{run_dir / 'bench.db'}",
        RASA_PORT=str(base_port),
        ACTION_SERVER_PORT=str(base_port + 1),
        CLUSTER_BASE_PORT=str(base_port + 10),
        CLUSTER_RUN_DIR=str(run_dir / "cluster"),
        ASSISTANT_TODAY=date.today().isoformat(),
    )
    return env


# --- runs and the report ------------------------------------------------------------------------


@dataclass
class Row:
    stack: str
    users: int
    seconds: float
    results: Results
    rss: dict[str, float]
    load_before: str
    load_after: str
    fault: str = ""

    @property
    def turns(self) -> int:
        return len(self.results.latencies)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.results.latencies)
        return (
            1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]
            if ordered
            else float("nan")
        )

    def markdown(self) -> str:
        r = self.results
        error_pct = 100 * r.errors / max(1, self.turns)
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(r.error_kinds.items())) or "—"
        rss = ", ".join(f"{name} {mb:.0f}" for name, mb in sorted(self.rss.items()))
        stack = f"{self.stack} + {self.fault}" if self.fault else self.stack
        latencies = " | ".join(f"{self.percentile(q):.0f}" for q in (0.5, 0.95, 0.99))
        cells = [
            stack,
            str(self.users),
            f"{self.seconds:.0f} s",
            f"{self.turns / self.seconds:.1f}",
            latencies,
            f"{r.errors} ({error_pct:.2f} %; {kinds})",
            str(r.lost_context),
            str(r.conversations),
            rss,
            f"{self.load_before} → {self.load_after}",
        ]
        return f"| {' | '.join(cells)} |"


HEADER = (
    "| stack | users | run | turns/s | p50 ms | p95 ms | p99 ms | errors | lost context "
    "| conversations | peak RSS MB per process | load average (1 min) before → after |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def measured(
    stack: Stack,
    users: int,
    seconds: float,
    samples: list[dict[str, Any]],
    during: Callable[[], str] | None = None,
) -> Row:
    peak: dict[str, float] = {}
    before = load_average()
    fault_note: list[str] = []

    def sample_rss() -> None:
        for name, mb in stack.rss_mb().items():
            peak[name] = max(peak.get(name, 0.0), mb)

    finished = threading.Event()

    def watcher() -> None:
        started = time.monotonic()
        fired = False
        while not finished.wait(2):
            sample_rss()
            if during and not fired and time.monotonic() - started > seconds / 3:
                fired = True
                fault_note.append(during())

    thread = threading.Thread(target=watcher, daemon=True)
    thread.start()
    results, elapsed = load(
        stack.url, users, seconds, samples, f"{stack.name}{users}{int(time.time())}"
    )
    finished.set()
    thread.join()
    sample_rss()
    return Row(
        stack.name, users, elapsed, results, peak, before, load_average(), "; ".join(fault_note)
    )


def kill_one_replica_and_one_action_server(run_dir: Path) -> Callable[[], str]:
    conf = run_dir / "cluster" / "supervisord.conf"

    def kill() -> str:
        supervisorctl = str(Path(sys.executable).with_name("supervisorctl"))
        for program in ("rasa-1", "actions-1"):
            pid = int(
                subprocess.run(
                    [supervisorctl, "-c", str(conf), "pid", program],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.strip()
            )
            os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        sock = run_dir / "cluster" / "haproxy.sock"
        while _haproxy_status(sock, "rasa-1").startswith("UP") and time.monotonic() - killed < 60:
            time.sleep(0.1)
        out_after = time.monotonic() - killed
        return f"rasa-1 and actions-1 killed, rasa-1 out of HAProxy after {out_after:.1f} s"

    return kill


def _haproxy_status(sock: Path, server: str) -> str:
    import socket

    with socket.socket(socket.AF_UNIX) as client:
        client.connect(str(sock))
        client.sendall(b"show stat\n")
        data = b"".join(iter(lambda: client.recv(65536), b""))
    for line in data.decode().splitlines():
        fields = line.split(",")
        if len(fields) > 17 and fields[1] == server:
            return fields[17]
    return "?"


def write_docs(rows: list[Row], note: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    table = "\n".join([note, "", HEADER, *(row.markdown() for row in rows)])
    block = f"{START}\n{table}\n{END}"
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text = f"{text.rstrip()}\n\n## Load (`make bench-load`)\n\n{block}\n"
    DOCS.write_text(text, encoding="utf-8")


def _show(row: Row) -> None:
    print(row.markdown(), flush=True)
    for example in row.results.lost_examples:
        print(f"  context lost: {example}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stack", choices=("serve", "cluster", "all"), default="all")
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", "60"))
    )
    parser.add_argument(
        "--fault-seconds", type=float, default=float(os.environ.get("BENCH_FAULT_SECONDS", "300"))
    )
    parser.add_argument(
        "--users", default=os.environ.get("BENCH_USERS", "1,10"), help="user counts, e.g. 1,10"
    )
    parser.add_argument(
        "--fault", action="store_true", help="also the fault run on the cluster (30 users)"
    )
    parser.add_argument(
        "--write-docs", action="store_true", help="replace the table in docs/benchmarks.md"
    )
    parser.add_argument(
        "--base-port", type=int, default=int(os.environ.get("BENCH_BASE_PORT", "7500"))
    )
    arguments = parser.parse_args()
    users = [int(n) for n in arguments.users.split(",")]
    rows: list[Row] = []
    stacks = ("serve", "cluster") if arguments.stack == "all" else (arguments.stack,)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        run_dir = Path(folder)
        env = base_env(run_dir, arguments.base_port)
        samples = seed_demo_subprocess(env, 2000)
        lb = f"http://127.0.0.1:{arguments.base_port}"
        for name in stacks:
            health = [f"http://127.0.0.1:{arguments.base_port + 1}/health", f"{lb}/"]
            if name == "cluster":
                health = [
                    f"http://127.0.0.1:{arguments.base_port + 10 + i}/" for i in (1, 2)
                ] + health
            print(f"starting {name} …", file=sys.stderr, flush=True)
            stack = start(name, env, run_dir, health, lb)
            try:
                for count in users:
                    rows.append(measured(stack, count, arguments.seconds, samples))
                    _show(rows[-1])
                if name == "cluster" and arguments.fault:
                    rows.append(
                        measured(
                            stack,
                            30,
                            arguments.fault_seconds,
                            samples,
                            kill_one_replica_and_one_action_server(run_dir),
                        )
                    )
                    _show(rows[-1])
            finally:
                stack.stop()
    model = os.environ.get("RASA_CONFIG", "config.yml")
    note = (
        f"Measured {date.today().isoformat()} on this 2-core machine, model {model} (`uptime` load"
        " average in the last column: other work on the machine depresses the figures)."
    )
    print("\n" + HEADER)
    for row in rows:
        print(row.markdown())
    if arguments.write_docs:
        write_docs(rows, note)


if __name__ == "__main__":
    main()
