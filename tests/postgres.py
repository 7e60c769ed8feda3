"""Where the PostgreSQL variants of the tests connect (`TEST_POSTGRES_URL`, see
scripts/start_test_services.sh): skipped without it, except in CI where they fail instead."""

from __future__ import annotations

import os

import pytest


def postgres_base_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        return url
    message = 'TEST_POSTGRES_URL is not set: run `eval "$(scripts/start_test_services.sh)"`'
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: PostgreSQL tests may not be skipped)")
    pytest.skip(message)
