"""Fixtures of the staff console tests: a migrated database with demo data and three staff
accounts, on SQLite and on PostgreSQL (`TEST_POSTGRES_URL`; never skipped with CI=true), and
the console served on a free loopback port."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import aiohttp
import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from bot.admin.seed import SeedSummary, seed_demo
from bot.channels.http import serve
from bot.console import accounts
from bot.console.app import ConsoleConfig, build_app
from bot.db.engine import make_engine, run_transaction, upgrade
from tests.helpers.postgres import postgres_base_url, temporary_postgres_schema

TODAY = date(2026, 12, 1)
MONDAY_MORNING = datetime(2026, 11, 30, 9, 0)  # in the default office hours
PASSWORDS = {"minh": "mat-khau-tong-dai", "lan": "mat-khau-giam-sat", "an": "mat-khau-quan-tri"}
ROLES = {"minh": "hotline", "lan": "supervisor", "an": "admin"}
IDLE = timedelta(minutes=30)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fees in force on `TODAY` (the 50 % reduction of 1.014063 ends on 31/12/2026)."""
    monkeypatch.setenv("ASSISTANT_TODAY", TODAY.isoformat())


@pytest.fixture(autouse=True)
def fast_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id still, with small costs: the production ones take about half a second a hash
    on this machine, and the tests hash dozens of times."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_HASHER", hasher)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hasher.hash("dummy"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'console.db'}"
    else:
        with temporary_postgres_schema(postgres_base_url(), "console") as url:
            yield url


@dataclass(frozen=True)
class ConsoleDb:
    url: str
    engine: Engine
    seeded: SeedSummary


@pytest.fixture
def console_db(database_url: str) -> Iterator[ConsoleDb]:
    """Migrated, 300 demo dossiers (with survey responses), and the accounts of `ROLES`."""
    upgrade(database_url)
    engine = make_engine(database_url)
    seeded = seed_demo(engine, 300, today=TODAY)
    for name, role in ROLES.items():
        run_transaction(
            lambda s, name=name, role=role: accounts.add_account(s, name, role, PASSWORDS[name]),
            engine,
        )
    yield ConsoleDb(database_url, engine, seeded)
    engine.dispose()


@dataclass
class Console:
    url: str
    db: ConsoleDb

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[aiohttp.ClientSession]:
        """A browser-like client that keeps cookies, also for 127.0.0.1."""
        async with aiohttp.ClientSession(
            self.url, cookie_jar=aiohttp.CookieJar(unsafe=True)
        ) as session:
            yield session

    @contextlib.asynccontextmanager
    async def logged_in(self, name: str) -> AsyncIterator[aiohttp.ClientSession]:
        async with self.client() as session:
            response = await login(session, name, PASSWORDS[name])
            assert response.status == 302 and response.headers["Location"] == "/", (
                await response.text()
            )
            yield session


async def login(session: aiohttp.ClientSession, name: str, password: str) -> aiohttp.ClientResponse:
    async with session.get("/login") as page:
        token = CSRF.search(await page.text()).group(1)
    form = {"csrf": token, "username": name, "password": password}
    async with session.post("/login", data=form, allow_redirects=False) as response:
        await response.read()
        return response


async def csrf_of(session: aiohttp.ClientSession, path: str) -> str:
    async with session.get(path) as page:
        return CSRF.search(await page.text()).group(1)


@contextlib.asynccontextmanager
async def running_console(db: ConsoleDb, secure_cookies: bool = False) -> AsyncIterator[Console]:
    app = build_app(ConsoleConfig(db.engine, IDLE, secure_cookies))
    async with serve(app, "127.0.0.1", 0) as port:
        yield Console(f"http://127.0.0.1:{port}", db)


@pytest.fixture
async def console(console_db: ConsoleDb) -> AsyncIterator[Console]:
    async with running_console(console_db) as running:
        yield running
