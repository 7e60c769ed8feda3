"""What the Rasa custom actions call: dossier lookup with verification, survey answers.

Every function takes a `Session` already inside a transaction and leaves committing to
the caller (use `bot.db.engine.session_scope()`). Results are small frozen dataclasses;
no ORM object leaves this module.
"""
from __future__ import annotations

import enum
import hmac
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Mapping, Optional, Sequence, Tuple

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from bot.db.models import (
    CRITERION_COLUMNS,
    KEY_LENGTH,
    Agency,
    Dossier,
    DossierEvent,
    SurveyResponse,
    VerificationFailure,
    vietnam_now,
)
from bot.db.overdue import compute_overdue
from bot.db.privacy import mask_name, only_digits, protect_id_number, protect_phone, salted_hash
from bot.db.texts import CHANNEL_LABELS, SATISFACTION_LABELS, STATUS_TEXTS, SURVEY_CRITERIA

logger = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
FAILURE_RETENTION = timedelta(days=1)  # older failures are purged when a new one is recorded
_NO_DIGITS = b"\x00" * 4  # compared against when the code is unknown, to take the same time
_CODE_SHAPE = re.compile(r"[0-9A-Z.]{1,32}-\d{6}-\d{4,6}")  # <agency code>-<yymmdd>-<nnnn>


# --- dossier lookup -----------------------------------------------------------------------

class LookupKind(str, enum.Enum):
    OK = "ok"
    REJECTED = "rejected"  # unknown code or wrong digits: deliberately indistinguishable
    LOCKED = "locked"  # too many failures lately for this conversation or this code


@dataclass(frozen=True)
class DossierView:
    """What the bot may show about a dossier once the citizen proved it is theirs."""

    code: str
    procedure_code: str
    procedure_name: str
    status: int
    status_name: str
    status_explanation: str
    channel: str
    channel_label: str
    received_at: datetime
    appointment_at: Optional[datetime]
    deadline_at: Optional[datetime]  # appointment moved back by the time waiting for the citizen
    overdue: bool
    overdue_days: int
    supplement_request: Optional[str]
    completed_at: Optional[datetime]
    returned_at: Optional[datetime]
    agency_name: str
    agency_address: str  # where to collect the result
    agency_phone: Optional[str]
    applicant_masked: str  # "Nguyễn V. A."


@dataclass(frozen=True)
class LookupResult:
    kind: LookupKind
    dossier: Optional[DossierView] = None
    locked_until: Optional[datetime] = None  # when kind is LOCKED: first moment a new try is allowed


def normalize_dossier_code(code: str) -> str:
    """Upper-case, without any whitespace: " 000.00.12.h25-250103-0042 " → "000.00.12.H25-250103-0042"."""
    return "".join(unicodedata.normalize("NFKC", code).split()).upper()


def verify_and_get_dossier(
    session: Session,
    code: str,
    phone_last4: str,
    conversation_key: str,
    now: Optional[datetime] = None,
) -> LookupResult:
    """Return the dossier `code` if `phone_last4` are the last 4 digits of its phone number.

    At most `MAX_FAILURES` failed verifications are allowed in `LOCKOUT_WINDOW` (sliding),
    counted both per conversation and per dossier code, in the database so that the limit
    holds across action-server processes. While locked, nothing is verified and nothing is
    recorded (so the lock does not extend itself); a success does not reset the counters.
    `conversation_key` is the channel-scoped sender id.
    """
    now = now or vietnam_now()
    code = normalize_dossier_code(code)
    code_key = _attempted_code_key(code)
    conversation_key = conversation_key[:KEY_LENGTH]
    locked_until = _locked_until(session, conversation_key, code_key, now)
    if locked_until is not None:
        logger.info("Dossier lookup locked until %s (code %s)", locked_until, code_key)
        return LookupResult(LookupKind.LOCKED, locked_until=locked_until)
    dossier = _find_dossier(session, code) if _CODE_SHAPE.fullmatch(code) else None
    if not _digits_match(dossier, phone_last4):
        _record_failure(session, conversation_key, code_key, now)
        logger.info("Dossier lookup rejected (code %s)", code_key)
        return LookupResult(LookupKind.REJECTED)
    logger.info("Dossier lookup ok (code %s)", code_key)
    return LookupResult(LookupKind.OK, dossier=_dossier_view(session, dossier, now))


def _find_dossier(session: Session, code: str) -> Optional[Dossier]:
    return session.execute(
        select(Dossier).options(joinedload(Dossier.agency)).where(Dossier.code == code)
    ).scalar_one_or_none()


def _attempted_code_key(code: str) -> str:
    """How an attempted code appears in the logs and the failures table: as is when it has
    the shape of a dossier code, else as a salted hash, since citizens sometimes type their
    phone or identity number where the code is asked."""
    return code if _CODE_SHAPE.fullmatch(code) else "#" + salted_hash(code)[:32]


def _digits_match(dossier: Optional[Dossier], phone_last4: str) -> bool:
    expected = dossier.phone_last4.encode() if dossier is not None else _NO_DIGITS
    matches = hmac.compare_digest(expected, only_digits(phone_last4).encode())
    return matches and dossier is not None


def _locked_until(session: Session, conversation_key: str, code: str, now: datetime) -> Optional[datetime]:
    """End of the lock, if `MAX_FAILURES` failures within the window hit either key.

    The lock lasts until the oldest of the last `MAX_FAILURES` failures leaves the window.
    """
    since = now - LOCKOUT_WINDOW
    ends = [
        oldest + LOCKOUT_WINDOW
        for oldest in (
            _oldest_of_recent_failures(session, VerificationFailure.conversation_key == conversation_key, since),
            _oldest_of_recent_failures(session, VerificationFailure.dossier_code == code, since),
        )
        if oldest is not None
    ]
    return max(ends) if ends else None


def _oldest_of_recent_failures(
    session: Session, condition: ColumnElement, since: datetime
) -> Optional[datetime]:
    return session.execute(
        select(VerificationFailure.at)
        .where(condition, VerificationFailure.at > since)
        .order_by(VerificationFailure.at.desc())
        .offset(MAX_FAILURES - 1)
        .limit(1)
    ).scalar_one_or_none()


def _record_failure(session: Session, conversation_key: str, code: str, now: datetime) -> None:
    session.execute(delete(VerificationFailure).where(VerificationFailure.at < now - FAILURE_RETENTION))
    session.add(VerificationFailure(conversation_key=conversation_key, dossier_code=code, at=now))
    session.flush()


def _dossier_view(session: Session, dossier: Dossier, now: datetime) -> DossierView:
    events = session.execute(
        select(DossierEvent.status, DossierEvent.at)
        .where(DossierEvent.dossier_id == dossier.id)
        .order_by(DossierEvent.at, DossierEvent.id)
    ).all()
    overdue = compute_overdue(
        dossier.status, dossier.appointment_at, dossier.completed_at, [tuple(event) for event in events], now
    )
    status_text = STATUS_TEXTS[dossier.status]
    return DossierView(
        code=dossier.code,
        procedure_code=dossier.procedure_code,
        procedure_name=dossier.procedure_name,
        status=dossier.status,
        status_name=status_text.name,
        status_explanation=status_text.explanation,
        channel=dossier.channel,
        channel_label=CHANNEL_LABELS[dossier.channel],
        received_at=dossier.received_at,
        appointment_at=dossier.appointment_at,
        deadline_at=overdue.deadline,
        overdue=overdue.is_overdue,
        overdue_days=overdue.days,
        supplement_request=dossier.supplement_request,
        completed_at=dossier.completed_at,
        returned_at=dossier.returned_at,
        agency_name=dossier.agency.name,
        agency_address=dossier.agency.address,
        agency_phone=dossier.agency.phone,
        applicant_masked=mask_name(dossier.applicant_name),
    )


# --- survey -------------------------------------------------------------------------------

class UnknownDossierError(LookupError):
    """A survey answer refers to a dossier code that does not exist."""


@dataclass(frozen=True)
class SurveyAnswers:
    """Answers of one survey: the overall level (1–3, see `texts.SATISFACTION_LABELS`) and
    any of the criteria of `texts.SURVEY_CRITERIA` by key (answers 0–2; missing = not answered)."""

    overall_level: int
    criteria: Mapping[str, int] = field(default_factory=dict)
    comment: Optional[str] = None

    def __post_init__(self) -> None:
        if self.overall_level not in SATISFACTION_LABELS:
            raise ValueError(f"overall_level must be one of {sorted(SATISFACTION_LABELS)}")
        choices = {criterion.key: criterion.choices for criterion in SURVEY_CRITERIA}
        for key, value in self.criteria.items():
            if key not in choices or value not in choices[key]:
                raise ValueError(f"invalid answer {value!r} for criterion {key!r}")
        object.__setattr__(self, "criteria", MappingProxyType(dict(self.criteria)))


class SurveyOutcome(str, enum.Enum):
    CREATED = "created"
    UPDATED = "updated"  # the dossier already had a response: it was replaced
    DUPLICATE = "duplicate"  # this idempotency key was already applied: nothing changed


@dataclass(frozen=True)
class SurveySaveResult:
    response_id: int
    outcome: SurveyOutcome

    @property
    def updated(self) -> bool:
        return self.outcome is SurveyOutcome.UPDATED


def save_survey_response(
    session: Session,
    *,
    idempotency_key: str,
    answers: SurveyAnswers,
    dossier_code: Optional[str] = None,
    source_channel: Optional[str] = None,
    sender_id: Optional[str] = None,
    now: Optional[datetime] = None,
) -> SurveySaveResult:
    """Store a survey response; `dossier_code=None` is anonymous general feedback.

    Idempotent: a delivery whose `idempotency_key` was already applied changes nothing
    (use e.g. the conversation id plus the id of the message that completed the survey).
    A dossier has at most one response: answering again replaces the earlier answers.
    Runs in a savepoint of the caller's transaction, retried once if a concurrent delivery
    wins the race on a unique constraint. Raises `UnknownDossierError` for an unknown code.
    """
    now = now or vietnam_now()
    arguments = (session, idempotency_key, answers, dossier_code, source_channel, sender_id, now)
    try:
        with session.begin_nested():
            return _save_survey(*arguments)
    except IntegrityError:
        logger.info("Concurrent survey delivery; retrying")
    with session.begin_nested():
        return _save_survey(*arguments)


def _save_survey(
    session: Session,
    idempotency_key: str,
    answers: SurveyAnswers,
    dossier_code: Optional[str],
    source_channel: Optional[str],
    sender_id: Optional[str],
    now: datetime,
) -> SurveySaveResult:
    applied = session.execute(
        select(SurveyResponse.id).where(SurveyResponse.idempotency_key == idempotency_key)
    ).scalar_one_or_none()
    if applied is not None:
        return SurveySaveResult(applied, SurveyOutcome.DUPLICATE)
    dossier_id = _dossier_id(session, dossier_code) if dossier_code is not None else None
    response = None
    if dossier_id is not None:
        response = session.execute(
            select(SurveyResponse).where(SurveyResponse.dossier_id == dossier_id)
        ).scalar_one_or_none()
    outcome = SurveyOutcome.CREATED if response is None else SurveyOutcome.UPDATED
    if response is None:
        response = SurveyResponse(dossier_id=dossier_id, created_at=now)
        session.add(response)
    response.overall_level = answers.overall_level
    for key in CRITERION_COLUMNS:
        setattr(response, key, answers.criteria.get(key))
    response.comment = answers.comment
    response.source_channel = source_channel
    response.sender_hash = salted_hash(sender_id) if sender_id else None
    response.updated_at = now
    response.idempotency_key = idempotency_key
    session.flush()
    return SurveySaveResult(response.id, outcome)


def _dossier_id(session: Session, dossier_code: str) -> int:
    dossier_id = session.execute(
        select(Dossier.id).where(Dossier.code == normalize_dossier_code(dossier_code))
    ).scalar_one_or_none()
    if dossier_id is None:
        raise UnknownDossierError(dossier_code)
    return dossier_id


def has_survey_response(session: Session, dossier_code: str) -> bool:
    """Whether the dossier already has a survey response (to offer an update instead)."""
    return session.execute(
        select(
            exists().where(
                SurveyResponse.dossier_id == Dossier.id,
                Dossier.code == normalize_dossier_code(dossier_code),
            )
        )
    ).scalar_one()


# --- writing dossiers (imports from the one-stop system, tests) ---------------------------

@dataclass(frozen=True)
class NewAgency:
    code: str
    name: str
    address: str
    phone: Optional[str] = None


@dataclass(frozen=True)
class NewDossier:
    """A dossier as the one-stop system knows it, with the full phone and identity numbers:
    only their last digits and salted hashes are stored."""

    code: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    applicant_name: str
    phone: str
    channel: str
    received_at: datetime
    status: int
    appointment_at: Optional[datetime] = None
    id_number: Optional[str] = None
    supplement_request: Optional[str] = None
    completed_at: Optional[datetime] = None
    returned_at: Optional[datetime] = None
    events: Sequence[Tuple[int, datetime, Optional[str]]] = ()  # (status, at, note)


def add_agency(session: Session, agency: NewAgency) -> None:
    session.add(Agency(code=agency.code, name=agency.name, address=agency.address, phone=agency.phone))
    session.flush()


def add_dossier(session: Session, new: NewDossier) -> None:
    """Store a dossier and its history; its code must have the national shape."""
    code = normalize_dossier_code(new.code)
    if not _CODE_SHAPE.fullmatch(code):
        raise ValueError(f"not a dossier code: {new.code!r}")
    agency_id = session.execute(select(Agency.id).where(Agency.code == new.agency_code)).scalar_one()
    phone = protect_phone(new.phone)
    identity = protect_id_number(new.id_number)
    session.add(Dossier(
        code=code,
        procedure_code=new.procedure_code,
        procedure_name=new.procedure_name,
        agency_id=agency_id,
        applicant_name=new.applicant_name,
        phone_last4=phone.last4,
        phone_hash=phone.hash,
        id_last4=identity.last4 if identity else None,
        id_hash=identity.hash if identity else None,
        channel=new.channel,
        received_at=new.received_at,
        appointment_at=new.appointment_at,
        status=new.status,
        supplement_request=new.supplement_request,
        completed_at=new.completed_at,
        returned_at=new.returned_at,
        events=[DossierEvent(status=status, at=at, note=note) for status, at, note in new.events],
    ))
    session.flush()
