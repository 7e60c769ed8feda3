"""Human handoff: a citizen's conversation handed to staff, who answer from the console inbox.

The action server opens a handoff when a citizen asks for a person (`open_handoff`); from
then on the gateway stores the citizen's messages here instead of asking Rasa
(`bot.channels.handoff`), until staff close the conversation or the citizen types
"gặp trợ lý ảo". Staff replies (`add_staff_reply`) wait as `pending` until the gateway
delivers them: Telegram and Zalo through the notification senders (`claim_replies`,
`mark_reply_sent`, `mark_reply_failed`), the web chat when its page asks (`take_web_replies`).

Conversations are keyed by the gateway's sender id: `web:<uuid>`, `tg:<chat id>`,
`zalo:<user id>`. Every text a citizen sees about the handoff is in `Texts`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot import wording
from bot.db.models import HandoffConversation, HandoffMessage, vietnam_now
from vntext import fold

CHANNEL_OF_PREFIX = {"web": "web", "tg": "telegram", "zalo": "zalo"}
BACK_TO_BOT_WORDS = "gap tro ly ao"  # folded: "gặp trợ lý ảo", with or without diacritics
CLAIM_LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(seconds=30)
MAX_CONTEXT_ANSWERS = 3


@dataclass(frozen=True)
class Address:
    channel: str  # "web" | "telegram" | "zalo"
    recipient_id: str


def address_of(sender_id: str) -> Address | None:
    """Where staff replies to this gateway sender go; None for channels without a way back."""
    prefix, _, rest = sender_id.partition(":")
    channel = CHANNEL_OF_PREFIX.get(prefix)
    return Address(channel, rest) if channel and rest and len(rest) <= 64 else None


def is_back_to_bot(text: str) -> bool:
    return BACK_TO_BOT_WORDS in fold(text)


def context_json(procedure: dict[str, str] | None, answers: Sequence[str]) -> str:
    """The bot's context for staff: the procedure discussed and its last answers."""
    last = list(answers)[-MAX_CONTEXT_ANSWERS:]
    return json.dumps({"procedure": procedure, "answers": last}, ensure_ascii=False)


def read_context(text: str) -> dict[str, Any]:
    """`{"procedure": {"code", "name"} or None, "answers": [...]}`, whatever was stored."""
    try:
        value = json.loads(text)
    except ValueError:
        value = {}
    value = value if isinstance(value, dict) else {}
    procedure = value.get("procedure")
    answers = value.get("answers")
    return {
        "procedure": procedure
        if isinstance(procedure, dict) and {"code", "name"} <= procedure.keys()
        else None,
        "answers": [str(answer) for answer in answers] if isinstance(answers, list) else [],
    }


# --- the gateway's side --------------------------------------------------------------------


@dataclass(frozen=True)
class OpenHandoff:
    conversation_id: int
    live: bool


def open_handoff(
    session: Session, sender_id: str, context: str, live: bool, now: datetime | None = None
) -> int | None:
    """Hand the conversation to staff (again); its id, or None when replies cannot reach it."""
    address = address_of(sender_id)
    if address is None:
        return None
    now = now or vietnam_now()
    current = _open(session, sender_id)
    if current is not None:
        current.live, current.context, current.last_message_at = live, context, now
        return current.id
    conversation = HandoffConversation(
        sender_id=sender_id,
        channel=address.channel,
        recipient_id=address.recipient_id,
        live=live,
        context=context,
        opened_at=now,
        last_message_at=now,
    )
    session.add(conversation)
    session.flush()
    return conversation.id


def open_handoff_of(session: Session, sender_id: str) -> OpenHandoff | None:
    conversation = _open(session, sender_id)
    return OpenHandoff(conversation.id, conversation.live) if conversation else None


def _open(session: Session, sender_id: str) -> HandoffConversation | None:
    return session.execute(
        select(HandoffConversation)
        .where(HandoffConversation.sender_id == sender_id, HandoffConversation.closed_at.is_(None))
        .order_by(HandoffConversation.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def add_citizen_message(
    session: Session, conversation_id: int, text: str, now: datetime | None = None
) -> None:
    now = now or vietnam_now()
    session.add(
        HandoffMessage(
            conversation_id=conversation_id,
            author="citizen",
            text=text,
            at=now,
            state="received",
            attempts=0,
        )
    )
    session.execute(
        update(HandoffConversation)
        .where(HandoffConversation.id == conversation_id)
        .values(last_message_at=now)
    )


def close_handoff(
    session: Session, conversation_id: int, staff_id: int | None, now: datetime | None = None
) -> bool:
    """Give the conversation back to the bot; tells the citizen when staff closed it.
    False when it was already closed."""
    now = now or vietnam_now()
    closed = session.execute(
        update(HandoffConversation)
        .where(HandoffConversation.id == conversation_id, HandoffConversation.closed_at.is_(None))
        .values(closed_at=now, closed_by=staff_id)
    ).rowcount
    if closed and staff_id is not None:
        _queue_staff_message(
            session, conversation_id, staff_id, wording.HandoffTexts.CLOSED_BY_STAFF, now
        )
    return bool(closed)


# --- staff replies and their delivery ------------------------------------------------------


def add_staff_reply(
    session: Session, conversation_id: int, staff_id: int, text: str, now: datetime | None = None
) -> int | None:
    """Queue a staff reply for delivery; None when the conversation is closed or unknown."""
    is_open = session.execute(
        select(HandoffConversation.id).where(
            HandoffConversation.id == conversation_id, HandoffConversation.closed_at.is_(None)
        )
    ).first()
    return (
        _queue_staff_message(session, conversation_id, staff_id, text, now or vietnam_now())
        if is_open
        else None
    )


def _queue_staff_message(
    session: Session, conversation_id: int, staff_id: int, text: str, now: datetime
) -> int:
    message = HandoffMessage(
        conversation_id=conversation_id,
        author="staff",
        staff_id=staff_id,
        text=text,
        at=now,
        state="pending",
        attempts=0,
        next_attempt_at=now,
    )
    session.add(message)
    session.flush()
    return message.id


@dataclass(frozen=True)
class ReplyDelivery:
    """A claimed staff reply; `recipient_id` and `last_message_at` are what the senders of
    `bot.channels.notify` need (Zalo's interaction window counts from the citizen's last
    message)."""

    message_id: int
    channel: str
    recipient_id: str
    last_message_at: datetime
    text: str


def claim_replies(
    session: Session,
    channels: Sequence[str],
    now: datetime | None = None,
    limit: int = 50,
    lease: timedelta = CLAIM_LEASE,
) -> list[ReplyDelivery]:
    """Take due staff replies for these push channels (a lease, like the notification outbox)."""
    now = now or vietnam_now()
    rows = session.execute(
        select(HandoffMessage, HandoffConversation)
        .join(HandoffConversation, HandoffMessage.conversation_id == HandoffConversation.id)
        .where(
            HandoffMessage.state == "pending",
            HandoffMessage.next_attempt_at <= now,
            HandoffConversation.channel.in_(list(channels)),
        )
        .order_by(HandoffMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=HandoffMessage)
    ).all()
    for message, _ in rows:
        message.next_attempt_at = now + lease
        message.attempts += 1
    return [
        ReplyDelivery(
            message.id,
            conversation.channel,
            conversation.recipient_id,
            conversation.last_message_at,
            message.text,
        )
        for message, conversation in rows
    ]


def mark_reply_sent(session: Session, message_id: int, now: datetime | None = None) -> None:
    session.execute(
        update(HandoffMessage)
        .where(HandoffMessage.id == message_id)
        .values(state="sent", sent_at=now or vietnam_now(), next_attempt_at=None)
    )


def mark_reply_failed(
    session: Session, message_id: int, permanent: bool, now: datetime | None = None
) -> str:
    """Retry later with backoff, or give up ("dead"); the new state."""
    now = now or vietnam_now()
    message = session.get(HandoffMessage, message_id)
    if message is None:
        return "dead"
    if permanent or message.attempts >= MAX_ATTEMPTS:
        message.state, message.next_attempt_at = "dead", None
    else:
        message.next_attempt_at = now + RETRY_BASE * 2 ** (message.attempts - 1)
    return message.state


def _web_replies(sender_id: str) -> Select:
    return (
        select(HandoffMessage)
        .join(HandoffConversation, HandoffMessage.conversation_id == HandoffConversation.id)
        .where(
            HandoffConversation.sender_id == sender_id,
            HandoffConversation.channel == "web",
            HandoffMessage.state == "pending",
        )
        .order_by(HandoffMessage.id)
    )


def has_web_replies(session: Session, sender_id: str) -> bool:
    """Whether staff replies wait for this web chat (a read: pages ask every few seconds)."""
    return session.execute(_web_replies(sender_id).limit(1)).first() is not None


def take_web_replies(session: Session, sender_id: str, now: datetime | None = None) -> list[str]:
    """The staff replies waiting for this web chat, marked sent (the page shows them now)."""
    rows = session.execute(_web_replies(sender_id)).scalars().all()
    for message in rows:
        message.state, message.sent_at, message.next_attempt_at = "sent", now or vietnam_now(), None
    return [message.text for message in rows]


# --- the console's side --------------------------------------------------------------------


@dataclass(frozen=True)
class InboxRow:
    conversation_id: int
    channel: str
    live: bool
    opened_at: datetime
    last_message_at: datetime
    last_text: str
    waiting: bool  # the citizen wrote last: staff owe an answer


@dataclass(frozen=True)
class MessageView:
    id: int
    author: str
    text: str
    at: datetime
    state: str


@dataclass(frozen=True)
class ConversationView:
    conversation_id: int
    channel: str
    live: bool
    opened_at: datetime
    closed_at: datetime | None
    context: dict[str, Any]
    messages: list[MessageView]


def inbox(session: Session, limit: int = 100) -> list[InboxRow]:
    """Open conversations, the most recently active first."""
    conversations = (
        session.execute(
            select(HandoffConversation)
            .where(HandoffConversation.closed_at.is_(None))
            .order_by(HandoffConversation.last_message_at.desc(), HandoffConversation.id.desc())
            .limit(limit)
        )
        .scalars()
        .all()
    )
    last_ids = (
        select(func.max(HandoffMessage.id))
        .where(HandoffMessage.conversation_id.in_([c.id for c in conversations]))
        .group_by(HandoffMessage.conversation_id)
    )
    last = {
        message.conversation_id: message
        for message in session.execute(
            select(HandoffMessage).where(HandoffMessage.id.in_(last_ids))
        ).scalars()
    }
    return [
        InboxRow(
            c.id,
            c.channel,
            c.live,
            c.opened_at,
            c.last_message_at,
            last[c.id].text if c.id in last else "",
            c.id in last and last[c.id].author == "citizen",
        )
        for c in conversations
    ]


def conversation_view(
    session: Session, conversation_id: int, after: int = 0
) -> ConversationView | None:
    """The conversation with its messages newer than message id `after`."""
    conversation = session.get(HandoffConversation, conversation_id)
    if conversation is None:
        return None
    messages = (
        session.execute(
            select(HandoffMessage)
            .where(HandoffMessage.conversation_id == conversation_id, HandoffMessage.id > after)
            .order_by(HandoffMessage.id)
        )
        .scalars()
        .all()
    )
    return ConversationView(
        conversation.id,
        conversation.channel,
        conversation.live,
        conversation.opened_at,
        conversation.closed_at,
        read_context(conversation.context),
        [MessageView(m.id, m.author, m.text, m.at, m.state) for m in messages],
    )
