"""bot/cluster.py: the HAProxy and supervisord files `make cluster` runs on (no processes)."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cluster import Cluster, haproxy_config, supervisor_config, write_files


def cluster(tmp_path: Path, replicas: int = 3, actions: int = 2) -> Cluster:
    return Cluster(replicas, actions, "127.0.0.1", 7500, 7501, 7510, "/models/m.tar.gz", tmp_path)


def test_ports_do_not_overlap(tmp_path: Path) -> None:
    layout = cluster(tmp_path)
    assert layout.rasa_ports() == [7511, 7512, 7513]
    assert layout.action_ports() == [7514, 7515]


def test_haproxy_routes_by_the_sender_and_checks_every_server(tmp_path: Path) -> None:
    config = haproxy_config(cluster(tmp_path))
    assert "balance hash req.body,json_query('$.sender')" in config
    assert "hash-type consistent" in config and "option http-buffer-request" in config
    assert config.count(" check\n") == 5  # 3 Rasa + 2 action servers
    assert "bind 127.0.0.1:7500" in config and "bind 127.0.0.1:7501" in config


def test_haproxy_accepts_the_file(tmp_path: Path) -> None:
    if not shutil.which("haproxy"):
        if os.environ.get("CI") == "true":
            pytest.fail("haproxy must be installed in CI (.ci/run)")
        pytest.skip("haproxy not installed")
    write_files(cluster(tmp_path))
    checked = subprocess.run(
        ["haproxy", "-c", "-f", str(tmp_path / "haproxy.cfg")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_supervisord_runs_and_restarts_every_process_without_secrets(tmp_path: Path) -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(supervisor_config(cluster(tmp_path), python="/venv/bin/python"))
    programs = {
        name.removeprefix("program:"): parser[name]
        for name in parser.sections()
        if name.startswith("program:")
    }
    assert set(programs) == {"rasa-1", "rasa-2", "rasa-3", "actions-1", "actions-2", "haproxy"}
    assert all(program["autorestart"] == "true" for program in programs.values())
    assert 'RASA_PORT="7512"' in programs["rasa-2"]["environment"]
    assert "endpoints.production.yml" in programs["rasa-1"]["command"]
    text = supervisor_config(cluster(tmp_path))
    assert "TOKEN" not in text and "PASSWORD" not in text  # inherited from the environment
