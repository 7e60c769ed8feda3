"""The dossier feed: status changes pushed by the provincial one-stop system (HTTP feed in
the gateway, `python -m bot dossiers import`), applied idempotently.

An event is `{code, status (1–10), changed_at (ISO 8601), note?, procedure_code?,
procedure_name?, agency?, applicant_name?, phone?, received_at?, due_at?}`. `apply_events`
applies a batch in the caller's transaction, each event in its own savepoint, so that a bad
event is rejected with its reason and never blocks the others:

- an unknown code with `phone` creates the dossier (phone kept as salted hash + last 4);
- the same event twice (same code, status and time) changes nothing and notifies nobody;
- an event older than the dossier's latest one is kept in the history but does not move
  the status back;
- an accepted status change writes one outbox row per active subscriber
  (`bot.db.outbox.enqueue_status_change`), in the same transaction.

Reasons never repeat personal data (names, phone digits): only field names and the code.
"""
from __future__ import annotations

import enum
import functools
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Optional, Sequence

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import VIETNAM_TZ, Agency, Dossier, DossierEvent, Status, vietnam_now
from bot.db.outbox import enqueue_status_change
from bot.db.privacy import normalize_phone
from bot.db.services import NewDossier, add_dossier, is_dossier_code, normalize_dossier_code
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
    note: Optional[str] = None
    procedure_code: Optional[str] = None
    procedure_name: Optional[str] = None
    agency: Optional[str] = None
    applicant_name: Optional[str] = None
    phone: Optional[str] = None
    received_at: Optional[datetime] = None
    due_at: Optional[datetime] = None


@dataclass(frozen=True)
class EventResult:
    index: int
    code: Optional[str]
    outcome: Outcome
    reason: Optional[str] = None
    notifications: int = 0  # outbox rows written

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"index": self.index, "code": self.code, "result": self.outcome.value}
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
    texts = {name: _text(data, name) for name in TEXT_FIELDS}
    if texts["phone"] is not None and not 9 <= len(normalize_phone(texts["phone"])) <= 11:
        raise EventError("phone không phải số điện thoại hợp lệ")
    if texts["procedure_code"] is not None and not _PROCEDURE_CODE.fullmatch(texts["procedure_code"]):
        raise EventError("procedure_code không đúng dạng mã thủ tục (ví dụ 1.004222)")
    if texts["note"] is not None and len(texts["note"]) > MAX_NOTE_CHARS:
        raise EventError(f"note dài quá {MAX_NOTE_CHARS} ký tự")
    if texts["applicant_name"] is not None and len(texts["applicant_name"]) > MAX_NAME_CHARS:
        raise EventError(f"applicant_name dài quá {MAX_NAME_CHARS} ký tự")
    times = {name: _time(data, name) for name in TIME_FIELDS}
    return FeedEvent(code=code, status=_status(data.get("status")), changed_at=changed_at, **texts, **times)


def _text(data: Mapping, name: str) -> Optional[str]:
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
    if isinstance(value, bool) or not isinstance(value, int) or value not in {status.value for status in Status}:
        raise EventError("status phải là số từ 1 đến 10")
    return value


def _time(data: Mapping, name: str) -> Optional[datetime]:
    """ISO 8601; with an offset it is turned into Vietnam time, without one it is Vietnam time."""
    text = _text(data, name)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise EventError(f"{name} không phải ngày giờ ISO 8601 (ví dụ 2026-12-02T09:30:00+07:00)") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(VIETNAM_TZ).replace(tzinfo=None)
    return moment.replace(microsecond=0)


# --- applying -----------------------------------------------------------------------------

def apply_events(session: Session, items: Sequence[Any], now: Optional[datetime] = None) -> list[EventResult]:
    """Apply each item (raw event) in a savepoint of the caller's transaction; one result each."""
    now = now or vietnam_now()
    return [_apply_one(session, index, item, now) for index, item in enumerate(items)]


def _apply_one(session: Session, index: int, item: Any, now: datetime) -> EventResult:
    raw_code = item.get("code") if isinstance(item, Mapping) else None
    try:
        event = parse_event(item)
        try:
            with session.begin_nested():
                outcome, notified = apply_event(session, event, now)
        except IntegrityError:  # another feed created the same dossier meanwhile: now it exists
            with session.begin_nested():
                outcome, notified = apply_event(session, event, now)
    except EventError as error:
        code = normalize_dossier_code(raw_code) if isinstance(raw_code, str) else None
        return EventResult(index, code, Outcome.REJECTED, str(error))
    return EventResult(index, event.code, outcome, notifications=notified)


def apply_event(session: Session, event: FeedEvent, now: Optional[datetime] = None) -> tuple[Outcome, int]:
    """Apply one valid event; the outcome and the number of outbox rows written."""
    now = now or vietnam_now()
    dossier = session.execute(
        select(Dossier).where(Dossier.code == event.code).with_for_update()
    ).scalar_one_or_none()
    if dossier is None:
        _create_dossier(session, event)
        return Outcome.CREATED, 0
    if _already_recorded(session, dossier.id, event):
        return Outcome.UNCHANGED, 0
    latest = session.execute(
        select(func.max(DossierEvent.at)).where(DossierEvent.dossier_id == dossier.id)
    ).scalar_one_or_none()
    session.add(DossierEvent(dossier_id=dossier.id, status=event.status, at=event.changed_at, note=event.note))
    if latest is not None and event.changed_at < latest:
        session.flush()
        return Outcome.HISTORY, 0
    if event.due_at is not None:
        dossier.appointment_at = event.due_at
    if event.status == dossier.status:
        session.flush()
        return Outcome.UNCHANGED, 0
    _move_status(dossier, event)
    session.flush()
    return Outcome.UPDATED, enqueue_status_change(session, dossier.id, event.status, event.note, now)


def _already_recorded(session: Session, dossier_id: int, event: FeedEvent) -> bool:
    return session.execute(
        select(
            exists().where(
                DossierEvent.dossier_id == dossier_id,
                DossierEvent.status == event.status,
                DossierEvent.at == event.changed_at,
            )
        )
    ).scalar_one()


def _move_status(dossier: Dossier, event: FeedEvent) -> None:
    dossier.status = event.status
    if event.status == Status.YEU_CAU_BO_SUNG:
        dossier.supplement_request = event.note
    elif event.status == Status.DA_XU_LY_XONG:
        dossier.completed_at = event.changed_at
    elif event.status == Status.DA_TRA_KET_QUA:
        dossier.returned_at = event.changed_at


def _create_dossier(session: Session, event: FeedEvent) -> None:
    if event.phone is None:
        raise EventError("hồ sơ chưa có trong hệ thống: cần phone để tạo hồ sơ mới")
    procedure_code = event.procedure_code or ""
    add_dossier(session, NewDossier(
        code=event.code,
        procedure_code=procedure_code,
        procedure_name=event.procedure_name or procedure_name(procedure_code),
        agency_code=_agency_code(session, event),
        applicant_name=event.applicant_name or "",
        phone=event.phone,
        channel="truc_tiep",
        received_at=event.received_at or event.changed_at,
        appointment_at=event.due_at,
        status=event.status,
        supplement_request=event.note if event.status == Status.YEU_CAU_BO_SUNG else None,
        completed_at=event.changed_at if event.status == Status.DA_XU_LY_XONG else None,
        returned_at=event.changed_at if event.status == Status.DA_TRA_KET_QUA else None,
        events=((event.status, event.changed_at, event.note),),
    ))


def _agency_code(session: Session, event: FeedEvent) -> str:
    """The agency named by `agency` (a known agency code), else the one whose code starts the
    dossier code, created with `agency` as its name when unknown."""
    if event.agency and _agency_exists(session, event.agency):
        return event.agency
    code = event.code.split("-", 1)[0]
    if not _agency_exists(session, code):
        session.add(Agency(code=code, name=event.agency or code, address=""))
        session.flush()
    return code


def _agency_exists(session: Session, code: str) -> bool:
    return session.execute(select(exists().where(Agency.code == code))).scalar_one()


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
