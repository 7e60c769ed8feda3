"""Tables of the assistant (SQLAlchemy 2.0-style declarations that run on 1.4).

Conventions:
- Every timestamp is a naive datetime in Vietnam local time (UTC+7, no daylight saving),
  the time citizens and one-stop desks speak in; `vietnam_now()` gives the current one.
- No phone or identity number is stored: only its last 4 digits (what a citizen is asked
  for) and a salted SHA-256 (see `bot.db.privacy`).
- Statuses, channels and survey answers are small codes guarded by CHECK constraints;
  their wording lives in `bot.wording`.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta, timezone

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeMeta, Mapped, registry, relationship

from bot.wording import SATISFACTION_LABELS, STATUS_TEXTS, SURVEY_CRITERIA

VIETNAM_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


def vietnam_now() -> datetime:
    """Current Vietnam local time as a naive datetime (the storage convention)."""
    return datetime.now(VIETNAM_TZ).replace(tzinfo=None)


class Channel(str, enum.Enum):
    """How the dossier was submitted."""

    TRUC_TIEP = "truc_tiep"
    TRUC_TUYEN = "truc_tuyen"
    BUU_CHINH = "buu_chinh"


class Status(enum.IntEnum):
    """National dossier status codes."""

    MOI_DANG_KY = 1
    DUOC_TIEP_NHAN = 2
    KHONG_DUOC_TIEP_NHAN = 3
    DANG_XU_LY = 4
    YEU_CAU_BO_SUNG = 5
    YEU_CAU_NGHIA_VU_TAI_CHINH = 6
    CONG_DAN_RUT_HO_SO = 7
    DUNG_XU_LY = 8
    DA_XU_LY_XONG = 9
    DA_TRA_KET_QUA = 10


class Satisfaction(enum.IntEnum):
    """Overall satisfaction of a survey response (higher is better)."""

    KHONG_HAI_LONG = 1
    HAI_LONG = 2
    RAT_HAI_LONG = 3


assert set(STATUS_TEXTS) == {status.value for status in Status}
assert set(SATISFACTION_LABELS) == {level.value for level in Satisfaction}

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

mapper_registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class Base(metaclass=DeclarativeMeta):
    """Declarative base spelt out (not `generate_base()`) so that mypy sees a class."""

    __abstract__ = True
    registry = mapper_registry
    metadata = mapper_registry.metadata
    __init__ = mapper_registry.constructor


CODE_LENGTH = 40  # "000.00.12.H25-250103-0042" is 25 characters
HASH_LENGTH = 64  # hex SHA-256
KEY_LENGTH = 128


class Agency(Base):
    """A receiving agency (UBND or Công an cấp xã …) where results are collected."""

    __tablename__ = "agencies"

    id: Mapped[int] = Column(Integer, primary_key=True)
    code: Mapped[str] = Column(String(32), nullable=False, unique=True)
    name: Mapped[str] = Column(String(255), nullable=False)
    address: Mapped[str] = Column(String(500), nullable=False)
    phone: Mapped[str | None] = Column(String(32))


class Dossier(Base):
    """A dossier (hồ sơ) received for one procedure; code `<agency>-<yymmdd>-<nnnn>`."""

    __tablename__ = "dossiers"
    __table_args__ = (
        CheckConstraint("status BETWEEN 1 AND 10", name="status_code"),
        CheckConstraint("channel IN ('truc_tiep', 'truc_tuyen', 'buu_chinh')", name="channel_code"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    code: Mapped[str] = Column(String(CODE_LENGTH), nullable=False, unique=True, index=True)
    procedure_code: Mapped[str] = Column(String(20), nullable=False)
    procedure_name: Mapped[str] = Column(Text, nullable=False)  # denormalised for display
    agency_id: Mapped[int] = Column(ForeignKey("agencies.id"), nullable=False, index=True)
    applicant_name: Mapped[str] = Column(String(120), nullable=False)
    phone_last4: Mapped[str] = Column(String(4), nullable=False)
    phone_hash: Mapped[str] = Column(String(HASH_LENGTH), nullable=False)
    id_last4: Mapped[str | None] = Column(String(4))
    id_hash: Mapped[str | None] = Column(String(HASH_LENGTH))
    channel: Mapped[str] = Column(String(16), nullable=False)
    received_at: Mapped[datetime] = Column(DateTime, nullable=False)
    appointment_at: Mapped[datetime | None] = Column(DateTime)  # ngày hẹn trả
    status: Mapped[int] = Column(SmallInteger, nullable=False)
    supplement_request: Mapped[str | None] = Column(Text)
    completed_at: Mapped[datetime | None] = Column(DateTime)
    returned_at: Mapped[datetime | None] = Column(DateTime)

    agency: Mapped[Agency] = relationship(Agency)
    events: Mapped[list[DossierEvent]] = relationship(
        "DossierEvent",
        back_populates="dossier",
        order_by="(DossierEvent.at, DossierEvent.id)",
        cascade="all, delete-orphan",
    )


class DossierEvent(Base):
    """One status change of a dossier (its history)."""

    __tablename__ = "dossier_events"
    __table_args__ = (
        CheckConstraint("status BETWEEN 1 AND 10", name="status_code"),
        Index(None, "dossier_id", "at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    dossier_id: Mapped[int] = Column(ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[int] = Column(SmallInteger, nullable=False)
    at: Mapped[datetime] = Column(DateTime, nullable=False)
    note: Mapped[str | None] = Column(Text)

    dossier: Mapped[Dossier] = relationship(Dossier, back_populates="events")


CRITERION_COLUMNS = tuple(criterion.key for criterion in SURVEY_CRITERIA)


def _answer_column() -> Column:
    """A criterion answer: 2 (best), 1, 0 (worst) or NULL when not answered / not applicable."""
    return Column(SmallInteger)


class SurveyResponse(Base):
    """A satisfaction survey answer; at most one per dossier, or anonymous general feedback."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        CheckConstraint("overall_level BETWEEN 1 AND 3", name="overall_level_choice"),
        Index(None, "sender_hash", "created_at"),  # anonymous feedback per sender and day
        Index(None, "created_at"),  # the staff console's survey dashboard filters by date
        Index(None, "updated_at"),  # … and sees whether anything changed since it last counted
        *(
            CheckConstraint(f"{key} BETWEEN 0 AND 2", name=f"{key}_choice")
            for key in CRITERION_COLUMNS
        ),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    # Deleting a dossier keeps its answers for the statistics, as general feedback.
    dossier_id: Mapped[int | None] = Column(
        ForeignKey("dossiers.id", ondelete="SET NULL"), unique=True
    )
    overall_level: Mapped[int] = Column(SmallInteger, nullable=False)
    total_time: Mapped[int | None] = _answer_column()
    agency_time: Mapped[int | None] = _answer_column()
    trips: Mapped[int | None] = _answer_column()
    agencies_contacted: Mapped[int | None] = _answer_column()
    one_stop_desk: Mapped[int | None] = _answer_column()
    publicity: Mapped[int | None] = _answer_column()
    staff_attitude: Mapped[int | None] = _answer_column()
    feedback_handling: Mapped[int | None] = _answer_column()
    online_service: Mapped[int | None] = _answer_column()
    comment: Mapped[str | None] = Column(Text)
    source_channel: Mapped[str | None] = Column(String(32))  # messaging channel, e.g. "telegram"
    sender_hash: Mapped[str | None] = Column(String(HASH_LENGTH))
    created_at: Mapped[datetime] = Column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = Column(DateTime, nullable=False)
    # Key of the delivery that last wrote this row: a redelivered message is a no-op.
    idempotency_key: Mapped[str] = Column(String(KEY_LENGTH), nullable=False, unique=True)


assert all(key in SurveyResponse.__table__.c for key in CRITERION_COLUMNS)


class VerificationFailure(Base):
    """A failed dossier verification, kept in the database so that the limits hold across
    every action-server process (see `bot.db.services.verify_and_get_dossier`)."""

    __tablename__ = "verification_failures"
    __table_args__ = (
        Index(None, "conversation_key", "at"),
        Index(None, "dossier_code", "at"),
        Index(None, "address_key", "at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_key: Mapped[str] = Column(String(KEY_LENGTH), nullable=False)
    dossier_code: Mapped[str] = Column(String(KEY_LENGTH), nullable=False)
    # Salted hash of the citizen's network address (web chat, from the gateway), if known.
    address_key: Mapped[str | None] = Column(String(HASH_LENGTH))
    at: Mapped[datetime] = Column(DateTime, nullable=False, index=True)


class DossierVerification(Base):
    """A conversation proved, with the phone digits, that a dossier is theirs: until
    `expires_at` it may see the dossier's status and rate it. Recorded server-side, so
    that no slot value sent to the action server can stand in for it."""

    __tablename__ = "dossier_verifications"
    __table_args__ = (Index(None, "conversation_key", "dossier_code", "expires_at"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_key: Mapped[str] = Column(String(KEY_LENGTH), nullable=False)
    dossier_code: Mapped[str] = Column(String(CODE_LENGTH), nullable=False)
    verified_at: Mapped[datetime] = Column(DateTime, nullable=False)
    expires_at: Mapped[datetime] = Column(DateTime, nullable=False, index=True)


class Subscription(Base):
    """A conversation (channel + recipient id) asked to be told when a dossier's status
    changes; only after it verified the dossier. `cancelled_at` set: no longer told.
    `last_message_at` is the citizen's latest message on the channel (the Zalo interaction
    window is counted from it)."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("dossier_id", "channel", "recipient_id"),
        CheckConstraint("channel IN ('telegram', 'zalo')", name="channel_code"),
        Index(None, "channel", "recipient_id"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    dossier_id: Mapped[int] = Column(ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False)
    channel: Mapped[str] = Column(String(16), nullable=False)
    recipient_id: Mapped[str] = Column(String(64), nullable=False)  # Telegram chat id, Zalo user id
    created_at: Mapped[datetime] = Column(DateTime, nullable=False)
    cancelled_at: Mapped[datetime | None] = Column(DateTime)
    last_message_at: Mapped[datetime] = Column(DateTime, nullable=False)


class OutboxState(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"  # gave up after `bot.db.outbox.MAX_ATTEMPTS`


class OutboxMessage(Base):
    """One status-change message to one subscriber, written in the transaction that changed
    the status; at most one per (dossier, status, subscription). A pending row is due at
    `next_attempt_at`; a worker that claims it pushes that time forward by a lease, so no
    other worker takes it meanwhile. `last_error` never holds personal data."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        UniqueConstraint("dossier_id", "status", "subscription_id"),
        CheckConstraint("status BETWEEN 1 AND 10", name="status_code"),
        CheckConstraint("state IN ('pending', 'sent', 'dead')", name="state_code"),
        Index(None, "state", "next_attempt_at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    dossier_id: Mapped[int] = Column(ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False)
    subscription_id: Mapped[int] = Column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[int] = Column(SmallInteger, nullable=False)
    note: Mapped[str | None] = Column(Text)  # the event's note (what to supplement, …)
    state: Mapped[str] = Column(String(8), nullable=False, default=OutboxState.PENDING.value)
    attempts: Mapped[int] = Column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = Column(DateTime, nullable=False)
    last_error: Mapped[str | None] = Column(String(200))
    created_at: Mapped[datetime] = Column(DateTime, nullable=False)
    sent_at: Mapped[datetime | None] = Column(DateTime)


# --- staff console (bot.console) and human handoff (bot.handoff) ---------------------------

STAFF_ROLES = ("hotline", "supervisor", "admin")  # each may do what the one before it may
HANDOFF_CHANNELS = ("web", "telegram", "zalo")


class StaffAccount(Base):
    """A staff member of the console; only the Argon2id hash of the password is kept."""

    __tablename__ = "staff_accounts"
    __table_args__ = (
        CheckConstraint("role IN ('hotline', 'supervisor', 'admin')", name="role_code"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    username: Mapped[str] = Column(String(64), nullable=False, unique=True)
    role: Mapped[str] = Column(String(16), nullable=False)
    password_hash: Mapped[str] = Column(String(255), nullable=False)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False)
    disabled_at: Mapped[datetime | None] = Column(DateTime)
    last_login_at: Mapped[datetime | None] = Column(DateTime)


class StaffSession(Base):
    """A logged-in browser: the SHA-256 of its cookie (never the cookie itself) and the
    CSRF token its forms carry. Ends when idle too long or at logout."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = Column(Integer, primary_key=True)
    token_hash: Mapped[str] = Column(String(HASH_LENGTH), nullable=False, unique=True)
    staff_id: Mapped[int] = Column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), nullable=False
    )
    csrf_token: Mapped[str] = Column(String(64), nullable=False)
    created_at: Mapped[datetime] = Column(DateTime, nullable=False)
    last_seen_at: Mapped[datetime] = Column(DateTime, nullable=False, index=True)


class LoginFailure(Base):
    """A failed console login, by account name and by network address (the lockouts)."""

    __tablename__ = "staff_login_failures"
    __table_args__ = (Index(None, "username", "at"), Index(None, "address", "at"))

    id: Mapped[int] = Column(Integer, primary_key=True)
    username: Mapped[str] = Column(String(64), nullable=False)
    address: Mapped[str] = Column(String(64), nullable=False)
    at: Mapped[datetime] = Column(DateTime, nullable=False)


class StaffAudit(Base):
    """Who looked at which dossier, and when (read by supervisors)."""

    __tablename__ = "staff_audit"
    __table_args__ = (Index(None, "subject", "at"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    staff_id: Mapped[int] = Column(ForeignKey("staff_accounts.id"), nullable=False)
    action: Mapped[str] = Column(String(32), nullable=False)
    subject: Mapped[str] = Column(String(CODE_LENGTH), nullable=False)  # the dossier code
    at: Mapped[datetime] = Column(DateTime, nullable=False, index=True)


class HandoffConversation(Base):
    """A citizen's conversation handed to staff: the bot stays silent in it while open.
    `live`: during office hours, staff answer now; otherwise a message left for them.
    `context` is JSON: the procedure discussed and the bot's last answers."""

    __tablename__ = "handoff_conversations"
    __table_args__ = (
        CheckConstraint("channel IN ('web', 'telegram', 'zalo')", name="channel_code"),
        Index(None, "sender_id", "closed_at"),
        Index(None, "closed_at", "last_message_at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    sender_id: Mapped[str] = Column(
        String(KEY_LENGTH), nullable=False
    )  # the gateway's "web:<uuid>"
    channel: Mapped[str] = Column(String(16), nullable=False)
    recipient_id: Mapped[str] = Column(String(KEY_LENGTH), nullable=False)
    live: Mapped[bool] = Column(Boolean, nullable=False)
    context: Mapped[str] = Column(Text, nullable=False)
    opened_at: Mapped[datetime] = Column(DateTime, nullable=False)
    last_message_at: Mapped[datetime] = Column(DateTime, nullable=False)
    closed_at: Mapped[datetime | None] = Column(DateTime)
    closed_by: Mapped[int | None] = Column(ForeignKey("staff_accounts.id"))


class HandoffMessage(Base):
    """One message of a handed-off conversation. A staff reply is `pending` until the
    gateway delivered it to the citizen's channel (`sent`), or gave up (`dead`)."""

    __tablename__ = "handoff_messages"
    __table_args__ = (
        CheckConstraint("author IN ('citizen', 'staff')", name="author_code"),
        CheckConstraint("state IN ('received', 'pending', 'sent', 'dead')", name="state_code"),
        Index(None, "conversation_id", "id"),
        Index(None, "state", "next_attempt_at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[int] = Column(
        ForeignKey("handoff_conversations.id", ondelete="CASCADE"), nullable=False
    )
    author: Mapped[str] = Column(String(8), nullable=False)
    staff_id: Mapped[int | None] = Column(ForeignKey("staff_accounts.id"))
    text: Mapped[str] = Column(Text, nullable=False)
    at: Mapped[datetime] = Column(DateTime, nullable=False)
    state: Mapped[str] = Column(String(8), nullable=False)
    attempts: Mapped[int] = Column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime | None] = Column(DateTime)
    sent_at: Mapped[datetime | None] = Column(DateTime)
