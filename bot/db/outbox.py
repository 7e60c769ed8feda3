"""Subscriptions to a dossier's status changes and the outbox of messages to send them.

A status change (`bot.db.feed`) writes one outbox row per active subscriber in its own
transaction; at most one row ever exists per (dossier, status, subscription), so a repeated
event or a dossier going back and forth notifies nobody twice.
Delivery workers (`bot.channels.notify`) take due rows with `claim_due`: under
`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (inside SQLite's `BEGIN IMMEDIATE`, which
already serialises writers) they push the row's `next_attempt_at` forward by a lease, so no
other worker takes it while it is being sent; `mark_sent` closes it, `mark_failed` schedules
a retry with exponential backoff, then gives up (state "dead", shown by `python -m bot
notify status`). A worker that dies mid-send leaves its rows to come due again when their
lease ends.

Subscribing needs a live verification of the dossier by the conversation
(`bot.db.services.is_verified`). Recipients are the channel-scoped sender ids of the
gateway: `tg:<chat id>` (Telegram) and `zalo:<user id>`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, false, func, select, update
from sqlalchemy.orm import Session

from bot.db.models import (
    Agency,
    Dossier,
    OutboxMessage,
    OutboxState,
    Subscription,
    SurveyResponse,
    vietnam_now,
)
from bot.db.services import is_verified, record_verification
from bot.dossier_code import normalize_dossier_code

CHANNEL_PREFIXES = {"tg": "telegram", "zalo": "zalo"}  # sender id prefix → subscription channel
MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(seconds=30)  # first retry after this, doubled each time
RETRY_CAP = timedelta(hours=1)
CLAIM_LEASE = timedelta(minutes=2)  # a claimed row is left alone this long
ERROR_CHARS = 200


# --- subscriptions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    channel: str  # "telegram" | "zalo"
    recipient_id: str


def recipient_of(sender_id: str) -> Recipient | None:
    """The push address behind a gateway sender id; None for channels without pushes (web chat)."""
    prefix, _, rest = sender_id.partition(":")
    channel = CHANNEL_PREFIXES.get(prefix)
    return Recipient(channel, rest) if channel and rest and len(rest) <= 64 else None


class SubscribeOutcome(str, enum.Enum):
    SUBSCRIBED = "subscribed"
    ALREADY = "already"
    NOT_VERIFIED = "not_verified"
    NO_PUSH_CHANNEL = "no_push_channel"  # web chat: nowhere to send to


def subscribe(
    session: Session, code: str, sender_id: str, now: datetime | None = None
) -> SubscribeOutcome:
    """Subscribe the conversation `sender_id` to dossier `code`, which it must have verified."""
    now = now or vietnam_now()
    recipient = recipient_of(sender_id)
    if recipient is None:
        return SubscribeOutcome.NO_PUSH_CHANNEL
    code = normalize_dossier_code(code)
    if not is_verified(session, code, sender_id, now):
        return SubscribeOutcome.NOT_VERIFIED
    dossier_id = session.execute(
        select(Dossier.id).where(Dossier.code == code)
    ).scalar_one_or_none()
    if dossier_id is None:
        return SubscribeOutcome.NOT_VERIFIED
    existing = session.execute(
        select(Subscription)
        .where(
            Subscription.dossier_id == dossier_id,
            Subscription.channel == recipient.channel,
            Subscription.recipient_id == recipient.recipient_id,
        )
        .with_for_update()
    ).scalar_one_or_none()
    if existing is not None and existing.cancelled_at is None:
        existing.last_message_at = now
        return SubscribeOutcome.ALREADY
    if existing is None:
        session.add(
            Subscription(
                dossier_id=dossier_id,
                channel=recipient.channel,
                recipient_id=recipient.recipient_id,
                created_at=now,
                last_message_at=now,
            )
        )
    else:
        existing.cancelled_at, existing.created_at, existing.last_message_at = None, now, now
    session.flush()
    return SubscribeOutcome.SUBSCRIBED


def _active(sender_id: str, code: str | None = None) -> list:
    """Conditions matching the conversation's active subscriptions (to `code` if given)."""
    recipient = recipient_of(sender_id)
    if recipient is None:
        return [false()]
    conditions = [
        Subscription.channel == recipient.channel,
        Subscription.recipient_id == recipient.recipient_id,
        Subscription.cancelled_at.is_(None),
    ]
    if code is not None:
        conditions.append(Dossier.code == normalize_dossier_code(code))
    return conditions


def subscribed_codes(session: Session, sender_id: str) -> list[str]:
    """Codes of the dossiers this conversation is subscribed to, oldest subscription first."""
    return list(
        session.execute(
            select(Dossier.code)
            .join(Subscription, Subscription.dossier_id == Dossier.id)
            .where(*_active(sender_id))
            .order_by(Subscription.created_at, Subscription.id)
        ).scalars()
    )


def is_subscribed(session: Session, code: str, sender_id: str) -> bool:
    return bool(
        session.execute(
            select(func.count())
            .select_from(Subscription)
            .join(Dossier, Subscription.dossier_id == Dossier.id)
            .where(*_active(sender_id, code))
        ).scalar_one()
    )


def verify_by_subscription(
    session: Session, code: str, sender_id: str, now: datetime | None = None
) -> bool:
    """A subscribed conversation proved the dossier was theirs when it subscribed: record a
    fresh verification (so it may rate the dossier) and say True; False when not subscribed."""
    now = now or vietnam_now()
    if not is_subscribed(session, code, sender_id):
        return False
    record_verification(session, sender_id, normalize_dossier_code(code), now)
    return True


def cancel_subscriptions(
    session: Session, sender_id: str, code: str | None = None, now: datetime | None = None
) -> list[str]:
    """Cancel this conversation's subscription to `code` (all of them when None); the codes
    cancelled. Their messages not yet sent are dropped."""
    now = now or vietnam_now()
    rows = session.execute(
        select(Subscription, Dossier.code)
        .join(Dossier, Subscription.dossier_id == Dossier.id)
        .where(*_active(sender_id, code))
    ).all()
    for subscription, _code in rows:
        subscription.cancelled_at = now
    ids = [subscription.id for subscription, _code in rows]
    if ids:
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.subscription_id.in_(ids),
                OutboxMessage.state == OutboxState.PENDING.value,
            )
        )
    session.flush()
    return [row_code for _subscription, row_code in rows]


def note_inbound_message(session: Session, sender_id: str, now: datetime | None = None) -> None:
    """The citizen wrote on their channel: the Zalo interaction window starts again."""
    recipient = recipient_of(sender_id)
    if recipient is None:
        return
    session.execute(
        update(Subscription)
        .where(
            Subscription.channel == recipient.channel,
            Subscription.recipient_id == recipient.recipient_id,
            Subscription.cancelled_at.is_(None),
        )
        .values(last_message_at=now or vietnam_now())
    )


# --- outbox -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """A claimed message, with what its text needs (never the applicant's name or phone)."""

    outbox_id: int
    attempt: int  # 1 for the first try
    dossier_code: str
    status: int
    note: str | None
    procedure_name: str
    agency_name: str
    agency_address: str
    agency_phone: str | None
    channel: str
    recipient_id: str
    last_message_at: datetime
    survey_answered: bool  # the dossier already has a survey response


def claim_due(
    session: Session, now: datetime | None = None, limit: int = 50, lease: timedelta = CLAIM_LEASE
) -> list[Delivery]:
    """Take up to `limit` due messages for this worker (see the module docstring)."""
    now = now or vietnam_now()
    ids = (
        session.execute(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.state == OutboxState.PENDING.value,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        .scalars()
        .all()
    )
    if not ids:
        return []
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(next_attempt_at=now + lease, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    answered = select(SurveyResponse.id).where(SurveyResponse.dossier_id == Dossier.id).exists()
    rows = session.execute(
        select(OutboxMessage, Dossier, Agency, Subscription, answered)
        .join(Dossier, OutboxMessage.dossier_id == Dossier.id)
        .join(Agency, Dossier.agency_id == Agency.id)
        .join(Subscription, OutboxMessage.subscription_id == Subscription.id)
        .where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.id)
    ).all()
    return [
        Delivery(
            outbox_id=message.id,
            attempt=message.attempts,
            dossier_code=dossier.code,
            status=message.status,
            note=message.note,
            procedure_name=dossier.procedure_name,
            agency_name=agency.name,
            agency_address=agency.address,
            agency_phone=agency.phone,
            channel=subscription.channel,
            recipient_id=subscription.recipient_id,
            last_message_at=subscription.last_message_at,
            survey_answered=bool(survey_answered),
        )
        for message, dossier, agency, subscription, survey_answered in rows
    ]


def release_claims(session: Session, outbox_ids: list[int], now: datetime | None = None) -> None:
    """Hand back claimed messages that were not tried (a worker stopping): due again now,
    the claim's attempt not counted."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(outbox_ids), OutboxMessage.state == OutboxState.PENDING.value)
        .values(next_attempt_at=now or vietnam_now(), attempts=OutboxMessage.attempts - 1)
        .execution_options(synchronize_session=False)
    )


def mark_sent(session: Session, outbox_id: int, now: datetime | None = None) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.state == OutboxState.PENDING.value)
        .values(state=OutboxState.SENT.value, sent_at=now or vietnam_now(), last_error=None)
    )


def mark_failed(
    session: Session,
    outbox_id: int,
    error: str,
    now: datetime | None = None,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    retry_base: timedelta = RETRY_BASE,
) -> OutboxState:
    """Record a failed try (`error`: no personal data); retry later or give up. The new state."""
    now = now or vietnam_now()
    message = session.get(OutboxMessage, outbox_id, with_for_update=True)
    if message is None or message.state != OutboxState.PENDING.value:
        return OutboxState(message.state) if message else OutboxState.DEAD
    message.last_error = error[:ERROR_CHARS]
    if message.attempts >= max_attempts:
        message.state = OutboxState.DEAD.value
    else:
        message.next_attempt_at = now + min(retry_base * 2 ** (message.attempts - 1), RETRY_CAP)
    session.flush()
    return OutboxState(message.state)


@dataclass(frozen=True)
class DeadMessage:
    outbox_id: int
    dossier_code: str
    status: int
    channel: str
    attempts: int
    last_error: str | None
    created_at: datetime


@dataclass(frozen=True)
class OutboxSummary:
    counts: dict[str, int]  # state → messages
    due: int  # pending and due now
    subscriptions: int  # active
    dead: list[DeadMessage]


def outbox_summary(
    session: Session, now: datetime | None = None, dead_limit: int = 20
) -> OutboxSummary:
    now = now or vietnam_now()
    counts = {state.value: 0 for state in OutboxState}
    for state, count in session.execute(
        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    ):
        counts[state] = count
    due = session.execute(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.state == OutboxState.PENDING.value, OutboxMessage.next_attempt_at <= now
        )
    ).scalar_one()
    subscriptions = session.execute(
        select(func.count()).select_from(Subscription).where(Subscription.cancelled_at.is_(None))
    ).scalar_one()
    dead = session.execute(
        select(OutboxMessage, Dossier.code, Subscription.channel)
        .join(Dossier, OutboxMessage.dossier_id == Dossier.id)
        .join(Subscription, OutboxMessage.subscription_id == Subscription.id)
        .where(OutboxMessage.state == OutboxState.DEAD.value)
        .order_by(OutboxMessage.id.desc())
        .limit(dead_limit)
    ).all()
    return OutboxSummary(
        counts,
        due,
        subscriptions,
        [
            DeadMessage(
                message.id,
                code,
                message.status,
                channel,
                message.attempts,
                message.last_error,
                message.created_at,
            )
            for message, code, channel in dead
        ],
    )
