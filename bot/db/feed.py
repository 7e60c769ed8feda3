"""The dossier feed: status changes pushed by the provincial one-stop system (HTTP feed in
the gateway, `python -m bot dossiers import`), applied idempotently.

An event is `{code, status (1–10), changed_at (ISO 8601), note?, procedure_code?,
procedure_name?, agency?, applicant_name?, phone?, received_at?, due_at?}`. `apply_events`
applies a batch in the caller's transaction; a bad event is rejected with its reason and
never blocks the others:

- an unknown code with `phone` creates the dossier (phone kept as salted hash + last 4);
- the same event twice (same code, status and time) changes nothing and notifies nobody;
- an event older than the dossier's latest one is kept in the history but does not move
  the status back;
- an accepted status change writes one outbox row per active subscriber not yet told about
  that status (`bot.db.outbox`), in the same transaction.

Reasons never repeat personal data (names, phone digits): only field names and the code.
"""

from __future__ import annotations

import enum
import functools
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import (
    VIETNAM_TZ,
    Agency,
    Dossier,
    DossierEvent,
    OutboxMessage,
    OutboxState,
    Status,
    Subscription,
    vietnam_now,
)
from bot.db.privacy import normalize_phone
from bot.db.services import NewDossier, dossier_columns
from bot.dossier_code import is_dossier_code, normalize_dossier_code
from procedures_kb.store import RECORDS_DIR

logger = logging.getLogger(__name__)

MAX_NOTE_CHARS = 2000
MAX_NAME_CHARS = 120
_PROCEDURE_CODE = re.compile(r"\d{1,3}\.\d{4,6}")
TEXT_FIELDS = ("note", "procedure_code", "procedure_name", "agency", "applicant_name", "phone")
TIME_FIELDS = ("received_at", "due_at")


class EventError(ValueError):
    """An event that cannot be applied; the message is the reason, safe to show and log."""


class Outcome(str, enum.Enum):
    CREATED = "created"  # a new dossier
    UPDATED = "updated"  # the status moved
    UNCHANGED = "unchanged"  # already known, or the same status again
    HISTORY = "history"  # older than the latest status: kept in the history only
    REJECTED = "rejected"


@dataclass(frozen=True)
class FeedEvent:
    code: str
    status: int
    changed_at: datetime
    note: str | None = None
    procedure_code: str | None = None
    procedure_name: str | None = None
    agency: str | None = None
    applicant_name: str | None = None
    phone: str | None = None
    received_at: datetime | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class EventResult:
    index: int
    code: str | None
    outcome: Outcome
    reason: str | None = None
    notifications: int = 0  # outbox rows written

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "index": self.index,
            "code": self.code,
            "result": self.outcome.value,
        }
        if self.reason:
            result["reason"] = self.reason
        return result


# --- parsing ------------------------------------------------------------------------------


def parse_event(data: Any) -> FeedEvent:
    """A valid event from a JSON object or a CSV row (all text; blank = absent);
    `EventError` with the reason otherwise."""
    if not isinstance(data, Mapping):
        raise EventError("sự kiện phải là một đối tượng JSON")
    code = normalize_dossier_code(_text(data, "code") or "")
    if not code:
        raise EventError("thiếu mã hồ sơ (code)")
    if not is_dossier_code(code):
        raise EventError("mã hồ sơ (code) không đúng dạng <mã cơ quan>-<yymmdd>-<số thứ tự>")
    changed_at = _time(data, "changed_at")
    if changed_at is None:
        raise EventError("thiếu thời điểm thay đổi (changed_at, ISO 8601)")
    texts: dict[str, Any] = {name: _text(data, name) for name in TEXT_FIELDS}
    if texts["phone"] is not None and not 9 <= len(normalize_phone(texts["phone"])) <= 11:
        raise EventError("phone không phải số điện thoại hợp lệ")
    if texts["procedure_code"] is not None and not _PROCEDURE_CODE.fullmatch(
        texts["procedure_code"]
    ):
        raise EventError("procedure_code không đúng dạng mã thủ tục (ví dụ 1.004222)")
    if texts["note"] is not None and len(texts["note"]) > MAX_NOTE_CHARS:
        raise EventError(f"note dài quá {MAX_NOTE_CHARS} ký tự")
    if texts["applicant_name"] is not None and len(texts["applicant_name"]) > MAX_NAME_CHARS:
        raise EventError(f"applicant_name dài quá {MAX_NAME_CHARS} ký tự")
    times: dict[str, Any] = {name: _time(data, name) for name in TIME_FIELDS}
    return FeedEvent(
        code=code, status=_status(data.get("status")), changed_at=changed_at, **texts, **times
    )


def _text(data: Mapping, name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise EventError(f"{name} phải là chuỗi ký tự")
    text = " ".join(str(value).split())
    return text or None


def _status(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value not in {status.value for status in Status}
    ):
        raise EventError("status phải là số từ 1 đến 10")
    return value


def _time(data: Mapping, name: str) -> datetime | None:
    """ISO 8601; with an offset it is turned into Vietnam time, without one it is Vietnam time."""
    text = _text(data, name)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise EventError(
            f"{name} không phải ngày giờ ISO 8601 (ví dụ 2026-12-02T09:30:00+07:00)"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(VIETNAM_TZ).replace(tzinfo=None)
    return moment.replace(microsecond=0)


# --- applying -----------------------------------------------------------------------------


def apply_events(
    session: Session, items: Sequence[Any], now: datetime | None = None
) -> list[EventResult]:
    """Apply each item (a raw event) in the caller's transaction; one result each, in order.

    The batch runs in a savepoint; when another feed created one of its dossiers meanwhile
    (a unique-code violation), it is applied once more, finding that dossier this time."""
    now = now or vietnam_now()
    parsed = [(_raw_code(item), _parse(item)) for item in items]
    try:
        with session.begin_nested():
            return _apply_all(session, parsed, now)
    except IntegrityError:
        logger.info("Dossier created concurrently by another feed; applying the batch again")
    with session.begin_nested():
        return _apply_all(session, parsed, now)


def _raw_code(item: Any) -> str | None:
    """The code of an event, even a rejected one (for its result), if it is text."""
    code = item.get("code") if isinstance(item, Mapping) else None
    return normalize_dossier_code(code) if isinstance(code, str) else None


def _parse(item: Any) -> FeedEvent | EventError:
    try:
        return parse_event(item)
    except EventError as error:
        return error


Parsed = list[tuple[str | None, "FeedEvent | EventError"]]
CHUNK = 500  # codes or ids per IN (...) list


def _apply_all(session: Session, parsed: Parsed, now: datetime) -> list[EventResult]:
    batch = _Batch(session, now, [event for _code, event in parsed if isinstance(event, FeedEvent)])
    results = [_result(batch, index, code, event) for index, (code, event) in enumerate(parsed)]
    batch.write()
    return results


def _result(
    batch: _Batch, index: int, code: str | None, event: FeedEvent | EventError
) -> EventResult:
    if isinstance(event, EventError):
        return EventResult(index, code, Outcome.REJECTED, str(event))
    try:
        outcome, notified = batch.apply(event)
    except EventError as error:  # raised before anything of this event was written
        return EventResult(index, event.code, Outcome.REJECTED, str(error))
    return EventResult(index, event.code, outcome, notifications=notified)


@dataclass
class _Known:
    """A dossier of the batch as the events leave it."""

    id: int
    status: int
    latest: datetime | None  # time of its latest event
    history: set[tuple[int, datetime]]  # (status, at) of its events
    columns: dict[str, Any] = field(default_factory=dict)  # columns to write back
    changed: bool = False


class _Batch:
    """Applies a batch with a handful of statements: everything the events need is read
    first (dossiers locked `FOR UPDATE` on PostgreSQL, their history, subscribers and the
    messages already written), the events are applied in memory in order, and the new
    history, the dossiers' new columns and the outbox rows are written at the end. Only
    a new dossier is inserted at once (its id is needed)."""

    def __init__(self, session: Session, now: datetime, events: list[FeedEvent]) -> None:
        self.session = session
        self.now = now
        self.agencies = {
            code: agency_id for code, agency_id in session.execute(select(Agency.code, Agency.id))
        }
        self.dossiers = self._load_dossiers(sorted({event.code for event in events}))
        ids = [known.id for known in self.dossiers.values()]
        self.subscribers: dict[int, list[int]] = {}
        for subscription_id, dossier_id in self._in_chunks(
            select(Subscription.id, Subscription.dossier_id).where(
                Subscription.cancelled_at.is_(None)
            ),
            Subscription.dossier_id,
            ids,
        ):
            self.subscribers.setdefault(dossier_id, []).append(subscription_id)
        self.told = set(
            self._in_chunks(
                select(
                    OutboxMessage.dossier_id, OutboxMessage.status, OutboxMessage.subscription_id
                ),
                OutboxMessage.dossier_id,
                ids,
            )
        )
        self.new_events: list[dict[str, Any]] = []
        self.outbox: list[dict[str, Any]] = []

    def _in_chunks(self, query: Any, column: Any, values: list) -> list[tuple]:
        rows: list[tuple] = []
        for start in range(0, len(values), CHUNK):
            rows += [
                tuple(row)
                for row in self.session.execute(
                    query.where(column.in_(values[start : start + CHUNK]))
                )
            ]
        return rows

    def _load_dossiers(self, codes: list[str]) -> dict[str, _Known]:
        rows = self._in_chunks(
            select(Dossier.id, Dossier.code, Dossier.status).order_by(Dossier.id).with_for_update(),
            Dossier.code,
            codes,
        )
        by_id = {dossier_id: (code, status) for dossier_id, code, status in rows}
        history: dict[int, set[tuple[int, datetime]]] = {dossier_id: set() for dossier_id in by_id}
        for dossier_id, status, at in self._in_chunks(
            select(DossierEvent.dossier_id, DossierEvent.status, DossierEvent.at),
            DossierEvent.dossier_id,
            list(by_id),
        ):
            history[dossier_id].add((status, at))
        return {
            code: _Known(
                dossier_id,
                status,
                max((at for _s, at in history[dossier_id]), default=None),
                history[dossier_id],
            )
            for dossier_id, (code, status) in by_id.items()
        }

    def apply(self, event: FeedEvent) -> tuple[Outcome, int]:
        known = self.dossiers.get(event.code)
        if known is None:
            self.dossiers[event.code] = self._create(event)
            return Outcome.CREATED, 0
        if (event.status, event.changed_at) in known.history:
            return Outcome.UNCHANGED, 0
        known.history.add((event.status, event.changed_at))
        self.new_events.append(_event_row(known.id, event))
        if known.latest is not None and event.changed_at < known.latest:
            return Outcome.HISTORY, 0
        known.latest = event.changed_at
        moved = event.status != known.status
        changes = _status_columns(event) if moved else {}
        if event.due_at is not None:
            changes["appointment_at"] = event.due_at
        if changes:
            known.columns.update(changes)
            known.status, known.changed = event.status, True
        if not moved:
            return Outcome.UNCHANGED, 0
        return Outcome.UPDATED, self._notify(known.id, event)

    def _notify(self, dossier_id: int, event: FeedEvent) -> int:
        """One outbox row per active subscriber not yet told about this status."""
        written = 0
        for subscription_id in self.subscribers.get(dossier_id, ()):
            key = (dossier_id, event.status, subscription_id)
            if key in self.told:
                continue
            self.told.add(key)
            self.outbox.append(
                dict(
                    dossier_id=dossier_id,
                    subscription_id=subscription_id,
                    status=event.status,
                    note=event.note,
                    state=OutboxState.PENDING.value,
                    attempts=0,
                    next_attempt_at=self.now,
                    created_at=self.now,
                )
            )
            written += 1
        return written

    def _create(self, event: FeedEvent) -> _Known:
        if event.phone is None:
            raise EventError("hồ sơ chưa có trong hệ thống: cần phone để tạo hồ sơ mới")
        procedure_code = event.procedure_code or ""
        status_columns = _status_columns(event)
        new = NewDossier(
            code=event.code,
            procedure_code=procedure_code,
            procedure_name=event.procedure_name or procedure_name(procedure_code),
            agency_code="",  # dossier_columns is given the id
            applicant_name=event.applicant_name or "",
            phone=event.phone,
            channel="truc_tiep",
            received_at=event.received_at or event.changed_at,
            appointment_at=event.due_at,
            status=event.status,
            supplement_request=status_columns.get("supplement_request"),
            completed_at=status_columns.get("completed_at"),
            returned_at=status_columns.get("returned_at"),
        )
        inserted = self.session.execute(
            insert(Dossier).values(**dossier_columns(new, self._agency_id(event)))
        )
        dossier_id = inserted.inserted_primary_key[0]
        self.new_events.append(_event_row(dossier_id, event))
        return _Known(
            dossier_id, event.status, event.changed_at, {(event.status, event.changed_at)}
        )

    def _agency_id(self, event: FeedEvent) -> int:
        """The agency whose code is `agency`, else the one whose code starts the dossier code,
        created with `agency` as its name when unknown."""
        if event.agency in self.agencies:
            return self.agencies[event.agency]
        code = event.code.split("-", 1)[0]
        if code not in self.agencies:
            inserted = self.session.execute(
                insert(Agency).values(code=code, name=event.agency or code, address="")
            )
            self.agencies[code] = inserted.inserted_primary_key[0]
        return self.agencies[code]

    def write(self) -> None:
        if self.new_events:
            self.session.execute(insert(DossierEvent), self.new_events)
        for columns, rows in self._dossier_updates().items():
            self.session.execute(
                update(Dossier)
                .where(Dossier.id == bindparam("b_id"))
                .values({column: bindparam(f"b_{column}") for column in columns}),
                rows,
            )
        if self.outbox:
            self.session.execute(insert(OutboxMessage), self.outbox)

    def _dossier_updates(self) -> dict[tuple[str, ...], list[dict[str, Any]]]:
        """The changed dossiers, grouped by the columns they change (one executemany each)."""
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for known in self.dossiers.values():
            if known.changed:
                columns = tuple(sorted(known.columns))
                row = {
                    "b_id": known.id,
                    **{f"b_{column}": known.columns[column] for column in columns},
                }
                groups.setdefault(columns, []).append(row)
        return groups


def _event_row(dossier_id: int, event: FeedEvent) -> dict[str, Any]:
    return dict(dossier_id=dossier_id, status=event.status, at=event.changed_at, note=event.note)


def _status_columns(event: FeedEvent) -> dict[str, Any]:
    """What a new status sets besides itself: the supplement request, completion, return."""
    columns: dict[str, Any] = {"status": event.status}
    if event.status == Status.YEU_CAU_BO_SUNG:
        columns["supplement_request"] = event.note
    elif event.status == Status.DA_XU_LY_XONG:
        columns["completed_at"] = event.changed_at
    elif event.status == Status.DA_TRA_KET_QUA:
        columns["returned_at"] = event.changed_at
    return columns


@functools.lru_cache(maxsize=4096)
def procedure_name(procedure_code: str) -> str:
    """The catalogue name of a procedure, read from its record; the code when unknown."""
    if not _PROCEDURE_CODE.fullmatch(procedure_code):
        return procedure_code or "Chưa rõ thủ tục"
    try:
        record = json.loads((RECORDS_DIR / f"{procedure_code}.json").read_text(encoding="utf-8"))
        return str(record["name"])
    except (OSError, ValueError, KeyError):
        return procedure_code
