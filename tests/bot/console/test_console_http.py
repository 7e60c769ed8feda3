"""The staff console over HTTP: logins, sessions, CSRF, lockouts, roles, and each page's content."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import func, select, update

from bot import handoff, wording
from bot.channels.http import serve
from bot.console import accounts
from bot.console.app import ConsoleConfig, build_app
from bot.db.engine import make_engine, run_transaction
from bot.db.models import LoginFailure, StaffAudit, SurveyResponse, vietnam_now
from tests.bot.console.conftest import (
    IDLE,
    PASSWORDS,
    Console,
    ConsoleDb,
    csrf_of,
    login,
    running_console,
)

PAGES = [
    "/",
    "/?q=khai+sinh",
    "/procedures/1.014063",
    "/dossiers",
    "/surveys",
    "/surveys.csv",
    "/audit",
    "/inbox",
    "/inbox.json",
    "/staff",
    "/api/search?q=cccd",
]


async def test_every_page_but_login_redirects_there_without_a_session(console: Console) -> None:
    async with console.client() as client:
        for path in PAGES:
            async with client.get(path, allow_redirects=False) as response:
                assert (response.status, response.headers.get("Location")) == (302, "/login"), path
        async with client.post(
            "/inbox/1/reply", data={"text": "x"}, allow_redirects=False
        ) as response:
            assert response.status == 302
        async with client.get("/login") as response:
            assert response.status == 200 and "Đăng nhập" in await response.text()


async def test_login_sets_a_strict_http_only_session_cookie(console: Console) -> None:
    async with console.client() as client:
        response = await login(client, "minh", PASSWORDS["minh"])
        cookie = response.cookies["console_session"]
        assert cookie["httponly"] and cookie["samesite"] == "Strict" and not cookie["secure"]
        async with client.get("/") as page:
            assert page.status == 200 and "minh" in await page.text()
            assert "script-src 'self'" in page.headers["Content-Security-Policy"]


async def test_the_cookies_are_secure_behind_tls(console_db: ConsoleDb) -> None:
    async with (
        running_console(console_db, secure_cookies=True) as console,
        console.client() as client,
    ):
        async with client.get("/login") as page:
            token = page.cookies["console_login_csrf"]
            assert token["secure"] and token["httponly"] and token["samesite"] == "Strict"
        form = {"csrf": token.value, "username": "minh", "password": PASSWORDS["minh"]}
        headers = {"Cookie": f"console_login_csrf={token.value}"}  # as a browser would over https
        async with client.post(
            "/login", data=form, headers=headers, allow_redirects=False
        ) as response:
            assert response.status == 302 and response.cookies["console_session"]["secure"]


async def test_wrong_password_and_unknown_name_look_alike(console: Console) -> None:
    async with console.client() as client:
        wrong = await login(client, "minh", "not-the-password")
        unknown = await login(client, "nobody", "not-the-password")
        assert wrong.status == unknown.status == 401
        assert "console_session" not in wrong.cookies


async def test_forms_without_the_right_csrf_token_are_refused(console: Console) -> None:
    async with console.client() as client:
        async with client.get("/login"):
            pass
        form = {"csrf": "forged", "username": "minh", "password": PASSWORDS["minh"]}
        async with client.post("/login", data=form, allow_redirects=False) as response:
            assert response.status == 403 and "console_session" not in response.cookies
    conversation = run_transaction(
        lambda s: handoff.open_handoff(s, "web:abcdef12", "{}", True), console.db.engine
    )
    async with console.logged_in("minh") as client:
        for path in ("/logout", f"/inbox/{conversation}/reply", f"/inbox/{conversation}/close"):
            async with client.post(path, data={"csrf": "forged", "text": "Chào bạn"}) as response:
                assert response.status == 403, path
                assert "mã chống giả mạo" in await response.text()
        async with client.get("/") as still_logged_in:
            assert still_logged_in.status == 200 and str(still_logged_in.url).endswith("/")
    view = run_transaction(lambda s: handoff.conversation_view(s, conversation), console.db.engine)
    assert view is not None and view.messages == [] and view.closed_at is None


async def test_five_failures_lock_the_address_for_fifteen_minutes(console: Console) -> None:
    async with console.client() as client:
        for _ in range(accounts.LOCKOUT_FAILURES):
            assert (await login(client, "minh", "wrong-password")).status == 401
        locked = await login(client, "minh", PASSWORDS["minh"])
        other_account = await login(client, "lan", PASSWORDS["lan"])  # same address
        assert locked.status == other_account.status == 429
    failures = run_transaction(
        lambda s: s.execute(select(func.count(LoginFailure.id))).scalar_one(), console.db.engine
    )
    assert (
        failures == accounts.LOCKOUT_FAILURES
    )  # refused logins while locked do not extend the lock


def test_an_account_locks_from_any_address_and_unlocks_after_fifteen_minutes(
    console_db: ConsoleDb,
) -> None:
    now = vietnam_now()

    def attempt(password: str, address: str, at: timedelta = timedelta()) -> accounts.LoginKind:
        return run_transaction(
            lambda s: accounts.login(s, "minh", password, address, IDLE, now + at).kind,
            console_db.engine,
        )

    for number in range(accounts.LOCKOUT_FAILURES):
        assert attempt("wrong-password", f"10.0.0.{number}") is accounts.LoginKind.INVALID
    assert attempt(PASSWORDS["minh"], "10.9.9.9") is accounts.LoginKind.LOCKED
    assert (
        attempt(PASSWORDS["minh"], "10.9.9.9", timedelta(minutes=14)) is accounts.LoginKind.LOCKED
    )
    assert (
        attempt(PASSWORDS["minh"], "10.9.9.9", timedelta(minutes=15, seconds=1))
        is accounts.LoginKind.OK
    )


def test_an_idle_session_expires(console_db: ConsoleDb) -> None:
    now = vietnam_now()
    result = run_transaction(
        lambda s: accounts.login(s, "minh", PASSWORDS["minh"], "a", IDLE, now), console_db.engine
    )

    def user(after: timedelta) -> accounts.StaffUser | None:
        """A request `after` this long, as the console makes it: check, then refresh if stale."""
        check = run_transaction(
            lambda s: accounts.check_session(s, result.token, IDLE, now + after),
            console_db.engine,
            read_only=True,
        )
        if check.stale:
            run_transaction(
                lambda s: accounts.refresh_session(s, result.token, check, now + after),
                console_db.engine,
            )
        return check.user

    assert user(timedelta(minutes=29)) is not None
    assert user(timedelta(minutes=58)) is not None  # the request at 29 min kept it alive
    assert user(timedelta(minutes=90)) is None
    assert user(timedelta(minutes=91)) is None  # gone for good


async def test_disabled_accounts_lose_their_sessions(console: Console) -> None:
    async with console.logged_in("minh") as client:
        assert run_transaction(lambda s: accounts.disable_account(s, "minh"), console.db.engine)
        async with client.get("/", allow_redirects=False) as response:
            assert response.status == 302
        assert (await login(client, "minh", PASSWORDS["minh"])).status == 401


@pytest.mark.parametrize("path", ["/surveys", "/surveys.csv", "/audit", "/staff"])
async def test_hotline_staff_cannot_open_supervisor_pages(console: Console, path: str) -> None:
    async with console.logged_in("minh") as client, client.get(path) as response:
        assert response.status == 403
        assert "không có quyền" in await response.text()


async def test_supervisors_see_surveys_but_only_admins_manage_accounts(console: Console) -> None:
    async with console.logged_in("lan") as client:
        assert (await client.get("/surveys")).status == 200
        assert (await client.get("/staff")).status == 403
    async with console.logged_in("an") as client:
        assert (await client.get("/surveys")).status == 200
        token = await csrf_of(client, "/staff")
        form = {"csrf": token, "username": "hoa", "role": "hotline", "password": "mat-khau-moi-hoa"}
        async with client.post("/staff", data=form) as response:
            assert response.status == 200 and "hoa" in await response.text()
        form = {"csrf": token, "username": "hoa"}
        async with client.post("/staff/disable", data=form) as response:
            assert "đã khoá" in await response.text()


async def test_lookup_renders_results_without_javascript(console: Console) -> None:
    async with console.logged_in("minh") as client:
        async with client.get("/", params={"q": "cap doi can cuoc"}) as response:
            page = await response.text()
        assert 'href="/procedures/1.014063"' in page
        async with client.get("/api/search", params={"q": "cấp đổi căn cước"}) as response:
            hits = (await response.json())["hits"]
        assert hits[0]["code"] == "1.014063"


async def test_procedure_page_shows_todays_fee_and_the_bots_answer(console: Console) -> None:
    async with console.logged_in("minh") as client:
        async with client.get("/procedures/1.014063") as response:
            page = await response.text()
        assert "Cấp đổi thẻ căn cước" in page and "25.000 đồng" in page
        assert "https://dichvucong.gov.vn" in page and 'id="copy-answer"' in page
        assert "(mã 1.014063)" in page  # the footer of the assistant's own answer
        async with client.get("/procedures/9.999999") as response:
            assert response.status == 404 and "Không có thủ tục" in await response.text()


async def test_a_dossier_view_is_masked_and_audited(console: Console) -> None:
    sample = console.db.seeded.samples[-1]  # a returned dossier
    async with console.logged_in("minh") as client:
        async with client.get("/dossiers", params={"code": sample.code.lower()}) as response:
            page = await response.text()
        assert sample.code in page and f"***{sample.phone_last4}" in page
        assert "Lịch sử xử lý" in page and "Nhật ký xem hồ sơ này" not in page  # hotline: no audit
        async with client.get(
            "/dossiers", params={"code": "000.00.00.X00-000000-0000"}
        ) as response:
            assert response.status == 404 and "Không có hồ sơ" in await response.text()
    async with (
        console.logged_in("lan") as client,
        client.get("/audit", params={"code": sample.code}) as response,
    ):
        audit = await response.text()
    assert "minh" in audit and sample.code in audit
    rows = run_transaction(
        lambda s: s.execute(select(StaffAudit.subject)).scalars().all(), console.db.engine
    )
    assert rows == [sample.code]


async def test_survey_dashboard_has_charts_filters_and_csv(console: Console) -> None:
    async with console.logged_in("lan") as client:
        async with client.get("/surveys") as response:
            page = await response.text()
        assert page.count('<svg class="chart"') == 3 and "Thái độ của cán bộ, công chức" in page
        async with client.get("/surveys", params={"agency": "1"}) as response:
            filtered = await response.text()
        async with client.get("/surveys", params={"since": "2099-01-01"}) as response:
            empty = await response.text()
        async with client.get("/surveys", params={"since": "hôm qua"}) as response:
            assert "Ngày lọc không hợp lệ" in await response.text()
        async with client.get("/surveys.csv") as response:
            assert response.content_type == "text/csv"
            rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    total = console.db.seeded.surveys
    assert f'id="response-count">{total}<' in page
    assert rows[1][:3] == ["tổng", "tất cả", str(total)] and len(rows[0]) == 13
    assert 'id="response-count">0<' in empty
    assert f'id="response-count">{total}<' not in filtered


async def test_staff_reply_and_close_in_the_inbox(console: Console) -> None:
    engine = console.db.engine
    context = handoff.context_json(
        {"code": "1.014063", "name": "Cấp đổi thẻ căn cước"}, ["Lệ phí 25.000 đồng"]
    )
    conversation = run_transaction(
        lambda s: handoff.open_handoff(s, "web:abcdef12", context, True), engine
    )
    run_transaction(
        lambda s: handoff.add_citizen_message(s, conversation, "Tôi cần hỏi thêm"), engine
    )
    async with console.logged_in("minh") as client:
        async with client.get("/inbox.json") as response:
            [row] = (await response.json())["conversations"]
        assert row["waiting"] and row["last_text"] == "Tôi cần hỏi thêm"
        async with client.get(f"/inbox/{conversation}") as response:
            page = await response.text()
        assert "Cấp đổi thẻ căn cước" in page and "Lệ phí 25.000 đồng" in page
        token = await csrf_of(client, f"/inbox/{conversation}")
        await client.post(
            f"/inbox/{conversation}/reply", data={"csrf": token, "text": "Chào bạn, mình là Minh"}
        )
        assert run_transaction(lambda s: handoff.take_web_replies(s, "web:abcdef12"), engine) == [
            "Chào bạn, mình là Minh"
        ]
        await client.post(f"/inbox/{conversation}/close", data={"csrf": token})
        async with client.post(
            f"/inbox/{conversation}/reply", data={"csrf": token, "text": "Còn đó không?"}
        ) as late:
            assert late.status == 409
    assert run_transaction(lambda s: handoff.take_web_replies(s, "web:abcdef12"), engine) == [
        wording.HandoffTexts.CLOSED_BY_STAFF
    ]
    assert run_transaction(lambda s: handoff.open_handoff_of(s, "web:abcdef12"), engine) is None


async def _csv_totals(client: aiohttp.ClientSession) -> list[str]:
    async with client.get("/surveys.csv") as response:
        rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    return rows[1]  # "tổng", "tất cả", responses, satisfied %, criteria …


async def test_the_dashboard_follows_new_and_changed_responses(console: Console) -> None:
    total = console.db.seeded.surveys
    engine = console.db.engine
    async with console.logged_in("lan") as client:
        before = await _csv_totals(client)
        assert before[2] == str(total)
        now = vietnam_now()
        old_day = now.replace(year=now.year - 1)  # counted already: its day must be recounted
        run_transaction(
            lambda s: s.add(
                SurveyResponse(
                    overall_level=3,
                    staff_attitude=2,
                    comment="Cán bộ rất nhiệt tình",
                    created_at=old_day,
                    updated_at=now,
                    idempotency_key="test-new-response",
                )
            ),
            engine,
        )
        page = await (await client.get("/surveys")).text()
        assert f'id="response-count">{total + 1}<' in page and "Cán bộ rất nhiệt tình" in page
        satisfied = run_transaction(
            lambda s: (
                s.execute(select(SurveyResponse).where(SurveyResponse.overall_level == 3).limit(1))
                .scalar_one()
                .id
            ),
            engine,
        )
        run_transaction(
            lambda s: s.execute(
                update(SurveyResponse)
                .where(SurveyResponse.id == satisfied)
                .values(overall_level=1, updated_at=vietnam_now())
            ),
            engine,
        )
        after = await _csv_totals(client)
    # one satisfied response more, one satisfied response now unsatisfied: as many satisfied
    satisfied_before = round(float(before[3]) * total / 100)
    assert after[2] == str(total + 1)
    assert abs(float(after[3]) - 100 * satisfied_before / (total + 1)) < 0.05


async def test_failures_get_a_vietnamese_page(console: Console, tmp_path) -> None:
    async with console.logged_in("minh") as client, client.get("/khong-co-trang-nay") as response:
        assert response.status == 404 and "Không có trang này." in await response.text()
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables: every query fails
    try:
        app = build_app(ConsoleConfig(empty, IDLE))
        async with serve(app, "127.0.0.1", 0) as port, aiohttp.ClientSession() as client:
            headers = {"Cookie": "console_session=anything"}
            async with client.get(f"http://127.0.0.1:{port}/", headers=headers) as response:
                page = await response.text()
    finally:
        empty.dispose()
    assert response.status == 503 and "Cơ sở dữ liệu tạm thời không truy cập được" in page
    assert "Traceback" not in page
