"""Staff accounts, logins, sessions and the audit log of the console.

- Passwords: Argon2id (argon2-cffi's defaults); only the hash is stored.
- Login: 5 failures within 15 minutes lock the account name, and separately the network
  address, for 15 minutes after the last failure; a locked login is refused before the
  password is checked and does not extend the lock.
- Sessions: a random cookie whose SHA-256 is stored with the session's CSRF token; a session
  idle longer than `CONSOLE_IDLE_MINUTES` is gone.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.db.models import (
    STAFF_ROLES,
    LoginFailure,
    StaffAccount,
    StaffAudit,
    StaffSession,
    vietnam_now,
)

LOCKOUT_FAILURES = 5
LOCKOUT_PERIOD = timedelta(minutes=15)
TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most this often per session
MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
VIEW_DOSSIER = "view_dossier"
_HASHER = PasswordHasher()  # Argon2id
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))  # checked for unknown names: same time taken


class AccountError(ValueError):
    """A username, role or password that cannot be used; the message is Vietnamese."""


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    role: str
    csrf_token: str

    def may(self, role: str) -> bool:
        """Whether this user has `role` or one above it."""
        return STAFF_ROLES.index(self.role) >= STAFF_ROLES.index(role)


@dataclass(frozen=True)
class AccountRow:
    username: str
    role: str
    created_at: datetime
    disabled_at: datetime | None
    last_login_at: datetime | None


def normalize_username(username: str) -> str:
    return username.strip().lower()


# --- accounts -------------------------------------------------------------------------------


def add_account(
    session: Session, username: str, role: str, password: str, now: datetime | None = None
) -> None:
    name = normalize_username(username)
    if not USERNAME.fullmatch(name):
        raise AccountError(
            "Tên đăng nhập gồm 2–64 ký tự a-z, 0-9, dấu chấm, gạch dưới hoặc gạch ngang."
        )
    if role not in STAFF_ROLES:
        raise AccountError(f"Vai trò phải là một trong: {', '.join(STAFF_ROLES)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    if session.execute(select(StaffAccount.id).where(StaffAccount.username == name)).first():
        raise AccountError(f"Tài khoản {name} đã có.")
    session.add(
        StaffAccount(
            username=name,
            role=role,
            password_hash=_HASHER.hash(password),
            created_at=now or vietnam_now(),
        )
    )


def list_accounts(session: Session) -> list[AccountRow]:
    accounts = session.execute(select(StaffAccount).order_by(StaffAccount.username)).scalars()
    return [
        AccountRow(a.username, a.role, a.created_at, a.disabled_at, a.last_login_at)
        for a in accounts
    ]


def disable_account(session: Session, username: str, now: datetime | None = None) -> bool:
    """Disable the account and end its sessions; False when there is no such account."""
    account = session.execute(
        select(StaffAccount).where(StaffAccount.username == normalize_username(username))
    ).scalar_one_or_none()
    if account is None:
        return False
    account.disabled_at = account.disabled_at or now or vietnam_now()
    session.execute(delete(StaffSession).where(StaffSession.staff_id == account.id))
    return True


# --- login ----------------------------------------------------------------------------------


class LoginKind(str, enum.Enum):
    OK = "ok"
    INVALID = "invalid"  # unknown name, wrong password or disabled account: not told apart
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginResult:
    kind: LoginKind
    token: str = ""  # the session cookie, when OK
    locked_until: datetime | None = None


def login(
    session: Session,
    username: str,
    password: str,
    address: str,
    idle: timedelta,
    now: datetime | None = None,
) -> LoginResult:
    """Check the password under the lockouts; on success a new session (older idle ones go)."""
    now = now or vietnam_now()
    name = normalize_username(username)[:64]
    address = address[:64]
    locked_until = _locked_until(session, name, address, now)
    if locked_until is not None:
        return LoginResult(LoginKind.LOCKED, locked_until=locked_until)
    account = session.execute(
        select(StaffAccount).where(StaffAccount.username == name)
    ).scalar_one_or_none()
    if not _password_matches(account.password_hash if account else _DUMMY_HASH, password) or (
        account is None or account.disabled_at is not None
    ):
        session.add(LoginFailure(username=name, address=address, at=now))
        return LoginResult(LoginKind.INVALID)
    session.execute(delete(LoginFailure).where(LoginFailure.username == name))
    if _HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = _HASHER.hash(password)
    account.last_login_at = now
    purge_idle_sessions(session, idle, now)
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_token_hash(token),
            staff_id=account.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
        )
    )
    return LoginResult(LoginKind.OK, token=token)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _locked_until(session: Session, name: str, address: str, now: datetime) -> datetime | None:
    since = now - LOCKOUT_PERIOD
    ends = []
    for column, value in ((LoginFailure.username, name), (LoginFailure.address, address)):
        count, last = session.execute(
            select(func.count(LoginFailure.id), func.max(LoginFailure.at)).where(
                column == value, LoginFailure.at > since
            )
        ).one()
        if count >= LOCKOUT_FAILURES:
            ends.append(last + LOCKOUT_PERIOD)
    return max(ends) if ends else None


# --- sessions -------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionCheck:
    """What a session cookie is worth now. `stale`: the session must be written, kept alive
    (`user` set) or deleted (`user` None: idle too long, or its account disabled)."""

    user: StaffUser | None
    stale: bool = False


def check_session(
    session: Session, token: str, idle: timedelta, now: datetime | None = None
) -> SessionCheck:
    """Read-only: every request pays this; only a stale session costs a write
    (`refresh_session`), at most once a minute per session."""
    if not token:
        return SessionCheck(None)
    now = now or vietnam_now()
    row = session.execute(
        select(StaffSession.last_seen_at, StaffSession.csrf_token, StaffAccount)
        .join(StaffAccount, StaffSession.staff_id == StaffAccount.id)
        .where(StaffSession.token_hash == _token_hash(token))
    ).first()
    if row is None:
        return SessionCheck(None)
    last_seen, csrf_token, account = row
    if account.disabled_at is not None or last_seen <= now - idle:
        return SessionCheck(None, stale=True)
    user = StaffUser(account.id, account.username, account.role, csrf_token)
    return SessionCheck(user, stale=last_seen <= now - TOUCH_EVERY)


def refresh_session(
    session: Session, token: str, check: SessionCheck, now: datetime | None = None
) -> None:
    """Keep a live session alive, or delete a dead one (see `SessionCheck`)."""
    if check.user is None:
        logout(session, token)
    else:
        session.execute(
            update(StaffSession)
            .where(StaffSession.token_hash == _token_hash(token))
            .values(last_seen_at=now or vietnam_now())
        )


def logout(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def purge_idle_sessions(session: Session, idle: timedelta, now: datetime | None = None) -> None:
    session.execute(
        delete(StaffSession).where(StaffSession.last_seen_at <= (now or vietnam_now()) - idle)
    )


# --- audit ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    username: str
    action: str
    subject: str
    at: datetime


def record_view(
    session: Session, staff_id: int, dossier_code: str, now: datetime | None = None
) -> None:
    session.add(
        StaffAudit(
            staff_id=staff_id, action=VIEW_DOSSIER, subject=dossier_code, at=now or vietnam_now()
        )
    )


def audit_entries(session: Session, subject: str | None = None, limit: int = 100) -> list[AuditRow]:
    """The latest audit entries, of one dossier code if given."""
    query = select(
        StaffAccount.username, StaffAudit.action, StaffAudit.subject, StaffAudit.at
    ).join(StaffAccount, StaffAudit.staff_id == StaffAccount.id)
    if subject:
        query = query.where(StaffAudit.subject == subject)
    rows = session.execute(query.order_by(StaffAudit.at.desc(), StaffAudit.id.desc()).limit(limit))
    return [AuditRow(*row) for row in rows]
