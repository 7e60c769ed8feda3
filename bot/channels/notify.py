"""The delivery worker of the gateway: sends the outbox's status-change messages
(`bot.db.outbox`) on Telegram and Zalo.

Each round claims the due messages (a lease: other gateway instances skip them), sends them
one by one and marks each sent, or failed (retried with backoff, then "dead"). During quiet
hours (`NOTIFY_QUIET_HOURS`, Vietnam time) nothing is claimed: messages wait for the
morning. Stopping lets the message being sent finish and be marked, and hands the rest of
the round back at once; a worker killed outright leaves its claims to come due again when
the lease ends, so a message is lost only if the process dies between the platform's
answer and the mark (and sent twice only then, once the lease ends).

Zalo: a consultation message while the citizen wrote within `ZALO_CS_WINDOW_HOURS`, else a
transaction message (`ZALO_TRANSACTION_URL`). Texts: `bot.wording`; they never
name the applicant nor show a phone number.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import aiohttp
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import wording
from bot.channels.gateway import Button, Reply
from bot.channels.zalo import ZaloClient, ZaloError
from bot.db.engine import run_transaction_in_thread
from bot.db.models import Status, vietnam_now
from bot.db.outbox import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    RETRY_BASE,
    Delivery,
    claim_due,
    mark_failed,
    mark_sent,
    note_inbound_message,
    release_claims,
)
from bot.payloads import RATE_NOTIFIED_INTENT, dossier_payload
from bot.wording import STATUS_TEXTS

log = logging.getLogger(__name__)

BATCH = 50
ERROR_PAUSE = 10.0  # seconds after the database failed
SEND_TIMEOUT = aiohttp.ClientTimeout(total=15)
Clock = Callable[[], datetime]


class DeliveryError(Exception):
    """The platform refused or could not be reached; the message is safe to store (no personal
    data). `permanent`: trying again cannot help (the citizen blocked the bot, the chat is gone)."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


# --- texts --------------------------------------------------------------------------------


def notification(delivery: Delivery) -> Reply:
    """The message for one status change: official status name, what to do next, the survey
    button on status 10 while the dossier has no answers."""
    status = STATUS_TEXTS[delivery.status]
    place = f"{delivery.agency_name}, {delivery.agency_address}".strip(", ")
    lines = [
        wording.NOTIFY_HEADLINE.format(code=delivery.dossier_code, status_name=status.name),
        wording.NOTIFY_PROCEDURE.format(procedure=delivery.procedure_name),
        status.explanation,
    ]
    next_step = _next_step(delivery, place)
    if next_step:
        lines.append(next_step)
    buttons: tuple[Button, ...] = ()
    if delivery.status == Status.DA_TRA_KET_QUA and not delivery.survey_answered:
        lines.append(wording.NOTIFY_SURVEY)
        payload = dossier_payload(RATE_NOTIFIED_INTENT, delivery.dossier_code)
        buttons = (Button(wording.NOTIFY_SURVEY_BUTTON, payload),)
    lines.append(wording.NOTIFY_FOOTER)
    return Reply("\n".join(lines), buttons)


def _next_step(delivery: Delivery, place: str) -> str:
    if delivery.status == Status.YEU_CAU_BO_SUNG:
        unstated = wording.NOTIFY_SUPPLEMENT_UNSTATED.format(agency=delivery.agency_name)
        request = delivery.note or unstated
        return wording.NOTIFY_SUPPLEMENT.format(request=request, place=place)
    if delivery.status == Status.YEU_CAU_NGHIA_VU_TAI_CHINH:
        note = f" ({delivery.note})" if delivery.note else ""
        return wording.NOTIFY_PAY.format(note=note, place=place)
    if delivery.status == Status.DA_XU_LY_XONG:
        return wording.NOTIFY_COLLECT.format(place=place)
    if delivery.status == Status.DA_TRA_KET_QUA:
        return wording.NOTIFY_RETURNED.format(place=place)
    return ""


# --- quiet hours --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuietHours:
    """Hours [start, end) of the Vietnam day when nothing is sent; None: never quiet."""

    start: int | None
    end: int | None

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """ "21-7" (settings validate the shape) or "off"."""
        if text == "off":
            return cls(None, None)
        start, end = (int(hour) for hour in text.split("-"))
        return cls(start, end)

    def active(self, now: datetime) -> bool:
        if self.start is None or self.end is None or self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= now.hour < self.end
        return now.hour >= self.start or now.hour < self.end


# --- senders ------------------------------------------------------------------------------


class Addressee(Protocol):
    """Whom a sender writes to: a status notification (`Delivery`) or a staff reply
    (`bot.handoff.ReplyDelivery`)."""

    @property
    def recipient_id(self) -> str: ...

    @property
    def last_message_at(self) -> datetime: ...


class Sender(Protocol):
    async def send(self, delivery: Addressee, reply: Reply) -> None: ...


class TelegramSender:
    """Bot API `sendMessage` to the subscriber's chat."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_base_url: str,
        token: str,
        callback_data: Callable[[str], str],
    ) -> None:
        self._session = session
        self._url = f"{api_base_url}/bot{token}/sendMessage"
        self._callback_data = callback_data

    async def send(self, delivery: Addressee, reply: Reply) -> None:
        form = {"chat_id": delivery.recipient_id, "text": reply.text}
        keyboard = [
            [{"text": button.title, "callback_data": data}]
            for button in reply.buttons
            if (data := self._callback_data(button.payload))
        ]
        if keyboard:
            form["reply_markup"] = json.dumps({"inline_keyboard": keyboard}, ensure_ascii=False)
        try:
            async with self._session.post(self._url, data=form, timeout=SEND_TIMEOUT) as response:
                result = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise DeliveryError(f"Telegram unreachable: {type(error).__name__}") from None
        if not (isinstance(result, dict) and result.get("ok")):
            code = result.get("error_code") if isinstance(result, dict) else None
            raise DeliveryError(
                f"Telegram refused: HTTP {response.status}, error {code}",
                permanent=code in (400, 403),
            )


class ZaloSender:
    """Consultation message inside the interaction window, else a transaction message."""

    def __init__(self, client: ZaloClient, window: timedelta, clock: Clock) -> None:
        self._client = client
        self._window = window
        self._clock = clock

    async def send(self, delivery: Addressee, reply: Reply) -> None:
        try:
            if self._clock() - delivery.last_message_at <= self._window:
                await self._client.send(delivery.recipient_id, [reply])
            else:
                await self._client.send_transaction(delivery.recipient_id, reply)
        except ZaloError as error:
            raise DeliveryError(f"Zalo refused: {_without_user(str(error), delivery)}") from None
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise DeliveryError(f"Zalo unreachable: {type(error).__name__}") from None


def _without_user(text: str, delivery: Addressee) -> str:
    return text.replace(delivery.recipient_id, "…")


# --- the worker ---------------------------------------------------------------------------


class DeliveryWorker:
    def __init__(
        self,
        engine: Engine,
        senders: Mapping[str, Sender],
        quiet_hours: QuietHours,
        *,
        poll_seconds: float = 2.0,
        clock: Clock = vietnam_now,
        lease: timedelta = CLAIM_LEASE,
        max_attempts: int = MAX_ATTEMPTS,
        retry_base: timedelta = RETRY_BASE,
        batch: int = BATCH,
    ) -> None:
        self._engine = engine
        self._batch = batch
        self._senders = senders
        self._quiet = quiet_hours
        self._poll = poll_seconds
        self._clock = clock
        self._lease = lease
        self._max_attempts = max_attempts
        self._retry_base = retry_base
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        """New messages may be due (the feed just applied events): look now."""
        self._wakeup.set()

    async def note_inbound(self, sender_id: str) -> None:
        """A citizen wrote (Zalo): their interaction window starts again."""
        try:
            await run_transaction_in_thread(
                lambda session: note_inbound_message(session, sender_id, self._clock()),
                self._engine,
            )
        except SQLAlchemyError as error:
            log.warning("Could not note the citizen's message time: %s", type(error).__name__)

    async def run(self) -> None:
        """Deliver until cancelled."""
        await poll_until_cancelled(self.run_once, self._sleep, self._poll, "Notification outbox")

    async def run_once(self) -> int:
        """One round: claim the due messages and deliver them; how many were claimed."""
        now = self._clock()
        if self._quiet.active(now):
            return 0
        deliveries = await run_transaction_in_thread(
            lambda session: claim_due(session, now, self._batch, self._lease),
            self._engine,
        )
        for index, delivery in enumerate(deliveries):
            try:
                await asyncio.shield(self._deliver(delivery))
            except asyncio.CancelledError:
                await self._release(deliveries[index + 1 :])
                raise
        return len(deliveries)

    async def _deliver(self, delivery: Delivery) -> None:
        sender = self._senders.get(delivery.channel)
        try:
            if sender is None:
                raise DeliveryError(f"channel {delivery.channel} not configured on this gateway")
            await sender.send(delivery, notification(delivery))
        except DeliveryError as error:
            reason, attempts = str(error), 1 if error.permanent else self._max_attempts
            state = await run_transaction_in_thread(
                lambda session: mark_failed(
                    session,
                    delivery.outbox_id,
                    reason,
                    self._clock(),
                    max_attempts=attempts,
                    retry_base=self._retry_base,
                ),
                self._engine,
            )
            log.warning(
                "Notification #%d not delivered (%s): %s", delivery.outbox_id, state.value, error
            )
            return
        await run_transaction_in_thread(
            lambda session: mark_sent(session, delivery.outbox_id, self._clock()),
            self._engine,
        )

    async def _release(self, deliveries: list[Delivery]) -> None:
        if deliveries:
            ids = [delivery.outbox_id for delivery in deliveries]
            await asyncio.shield(
                run_transaction_in_thread(
                    lambda session: release_claims(session, ids, self._clock()),
                    self._engine,
                )
            )

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)
        self._wakeup.clear()


async def poll_until_cancelled(
    run_once: Callable[[], Awaitable[int]],
    sleep: Callable[[float], Awaitable[None]],
    poll_seconds: float,
    what: str,
) -> None:
    """Call `run_once` again at once while it finds work, after `poll_seconds` when it finds
    none, and after ERROR_PAUSE when the database fails (logged by type only: no personal data)."""
    while True:
        try:
            found = await run_once()
        except SQLAlchemyError as error:
            log.error("%s unavailable: %s", what, type(error).__name__)
            await sleep(ERROR_PAUSE)
            continue
        if not found:
            await sleep(poll_seconds)


@contextlib.asynccontextmanager
async def running(worker: DeliveryWorker) -> AsyncIterator[DeliveryWorker]:
    """Run the worker while the context is open; stop it gracefully on exit."""
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
