"""The staff console: a server-rendered aiohttp + Jinja2 web app (Vietnamese, works offline).

Every page but /login needs a live session (else a redirect to /login); every POST carries
the CSRF token of its form (else 403); pages check the role (hotline < supervisor < admin,
else 403). Database work runs in threads (`asyncio.to_thread`), one transaction each.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.answers import overview_answer
from bot import handoff
from bot.console import accounts, surveys
from bot.console.accounts import LoginKind, StaffUser
from bot.console.charts import bar_chart
from bot.console.dossiers import staff_dossier
from bot.db.engine import run_transaction_in_thread
from bot.db.models import STAFF_ROLES
from procedures_kb.cli import document_line
from procedures_kb.fees import fees_in_force, parse_date, today
from procedures_kb.format import method_line, where_to_file
from procedures_kb.search import default_index, search
from procedures_kb.store import default_records

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
SESSION_COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
CSRF_FIELD = "csrf"
SEARCH_LIMIT = 10
MAX_QUERY_CHARS = 200
MAX_REPLY_CHARS = 2000
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
T = TypeVar("T")
_H = TypeVar("_H", bound=Callable[..., Awaitable[web.StreamResponse]])


@dataclass(frozen=True)
class ConsoleConfig:
    engine: Engine
    idle: timedelta
    secure_cookies: bool = False


CONFIG_KEY = web.AppKey("console_config", ConsoleConfig)
TEMPLATES_KEY = web.AppKey("templates", jinja2.Environment)
SURVEY_DAYS_KEY = web.AppKey("survey_days", surveys.DayTallies)


def requires(role: str) -> Callable[[_H], _H]:
    """Mark a handler as needing `role` or above (checked by `authenticate`)."""

    def mark(handler: _H) -> _H:
        handler.required_role = role  # type: ignore[attr-defined]
        return handler

    return mark


def build_app(config: ConsoleConfig) -> web.Application:
    app = web.Application(client_max_size=64 * 1024, middlewares=[security_headers, authenticate])
    app[CONFIG_KEY] = config
    app[SURVEY_DAYS_KEY] = surveys.DayTallies()
    app[TEMPLATES_KEY] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login_submit)
    app.router.add_post("/logout", logout)
    app.router.add_get("/", lookup_page)
    app.router.add_get("/api/search", search_api)
    app.router.add_get("/procedures/{code}", procedure_page)
    app.router.add_get("/dossiers", dossier_page)
    app.router.add_get("/audit", audit_page)
    app.router.add_get("/surveys", surveys_page)
    app.router.add_get("/surveys.csv", surveys_csv)
    app.router.add_get("/inbox", inbox_page)
    app.router.add_get("/inbox.json", inbox_json)
    app.router.add_get("/inbox/{id:\\d+}", conversation_page)
    app.router.add_get("/inbox/{id:\\d+}/messages.json", messages_json)
    app.router.add_post("/inbox/{id:\\d+}/reply", reply_submit)
    app.router.add_post("/inbox/{id:\\d+}/close", close_submit)
    app.router.add_get("/staff", staff_page)
    app.router.add_post("/staff", staff_add)
    app.router.add_post("/staff/disable", staff_disable)
    app.router.add_static("/static/", HERE / "static")
    app.on_startup.append(_warm_up)  # type: ignore[arg-type]  # aiohttp's stubs type Signal's items oddly
    return app


async def _warm_up(_app: web.Application) -> None:
    """Build the search index and load the records before the first page needs them (seconds)."""
    await asyncio.to_thread(lambda: (default_index(), default_records()))


# --- plumbing -------------------------------------------------------------------------------


async def in_db(
    request: web.Request, work: Callable[[Session], T], *, read_only: bool = False
) -> T:
    engine = request.app[CONFIG_KEY].engine
    return await run_transaction_in_thread(work, engine, read_only=read_only)


def staff_of(request: web.Request) -> StaffUser:
    return request["staff"]


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    page = request.app[TEMPLATES_KEY].get_template(template)
    staff = request.get("staff")
    html = page.render(
        staff=staff, csrf=staff.csrf_token if staff else "", path=request.path, **context
    )
    return web.Response(text=html, content_type="text/html", status=status)


def problem(request: web.Request, status: int, message: str) -> web.Response:
    return render(request, "problem.html", status=status, message=message)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every page, and a Vietnamese page for every failure."""
    try:
        response = await handler(request)
    except web.HTTPNotFound:
        response = problem(request, 404, "Không có trang này.")
    except web.HTTPMethodNotAllowed:
        response = problem(request, 405, "Trang này không nhận yêu cầu kiểu đó.")
    except web.HTTPException as error:
        response = error
    except SQLAlchemyError as error:
        log.error("Console: database unavailable (%s)", type(error).__name__)
        response = problem(
            request, 503, "Cơ sở dữ liệu tạm thời không truy cập được. Bạn thử lại sau ít phút."
        )
    if not request.path.startswith("/static/"):
        response.headers.update(SECURITY_HEADERS)
    return response


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Session, CSRF and role checks in front of every handler but /login and /static."""
    if request.path == "/login" or request.path.startswith("/static/"):
        return await handler(request)
    config = request.app[CONFIG_KEY]
    token = request.cookies.get(SESSION_COOKIE, "")
    check = await in_db(
        request, lambda s: accounts.check_session(s, token, config.idle), read_only=True
    )
    if check.stale:
        await in_db(request, lambda s: accounts.refresh_session(s, token, check))
    staff = check.user
    if staff is None:
        raise web.HTTPFound("/login")
    request["staff"] = staff
    if request.method == "POST":
        form = await request.post()
        if not hmac.compare_digest(str(form.get(CSRF_FIELD, "")), staff.csrf_token):
            return problem(
                request,
                403,
                "Phiên làm việc không hợp lệ (mã chống giả mạo sai). "
                "Bạn tải lại trang rồi thử lại.",
            )
    required = getattr(handler, "required_role", STAFF_ROLES[0])
    if not staff.may(required):
        return problem(request, 403, "Tài khoản của bạn không có quyền xem trang này.")
    return await handler(request)


def client_address(request: web.Request) -> str:
    return request.remote or "unknown"


def _cookie(response: web.StreamResponse, request: web.Request, name: str, value: str) -> None:
    secure = request.secure or request.app[CONFIG_KEY].secure_cookies
    response.set_cookie(name, value, httponly=True, samesite="Strict", secure=secure, path="/")


# --- login ----------------------------------------------------------------------------------


async def login_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    # The browser's token is kept: a second tab, or the favicon redirected here, must not
    # invalidate the form already shown.
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", status=status, login_csrf=token, error=error)
    _cookie(response, request, LOGIN_CSRF_COOKIE, token)
    return response


async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(str(form.get(CSRF_FIELD, "")), expected):
        return await login_page(request, "Phiên đăng nhập đã hết hạn, bạn thử lại.", status=403)
    config = request.app[CONFIG_KEY]
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    result = await in_db(
        request,
        lambda s: accounts.login(s, username, password, client_address(request), config.idle),
    )
    if result.kind is LoginKind.LOCKED:
        until = result.locked_until.strftime("%H:%M") if result.locked_until else ""
        return await login_page(
            request, f"Đăng nhập sai quá nhiều lần. Bạn thử lại sau {until}.", status=429
        )
    if result.kind is LoginKind.INVALID:
        return await login_page(request, "Tên đăng nhập hoặc mật khẩu không đúng.", status=401)
    response = web.HTTPFound("/")
    _cookie(response, request, SESSION_COOKIE, result.token)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    token = request.cookies.get(SESSION_COOKIE, "")
    await in_db(request, lambda s: accounts.logout(s, token))
    response = web.HTTPFound("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


# --- procedures -----------------------------------------------------------------------------


def _hits(query: str) -> list[dict[str, str]]:
    query = query.strip()[:MAX_QUERY_CHARS]
    return (
        [{"code": hit.code, "name": hit.name} for hit in search(query, SEARCH_LIMIT)]
        if query
        else []
    )


async def lookup_page(request: web.Request) -> web.Response:
    query = request.query.get("q", "")
    hits = await asyncio.to_thread(_hits, query)
    return render(request, "lookup.html", query=query, hits=hits)


async def search_api(request: web.Request) -> web.Response:
    return web.json_response({"hits": await asyncio.to_thread(_hits, request.query.get("q", ""))})


async def procedure_page(request: web.Request) -> web.Response:
    record = default_records().get(request.match_info["code"])
    if record is None:
        return problem(request, 404, "Không có thủ tục với mã này trong cơ sở dữ liệu.")
    on = today()
    documents: dict[str, list[str]] = {}
    for row in record["documents"]:
        line = document_line(row).removeprefix("- ")  # the list shows its own bullets
        documents.setdefault(row["group"] or "Giấy tờ chung", []).append(line)
    return render(
        request,
        "procedure.html",
        record=record,
        on=on,
        where=where_to_file(record),
        methods=[method_line(record, fee) for fee in fees_in_force(record, on)],
        notes=list(dict.fromkeys(m["note"] for m in record["methods"] if m["note"])),
        documents=documents,
        answer=overview_answer(record, on).text,
    )


# --- dossiers -------------------------------------------------------------------------------


async def dossier_page(request: web.Request) -> web.Response:
    code = request.query.get("code", "").strip()[:64]
    if not code:
        return render(request, "dossiers.html", code="", dossier=None, audit=[])
    staff = staff_of(request)

    def look(session: Session) -> tuple[Any, list[accounts.AuditRow]]:
        found = staff_dossier(session, code)
        if found is None:
            return None, []
        accounts.record_view(session, staff.id, found.view.code)
        session.flush()
        return found, accounts.audit_entries(session, found.view.code) if staff.may(
            "supervisor"
        ) else []

    dossier, audit = await in_db(request, look)
    status = 200 if dossier else 404
    return render(request, "dossiers.html", status=status, code=code, dossier=dossier, audit=audit)


@requires("supervisor")
async def audit_page(request: web.Request) -> web.Response:
    code = request.query.get("code", "").strip()[:64] or None
    rows = await in_db(request, lambda s: accounts.audit_entries(s, code, 200), read_only=True)
    return render(request, "audit.html", rows=rows, code=code or "")


# --- surveys --------------------------------------------------------------------------------


def _filters(request: web.Request) -> tuple[surveys.Filters, str]:
    """The dashboard's filters from the query string, and a Vietnamese error if one was bad."""
    values: dict[str, date | None] = {}
    for name in ("since", "until"):
        text = request.query.get(name, "").strip()
        try:
            values[name] = parse_date(text) if text else None
        except ValueError:
            return surveys.Filters(), "Ngày lọc không hợp lệ (dạng YYYY-MM-DD); đang hiện toàn bộ."
    agency = request.query.get("agency", "")
    return surveys.Filters(
        values["since"], values["until"], int(agency) if agency.isdigit() else None
    ), ""


@requires("supervisor")
async def surveys_page(request: web.Request) -> web.Response:
    filters, error = _filters(request)
    days = request.app[SURVEY_DAYS_KEY]
    board, agency_list = await in_db(
        request,
        lambda s: (surveys.dashboard(s, filters, days), surveys.agencies(s)),
        read_only=True,
    )
    charts = {
        "criteria": bar_chart("Mức hài lòng theo tiêu chí", surveys.criterion_scores(board.total)),
        "agencies": bar_chart(
            "Hài lòng chung theo cơ quan",
            [(name, tally.satisfied_percent) for name, tally in board.by_agency],
        ),
        "months": bar_chart(
            "Số phiếu theo tháng",
            [(name, float(t.responses)) for name, t in board.by_month],
            maximum=max((t.responses for _, t in board.by_month), default=0),
            unit="phiếu",
        ),
    }
    return render(
        request,
        "surveys.html",
        board=board,
        charts=charts,
        agencies=agency_list,
        filters=filters,
        error=error,
        query=request.query_string,
    )


@requires("supervisor")
async def surveys_csv(request: web.Request) -> web.Response:
    filters, _ = _filters(request)
    days = request.app[SURVEY_DAYS_KEY]
    board = await in_db(request, lambda s: surveys.dashboard(s, filters, days), read_only=True)
    return web.Response(
        body=("\ufeff" + surveys.csv_text(board)).encode(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="khao-sat.csv"'},
    )


# --- inbox ----------------------------------------------------------------------------------


def _conversation_id(request: web.Request) -> int:
    return int(request.match_info["id"])


async def inbox_page(request: web.Request) -> web.Response:
    rows = await in_db(request, handoff.inbox, read_only=True)
    return render(request, "inbox.html", rows=rows)


async def inbox_json(request: web.Request) -> web.Response:
    rows = await in_db(request, handoff.inbox, read_only=True)
    return web.json_response(
        {
            "conversations": [
                {
                    "id": r.conversation_id,
                    "channel": r.channel,
                    "live": r.live,
                    "waiting": r.waiting,
                    "last_message_at": f"{r.last_message_at:%d/%m %H:%M}",
                    "last_text": r.last_text,
                }
                for r in rows
            ]
        }
    )


async def conversation_page(request: web.Request) -> web.Response:
    conversation_id = _conversation_id(request)
    view = await in_db(
        request, lambda s: handoff.conversation_view(s, conversation_id), read_only=True
    )
    if view is None:
        return problem(request, 404, "Không có cuộc trò chuyện này.")
    return render(request, "conversation.html", view=view, max_reply=MAX_REPLY_CHARS)


async def messages_json(request: web.Request) -> web.Response:
    after = request.query.get("after", "0")
    conversation_id = _conversation_id(request)
    view = await in_db(
        request,
        lambda s: handoff.conversation_view(
            s, conversation_id, int(after) if after.isdigit() else 0
        ),
        read_only=True,
    )
    if view is None:
        return web.json_response({"error": "Không có cuộc trò chuyện này."}, status=404)
    return web.json_response(
        {
            "closed": view.closed_at is not None,
            "messages": [
                {
                    "id": m.id,
                    "author": m.author,
                    "text": m.text,
                    "at": f"{m.at:%H:%M}",
                    "state": m.state,
                }
                for m in view.messages
            ],
        }
    )


async def reply_submit(request: web.Request) -> web.StreamResponse:
    conversation_id = _conversation_id(request)
    text = " ".join(str((await request.post()).get("text", "")).split()).strip()
    if not text or len(text) > MAX_REPLY_CHARS:
        return problem(
            request, 400, f"Câu trả lời phải có nội dung và không quá {MAX_REPLY_CHARS} ký tự."
        )
    staff = staff_of(request)
    queued = await in_db(
        request, lambda s: handoff.add_staff_reply(s, conversation_id, staff.id, text)
    )
    if queued is None:
        return problem(request, 409, "Cuộc trò chuyện đã kết thúc hoặc không còn, không gửi được.")
    raise web.HTTPSeeOther(f"/inbox/{conversation_id}")


async def close_submit(request: web.Request) -> web.StreamResponse:
    conversation_id, staff = _conversation_id(request), staff_of(request)
    await in_db(request, lambda s: handoff.close_handoff(s, conversation_id, staff.id))
    raise web.HTTPSeeOther("/inbox")


# --- staff accounts (admin) -----------------------------------------------------------------


@requires("admin")
async def staff_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    rows = await in_db(request, accounts.list_accounts, read_only=True)
    return render(request, "staff.html", status=status, rows=rows, roles=STAFF_ROLES, error=error)


@requires("admin")
async def staff_add(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username, role = str(form.get("username", "")), str(form.get("role", ""))
    password = str(form.get("password", ""))
    try:
        await in_db(request, lambda s: accounts.add_account(s, username, role, password))
    except accounts.AccountError as error:
        return await staff_page(request, str(error), status=400)
    raise web.HTTPSeeOther("/staff")


@requires("admin")
async def staff_disable(request: web.Request) -> web.StreamResponse:
    username = str((await request.post()).get("username", ""))
    if not await in_db(request, lambda s: accounts.disable_account(s, username)):
        return await staff_page(request, "Không có tài khoản này.", status=404)
    raise web.HTTPSeeOther("/staff")
