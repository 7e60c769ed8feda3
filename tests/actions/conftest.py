"""Helpers to run rasa-sdk actions on a hand-made tracker, as the action server would."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from bot.db import engine as db_engine
from bot.db.models import vietnam_now
from bot.settings import PROJECT_ROOT
from tests.helpers.dossier_samples import SampleDossier, store_samples


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The project's domain as the action server receives it."""
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def _sample_database(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, SampleDossier]]:
    """A migrated SQLite file with the sample dossiers, copied for every test that needs it."""
    path = tmp_path_factory.mktemp("dossier-db") / "template.db"
    url = f"sqlite:///{path}"
    db_engine.upgrade(url)
    engine = db_engine.make_engine(url)
    try:
        samples = store_samples(engine, vietnam_now())
    finally:
        engine.dispose()  # closing the last connection folds the WAL into the file
    return path, samples


@pytest.fixture
def samples(
    _sample_database: tuple[Path, dict[str, SampleDossier]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, SampleDossier]]:
    """A fresh copy of the sample database as DATABASE_URL (the actions' engine); the samples by role.

    `bot.db.engine.get_engine` keeps one engine per URL for the process: the test's engine is
    disposed of and the cache emptied afterwards, so no test sees another's database.
    """
    template, dossiers = _sample_database
    path = tmp_path / "assistant.db"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("HOTLINE_TEXT", "Tổng đài 1900 0000")
    yield dossiers
    db_engine.get_engine(url).dispose()
    db_engine._shared_engine.cache_clear()
