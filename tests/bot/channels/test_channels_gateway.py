"""The shared pieces on their own: splitting, caches, rate limit, Rasa replies, config."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import log_privacy, wording
from bot.channels.config import ConfigError, load_config
from bot.channels.gateway import (
    Button,
    RasaUnavailable,
    RateLimiter,
    Reply,
    TTLCache,
    Verdict,
    parse_rasa_replies,
    split_text,
)
from bot.settings import PROJECT_ROOT, Settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_split_prefers_paragraphs_then_lines_then_words() -> None:
    text = "Đoạn một.\n\nĐoạn hai, dòng một.\nDòng hai của đoạn hai.\n\nĐoạn ba"
    # A paragraph too long for one message starts a new one and is cut between its lines.
    assert split_text(text, 40) == [
        "Đoạn một.",
        "Đoạn hai, dòng một.",
        "Dòng hai của đoạn hai.\n\nĐoạn ba",
    ]
    assert split_text("một hai ba bốn năm", 8) == ["một hai", "ba bốn", "năm"]


def test_split_cuts_a_word_longer_than_the_limit() -> None:
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_split_keeps_short_text_and_drops_blank_text() -> None:
    assert split_text("  ngắn  ", 4096) == ["ngắn"]
    assert split_text("a\n\n\n\n\n\nb", 3) == ["a", "b"]
    assert all(len(chunk) <= 50 for chunk in split_text(("câu " * 40 + "\n") * 10, 50))


def test_ttl_cache_expires_and_stays_bounded() -> None:
    clock = FakeClock()
    cache: TTLCache[str] = TTLCache(ttl=60, maxsize=2, clock=clock)
    cache.put("a", "1")
    clock.now += 30
    cache.put("b", "2")
    assert (cache.get("a"), cache.get("b")) == ("1", "2")
    clock.now += 31
    assert (cache.get("a"), cache.get("b")) == (None, "2")
    cache.put("c", "3")
    cache.put("d", "4")
    assert (cache.get("b"), cache.get("c"), cache.get("d")) == (None, "3", "4")


def test_rate_limit_is_a_sliding_window_per_user() -> None:
    clock = FakeClock()
    limiter = RateLimiter(limit=2, clock=clock)
    assert [limiter.hit("tg:1") for _ in range(4)] == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.WARN,
        Verdict.DROP,
    ]
    assert limiter.hit("tg:2") is Verdict.ALLOW
    clock.now += 60
    assert limiter.hit("tg:1") is Verdict.ALLOW
    assert limiter.hit("tg:1") is Verdict.ALLOW
    assert limiter.hit("tg:1") is Verdict.WARN  # warned again after being allowed in between


def test_rate_limit_forgets_idle_users() -> None:
    """Memory stays bounded by `max_users`: when full, users silent for a whole period are
    forgotten (exactly one period counts as silent), and the others keep their windows."""
    clock = FakeClock()
    limiter = RateLimiter(limit=2, period=60, clock=clock, max_users=3)
    limiter.hit("idle")  # t = 0
    limiter.hit("active")
    clock.now += 1
    limiter.hit("idle-at-the-edge")  # t = 1
    clock.now += 58
    limiter.hit("active")  # t = 59: its first message is old, its last is recent
    clock.now += 2  # t = 61: "idle" silent 61 s, "idle-at-the-edge" exactly 60 s
    assert len(limiter) == 3
    assert limiter.hit("new") is Verdict.ALLOW
    assert len(limiter) == 2  # both idle users forgotten, "active" and "new" kept
    assert limiter.hit("active") is Verdict.ALLOW  # its window was kept: (59 s, 61 s) ...
    assert limiter.hit("active") is Verdict.WARN  # ... so a third message within 60 s is over
    for _ in range(10):  # a stream of new users never grows it past the bound
        clock.now += 61
        for user in ("a", "b", "c"):
            assert limiter.hit(f"{user}{clock.now}") is Verdict.ALLOW
            assert len(limiter) <= 3


def test_rasa_replies_are_parsed_leniently() -> None:
    data = [
        {"recipient_id": "x", "text": "Chào bạn"},
        {
            "recipient_id": "x",
            "buttons": [{"title": "Có", "payload": "/affirm"}, {"payload": "không"}, "rác"],
        },
        {"recipient_id": "x", "image": "https://example.gov.vn/so-do.png"},
        {"recipient_id": "x", "custom": {"kind": "unknown"}},
        {"recipient_id": "x", "text": "   "},
        "rác",
    ]
    assert parse_rasa_replies(data) == [
        Reply("Chào bạn"),
        Reply(wording.CHOOSE_ONE, (Button("Có", "/affirm"), Button("không", "không"))),
        Reply("https://example.gov.vn/so-do.png"),
    ]


@pytest.mark.parametrize(
    "data", [{"error": "x"}, None, "text", [], [{"recipient_id": "x", "custom": {"a": 1}}]]
)
def test_rasa_reply_of_the_wrong_shape_or_empty_counts_as_unavailable(data: object) -> None:
    with pytest.raises(RasaUnavailable):
        parse_rasa_replies(data)


def test_env_file_syntax(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        """
# comment
export RASA_URL=http://rasa:5005
HOTLINE_TEXT="Tổng đài 1900 1234 # không phải chú thích"
TELEGRAM_BOT_TOKEN=
ZALO_APP_ID='a b'
WEBCHAT_PORT=8080 # chú thích
not a line
""",
        encoding="utf-8",
    )
    config = load_config({}, env_file=env_file)
    assert config.rasa_url == "http://rasa:5005"
    assert config.hotline_text == "Tổng đài 1900 1234 # không phải chú thích"
    assert (config.telegram_bot_token, config.zalo_app_id, config.webchat_port) == ("", "a b", 8080)


def test_environment_overrides_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "RASA_URL=http://from-file:5005\nWEBCHAT_PORT=9000\nZALO_TOKEN_FILE=state/z.json\n"
    )
    config = load_config({"RASA_URL": "http://from-env:5005/"}, env_file=env_file)
    assert config.rasa_url == "http://from-env:5005"
    assert config.webchat_port == 9000
    assert config.zalo_token_file == PROJECT_ROOT / "state" / "z.json"
    assert not config.telegram_enabled and not config.zalo_enabled


def test_defaults() -> None:
    config = load_config({}, env_file=None)
    assert (config.rasa_url, config.rate_limit_per_minute, config.webchat_port) == (
        "http://localhost:5005",
        20,
        8080,
    )
    assert (
        config.hotline_text == "Tổng đài Cổng Dịch vụ công quốc gia: 1800 1096"
    )  # a real public number, no placeholder
    assert config.zalo_token_file == PROJECT_ROOT / "data" / "zalo_tokens.json"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"WEBCHAT_PORT": "http"}, "WEBCHAT_PORT"),
        ({"RATE_LIMIT_PER_MINUTE": "-1"}, "RATE_LIMIT_PER_MINUTE"),
        ({"RASA_URL": "localhost:5005"}, "RASA_URL"),
        (
            {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_URL": "https://a.vn/hook"},
            "TELEGRAM_WEBHOOK_SECRET",
        ),
        (
            {
                "TELEGRAM_BOT_TOKEN": "1:x",
                "TELEGRAM_WEBHOOK_URL": "http://a.vn/hook",
                "TELEGRAM_WEBHOOK_SECRET": "s",
            },
            "TELEGRAM_WEBHOOK_URL",
        ),
    ],
)
def test_bad_settings_are_reported_by_name(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_config(environ, env_file=None)


def test_env_example_documents_every_variable_and_nothing_else() -> None:
    documented = {
        line.split("=", 1)[0]
        for line in (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert documented == {name.upper() for name in Settings.__fields__}


def test_secrets_are_redacted_from_logs() -> None:
    record = logging.LogRecord(
        "x",
        logging.ERROR,
        __file__,
        1,
        "POST https://api/bot%s/getMe",
        ("123456:SECRET-token-value",),
        None,
    )
    log_privacy.Redactor(["123456:SECRET-token-value"]).record(record)
    assert "SECRET" not in record.getMessage()
