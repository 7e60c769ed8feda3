"""`make serve` as an attacker finds it: Rasa's API, the action server and the logs (issue 9)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conversation.test_rest_serve import say
from tests.helpers.conversation import Served

pytestmark = pytest.mark.rasa


def call(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data, {"Content-Type": "application/json", **(headers or {})}, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (from /proc: no traffic sent)."""
    found = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_both_servers_listen_on_loopback_only(served: Served) -> None:
    for url in (served.rasa, served.actions):
        assert listening_addresses(int(url.rsplit(":", 1)[1])) == {"0100007F"}  # 127.0.0.1


def test_conversations_cannot_be_read_or_changed_without_the_api_token(served: Served) -> None:
    sample = next(s for s in served.samples if s["status"] == 4)
    sender = "tg:555000111"
    say(served, sender, f"tra cứu hồ sơ {sample['code']}")
    say(served, sender, sample["phone_last4"])
    tracker = f"{served.rasa}/conversations/{sender}/tracker"
    # The attack of issue 9, now possible only for whoever holds RASA_AUTH_TOKEN:
    status, body = call("GET", f"{tracker}?token={served.api_token}")
    assert status == 200 and sample["phone_last4"] in body
    assert call("GET", tracker)[0] in (401, 403)
    assert call("GET", f"{tracker}?token=guess")[0] in (401, 403)
    forged = [{"event": "slot", "name": "survey_dossier", "value": "000.00.12.H25-250103-0042"}]
    assert call("POST", f"{tracker}/events", forged)[0] in (401, 403)
    assert call("PUT", f"{served.rasa}/model", {"model_file": "/tmp/evil.tar.gz"})[0] in (401, 403)
    assert call("POST", f"{served.rasa}/model/parse", {"text": "xin chào"})[0] in (401, 403)
    after = json.loads(call("GET", f"{tracker}?token={served.api_token}")[1])
    assert after["slots"].get("survey_dossier") != "000.00.12.H25-250103-0042"


def test_the_action_server_refuses_rasa_impostors(served: Served) -> None:
    forged = {
        "next_action": "action_submit_survey",
        "sender_id": "tg:1",
        "version": "3.6.21",
        "tracker": {
            "sender_id": "tg:1",
            "slots": {"survey_dossier": served.samples[0]["code"], "survey_overall": 1},
        },
        "domain": {},
    }
    assert call("POST", f"{served.actions}/webhook", forged)[0] == 401
    assert (
        call("POST", f"{served.actions}/webhook", forged, {"Authorization": "Bearer guess"})[0]
        == 401
    )
    assert call("GET", f"{served.actions}/actions")[0] == 401
    assert call("GET", f"{served.actions}/health")[0] == 200


def test_rasa_reaches_the_actions_with_the_settings_of_the_env_file(served: Served) -> None:
    """The action server answers through Rasa (so it got the token) with the .env texts."""
    reply = say(served, "web:env-file", "cho tôi gặp cán bộ")
    assert "Tổng đài thử nghiệm 1900 4242" in reply and "Văn phòng thử nghiệm số 9" in reply


def test_nothing_personal_reaches_the_logs(served: Served) -> None:
    sample = next(s for s in served.samples if s["status"] == 3)
    last4, sender = sample["phone_last4"], "tg:777000222"
    before = served.log.read_text(errors="replace").count(last4)
    say(served, sender, f"tra cứu hồ sơ {sample['code']}")
    say(served, sender, f'/check_dossier_status{{"phone_last4":"{last4}"}}')
    # A lone surrogate made Rasa's REST channel fail and log the text with frame locals.
    call("POST", served.rest, {"sender": sender, "message": "bimatcuacongdan 0912 345 678 \ud800"})
    log = served.log.read_text(errors="replace")
    assert "Rasa server is up and running" in log  # the log really is Rasa's
    assert log.count(last4) == before
    for secret in ("0912 345 678", "bimatcuacongdan", served.api_token, '"phone_last4":'):
        assert secret not in log
