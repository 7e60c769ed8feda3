"""The gateway's side of the human handoff (`bot.handoff`).

`HandoffDesk.intercept` runs before Rasa on every message: in a handed-off conversation it
stores the message for the staff inbox and keeps the bot silent (or, outside office hours,
confirms the message was taken); "gặp trợ lý ảo" gives the conversation back to the bot.
`HandoffRelay` delivers staff replies to Telegram and Zalo with the notification senders
(`bot.channels.notify`); the web chat page collects its own with `web_replies`.
A database failure never loses the citizen's turn: the message then goes to Rasa as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import handoff, wording
from bot.channels.gateway import Reply
from bot.channels.notify import DeliveryError, Sender, poll_until_cancelled
from bot.db.engine import run_transaction_in_thread
from bot.db.models import vietnam_now

log = logging.getLogger(__name__)


class HandoffDesk:
    """Stores a handed-off conversation's messages instead of asking Rasa."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def intercept(self, sender: str, text: str) -> list[Reply] | None:
        """The replies when `sender` is handed off (often none: staff answer); None otherwise."""
        try:
            # A read first: most conversations are not handed off, and a write transaction
            # would take SQLite's write lock for every message.
            current = await run_transaction_in_thread(
                lambda session: handoff.open_handoff_of(session, sender),
                self._engine,
                read_only=True,
            )
            if current is None:
                return None
            return await run_transaction_in_thread(
                lambda session: self._hold(session, sender, text), self._engine
            )
        except SQLAlchemyError as error:
            log.warning(
                "Handoff state unavailable (%s): the message goes to the bot", type(error).__name__
            )
            return None

    @staticmethod
    def _hold(session: Session, sender: str, text: str) -> list[Reply] | None:
        current = handoff.open_handoff_of(session, sender)
        if current is None:
            return None
        if handoff.is_back_to_bot(text):
            handoff.close_handoff(session, current.conversation_id, None)
            return [Reply(wording.HandoffTexts.BACK_TO_BOT)]
        handoff.add_citizen_message(session, current.conversation_id, text)
        return [] if current.live else [Reply(wording.HandoffTexts.MESSAGE_TAKEN)]

    async def web_replies(self, sender: str) -> list[Reply]:
        """Staff replies waiting for this web chat sender; empty if the database failed."""
        try:
            waiting = await run_transaction_in_thread(
                lambda session: handoff.has_web_replies(session, sender),
                self._engine,
                read_only=True,
            )
            if not waiting:
                return []
            texts = await run_transaction_in_thread(
                lambda session: handoff.take_web_replies(session, sender),
                self._engine,
            )
        except SQLAlchemyError as error:
            log.warning("Staff replies unavailable (%s)", type(error).__name__)
            return []
        return [Reply(text) for text in texts]


class HandoffRelay:
    """Delivers staff replies on the push channels that have a sender, polling the database."""

    def __init__(
        self,
        engine: Engine,
        senders: Mapping[str, Sender],
        poll_seconds: float = 2.0,
        clock: Callable[[], datetime] = vietnam_now,
    ) -> None:
        self._engine = engine
        self._senders = senders
        self._poll = poll_seconds
        self._clock = clock

    async def run(self) -> None:
        await poll_until_cancelled(self.run_once, asyncio.sleep, self._poll, "Handoff replies")

    async def run_once(self) -> int:
        """Claim the due replies and send each; how many were claimed."""
        now = self._clock()
        channels = list(self._senders)
        deliveries = await run_transaction_in_thread(
            lambda session: handoff.claim_replies(session, channels, now),
            self._engine,
        )
        for delivery in deliveries:
            await asyncio.shield(self._deliver(delivery))
        return len(deliveries)

    async def _deliver(self, delivery: handoff.ReplyDelivery) -> None:
        try:
            await self._senders[delivery.channel].send(delivery, Reply(delivery.text))
        except DeliveryError as error:
            permanent = error.permanent
            state = await run_transaction_in_thread(
                lambda session: handoff.mark_reply_failed(
                    session, delivery.message_id, permanent, self._clock()
                ),
                self._engine,
            )
            log.warning("Staff reply #%d not delivered (%s): %s", delivery.message_id, state, error)
            return
        await run_transaction_in_thread(
            lambda session: handoff.mark_reply_sent(session, delivery.message_id, self._clock()),
            self._engine,
        )


@contextlib.asynccontextmanager
async def running(relay: HandoffRelay) -> AsyncIterator[HandoffRelay]:
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
