"""What the Rasa custom actions call: dossier lookup with verification, survey answers.

Every function takes a `Session` already inside a transaction and leaves committing to
the caller (use `bot.db.engine.session_scope()`). Results are small frozen dataclasses;
no ORM object leaves this module.
"""

from __future__ import annotations

import enum
import hmac
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from sqlalchemy import delete, exists, func, select, text, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from bot.db.models import (
    CRITERION_COLUMNS,
    KEY_LENGTH,
    Dossier,
    DossierEvent,
    DossierVerification,
    SurveyResponse,
    VerificationFailure,
    vietnam_now,
)
from bot.db.overdue import compute_overdue
from bot.db.privacy import mask_name, only_digits, protect_id_number, protect_phone, salted_hash
from bot.dossier_code import is_dossier_code, normalize_dossier_code
from bot.wording import CHANNEL_LABELS, SATISFACTION_LABELS, STATUS_TEXTS, SURVEY_CRITERIA

logger = logging.getLogger(__name__)

VERIFICATION_TTL = timedelta(
    minutes=30
)  # how long a verified conversation may see and rate a dossier
FAILURE_RETENTION = timedelta(days=1)  # older failures are purged when a new one is recorded
ANONYMOUS_FEEDBACK_PER_DAY = 3  # general feedback (no dossier) per sender and calendar day
_NO_DIGITS = b"\x00" * 4  # compared against when the code is unknown, to take the same time


# --- dossier lookup -----------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationLimits:
    """Failed verifications tolerated before attempts are refused; see `verify_and_get_dossier`."""

    per_conversation: int = 5  # from one channel identity (sender id), in `window`
    per_address: int = 20  # from one network address (several citizens may share one), in `window`
    per_code: int = (
        5  # on one code in `window`: then only conversations that never failed on it may try, once
    )
    per_code_ceiling: int = 20  # on one code in `window`: then nobody may try it
    window: timedelta = timedelta(minutes=15)
    global_ceiling: int = 60  # across every conversation and code, in `global_window`
    global_window: timedelta = timedelta(minutes=1)


DEFAULT_LIMITS = VerificationLimits()


class LookupKind(str, enum.Enum):
    OK = "ok"
    REJECTED = "rejected"  # unknown code or wrong digits: deliberately indistinguishable
    LOCKED = "locked"  # too many failures lately (see `VerificationLimits`)


# Fields that NewDossier, the `dossiers` row and DossierView share unchanged (the code is
# normalised, the phone and identity number protected, the applicant's name masked).
_SAME_NAMED_FIELDS = (
    "procedure_code",
    "procedure_name",
    "channel",
    "received_at",
    "appointment_at",
    "status",
    "supplement_request",
    "completed_at",
    "returned_at",
)


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
    appointment_at: datetime | None
    deadline_at: datetime | None  # appointment moved back by the time waiting for the citizen
    overdue: bool
    overdue_days: int
    supplement_request: str | None
    completed_at: datetime | None
    returned_at: datetime | None
    agency_name: str
    agency_address: str  # where to collect the result
    agency_phone: str | None
    applicant_masked: str  # "Nguyễn V. A."


@dataclass(frozen=True)
class LookupResult:
    kind: LookupKind
    dossier: DossierView | None = None
    locked_until: datetime | None = None  # when kind is LOCKED: first moment a new try is allowed


class NotVerifiedError(PermissionError):
    """The conversation has no live verification of the dossier."""


@dataclass(frozen=True)
class _Attempt:
    """Who tries which code, as the failures table keys them."""

    conversation_key: str
    code_key: str
    address_key: str | None


def verify_and_get_dossier(
    session: Session,
    code: str,
    phone_last4: str,
    conversation_key: str,
    now: datetime | None = None,
    *,
    client_address: str | None = None,
    limits: VerificationLimits = DEFAULT_LIMITS,
) -> LookupResult:
    """Return the dossier `code` if `phone_last4` are the last 4 digits of its phone number,
    and record that this conversation verified it (for `VERIFICATION_TTL`).

    `conversation_key` is the channel-scoped sender id; `client_address` the citizen's
    network address when the gateway knows it (web chat). Failures are counted in the
    database, so the limits hold across action-server processes; an attempt is refused
    (LOCKED, nothing checked nor recorded, so a lock does not extend itself) when, within
    the sliding windows of `limits`:

    - this conversation failed `per_conversation` times (on any codes), or
    - this network address failed `per_address` times, or
    - every conversation together failed `global_ceiling` times (a brake on distributed
      guessing: it pauses verification for everyone, for at most `global_window`), or
    - the code was failed `per_code_ceiling` times, or `per_code` times and this
      conversation is among those that failed on it.

    The owner rule: failures on a code from other conversations do not lock its owner out.
    A conversation that has not failed on the code gets one attempt even when the code has
    reached `per_code`: the right digits let it in, a wrong answer is recorded like any
    other (so that conversation is then locked for the code). Someone guessing the digits
    therefore needs a new channel identity for each guess once the code is locked, every
    guess still counts against the address and global limits, and `per_code_ceiling`
    bounds the guesses on one code per window (20 in 15 minutes: the 10,000 possible digits
    take about 60 hours on average). Locking the owner out takes `per_code_ceiling`
    failures from distinct identities every window. A success resets no counter.
    """
    now = now or vietnam_now()
    code = normalize_dossier_code(code)
    attempt = _Attempt(
        conversation_key[:KEY_LENGTH], _attempted_code_key(code), _address_key(client_address)
    )
    locked_until = _locked_until(session, attempt, now, limits)
    if locked_until is not None:
        logger.info("Dossier lookup locked until %s (code %s)", locked_until, attempt.code_key)
        return LookupResult(LookupKind.LOCKED, locked_until=locked_until)
    dossier = _find_dossier(session, code) if is_dossier_code(code) else None
    if not _digits_match(dossier, phone_last4):
        _record_failure(session, attempt, now)
        logger.info("Dossier lookup rejected (code %s)", attempt.code_key)
        return LookupResult(LookupKind.REJECTED)
    assert dossier is not None  # for the type checker: the digits matched a dossier
    record_verification(session, attempt.conversation_key, dossier.code, now)
    logger.info("Dossier lookup ok (code %s)", attempt.code_key)
    return LookupResult(LookupKind.OK, dossier=_dossier_view(session, dossier, now))


def is_verified(
    session: Session, code: str, conversation_key: str, now: datetime | None = None
) -> bool:
    """Whether this conversation verified the dossier and the verification has not expired."""
    now = now or vietnam_now()
    return session.execute(
        select(
            exists().where(
                DossierVerification.conversation_key == conversation_key[:KEY_LENGTH],
                DossierVerification.dossier_code == normalize_dossier_code(code),
                DossierVerification.expires_at > now,
            )
        )
    ).scalar_one()


def require_verification(
    session: Session, code: str, conversation_key: str, now: datetime | None = None
) -> None:
    """Raise `NotVerifiedError` unless `is_verified`."""
    if not is_verified(session, code, conversation_key, now):
        raise NotVerifiedError(code)


def verified_dossier(
    session: Session, code: str, conversation_key: str, now: datetime | None = None
) -> DossierView:
    """The dossier as shown to its owner, if this conversation verified it (`is_verified`);
    raises `NotVerifiedError` otherwise. What actions disclose comes from here, never from
    slot values alone."""
    now = now or vietnam_now()
    require_verification(session, code, conversation_key, now)
    dossier = _find_dossier(session, normalize_dossier_code(code))
    if dossier is None:  # deleted since it was verified
        raise NotVerifiedError(code)
    return _dossier_view(session, dossier, now)


def staff_dossier_view(
    session: Session, code: str, now: datetime | None = None
) -> DossierView | None:
    """The dossier as staff see it in the console (no verification: the console audits each
    view instead); None for an unknown code."""
    dossier = _find_dossier(session, normalize_dossier_code(code))
    return None if dossier is None else _dossier_view(session, dossier, now or vietnam_now())


def _find_dossier(session: Session, code: str) -> Dossier | None:
    return session.execute(
        select(Dossier).options(joinedload(Dossier.agency)).where(Dossier.code == code)
    ).scalar_one_or_none()


def _attempted_code_key(code: str) -> str:
    """How an attempted code appears in the logs and the failures table: as is when it has
    the shape of a dossier code, else as a salted hash, since citizens sometimes type their
    phone or identity number where the code is asked."""
    return code if is_dossier_code(code) else "#" + salted_hash(code)[:32]


def _address_key(client_address: str | None) -> str | None:
    """A network address is personal data: only its salted hash is kept."""
    return (
        salted_hash(client_address.strip().lower())
        if client_address and client_address.strip()
        else None
    )


def _digits_match(dossier: Dossier | None, phone_last4: str) -> bool:
    expected = dossier.phone_last4.encode() if dossier is not None else _NO_DIGITS
    matches = hmac.compare_digest(expected, only_digits(phone_last4).encode())
    return matches and dossier is not None


def _locked_until(
    session: Session, attempt: _Attempt, now: datetime, limits: VerificationLimits
) -> datetime | None:
    """End of the longest lock that applies to `attempt` (see `verify_and_get_dossier`)."""
    failure = VerificationFailure
    on_code = failure.dossier_code == attempt.code_key
    checks: list[tuple[ColumnElement, int, timedelta]] = [
        (
            failure.conversation_key == attempt.conversation_key,
            limits.per_conversation,
            limits.window,
        ),
        (on_code, limits.per_code_ceiling, limits.window),
        (true(), limits.global_ceiling, limits.global_window),
    ]
    if attempt.address_key is not None:
        checks.append(
            (failure.address_key == attempt.address_key, limits.per_address, limits.window)
        )
    if _failed_on_code(session, attempt, now - limits.window):
        checks.append((on_code, limits.per_code, limits.window))
    ends = (
        _lock_end(session, condition, limit, window, now) for condition, limit, window in checks
    )
    return max((end for end in ends if end is not None), default=None)


def _failed_on_code(session: Session, attempt: _Attempt, since: datetime) -> bool:
    return session.execute(
        select(
            exists().where(
                VerificationFailure.conversation_key == attempt.conversation_key,
                VerificationFailure.dossier_code == attempt.code_key,
                VerificationFailure.at > since,
            )
        )
    ).scalar_one()


def _lock_end(
    session: Session, condition: ColumnElement, limit: int, window: timedelta, now: datetime
) -> datetime | None:
    """If `limit` failures matching `condition` happened within `window`: the moment the
    oldest of the latest `limit` of them leaves the window."""
    oldest = session.execute(
        select(VerificationFailure.at)
        .where(condition, VerificationFailure.at > now - window)
        .order_by(VerificationFailure.at.desc())
        .offset(limit - 1)
        .limit(1)
    ).scalar_one_or_none()
    return oldest + window if oldest is not None else None


def _without_commit_flush(session: Session) -> None:
    """On PostgreSQL, let this transaction's commit return before its WAL reaches the disk
    (`synchronous_commit` off, this transaction only): a verification or failure lost in a
    server crash a fraction of a second later costs a citizen one more try at most, and
    waiting for the disk would triple the time of every lookup."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _record_failure(session: Session, attempt: _Attempt, now: datetime) -> None:
    _without_commit_flush(session)
    session.execute(
        delete(VerificationFailure).where(VerificationFailure.at < now - FAILURE_RETENTION)
    )
    session.add(
        VerificationFailure(
            conversation_key=attempt.conversation_key,
            dossier_code=attempt.code_key,
            address_key=attempt.address_key,
            at=now,
        )
    )
    session.flush()


def record_verification(session: Session, conversation_key: str, code: str, now: datetime) -> None:
    _without_commit_flush(session)
    session.execute(delete(DossierVerification).where(DossierVerification.expires_at <= now))
    session.add(
        DossierVerification(
            conversation_key=conversation_key,
            dossier_code=code,
            verified_at=now,
            expires_at=now + VERIFICATION_TTL,
        )
    )
    session.flush()


def _dossier_view(session: Session, dossier: Dossier, now: datetime) -> DossierView:
    events = session.execute(
        select(DossierEvent.status, DossierEvent.at)
        .where(DossierEvent.dossier_id == dossier.id)
        .order_by(DossierEvent.at, DossierEvent.id)
    ).all()
    overdue = compute_overdue(
        dossier.status,
        dossier.appointment_at,
        dossier.completed_at,
        [tuple(event) for event in events],
        now,
    )
    status_text = STATUS_TEXTS[dossier.status]
    return DossierView(
        **{name: getattr(dossier, name) for name in _SAME_NAMED_FIELDS},
        code=dossier.code,
        status_name=status_text.name,
        status_explanation=status_text.explanation,
        channel_label=CHANNEL_LABELS[dossier.channel],
        deadline_at=overdue.deadline,
        overdue=overdue.is_overdue,
        overdue_days=overdue.days,
        agency_name=dossier.agency.name,
        agency_address=dossier.agency.address,
        agency_phone=dossier.agency.phone,
        applicant_masked=mask_name(dossier.applicant_name),
    )


# --- survey -------------------------------------------------------------------------------


class UnknownDossierError(LookupError):
    """A survey answer refers to a dossier code that does not exist."""


class FeedbackLimitError(RuntimeError):
    """The sender already gave `ANONYMOUS_FEEDBACK_PER_DAY` general feedbacks today."""


@dataclass(frozen=True)
class SurveyAnswers:
    """Answers of one survey: the overall level (1–3, see `wording.SATISFACTION_LABELS`) and
    any of the criteria of `wording.SURVEY_CRITERIA` by key (answers 0–2; missing = not
    answered)."""

    overall_level: int
    criteria: Mapping[str, int] = field(default_factory=dict)
    comment: str | None = None

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
    dossier_code: str | None = None,
    source_channel: str | None = None,
    sender_id: str | None = None,
    now: datetime | None = None,
) -> SurveySaveResult:
    """Store a survey response; `dossier_code=None` is anonymous general feedback.

    Idempotent: a delivery whose `idempotency_key` was already applied changes nothing
    (use e.g. the conversation id plus the id of the message that completed the survey).
    A dossier has at most one response: answering again replaces the earlier answers.
    Runs in a savepoint of the caller's transaction, retried once if a concurrent delivery
    wins the race on a unique constraint. Raises `UnknownDossierError` for an unknown code,
    `FeedbackLimitError` for anonymous feedback beyond `ANONYMOUS_FEEDBACK_PER_DAY` from
    `sender_id` (a redelivery of an applied key is still a harmless DUPLICATE).
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
    dossier_code: str | None,
    source_channel: str | None,
    sender_id: str | None,
    now: datetime,
) -> SurveySaveResult:
    applied = session.execute(
        select(SurveyResponse.id).where(SurveyResponse.idempotency_key == idempotency_key)
    ).scalar_one_or_none()
    if applied is not None:
        return SurveySaveResult(applied, SurveyOutcome.DUPLICATE)
    if (
        dossier_code is None
        and sender_id
        and anonymous_feedback_limit_reached(session, sender_id, now)
    ):
        raise FeedbackLimitError(ANONYMOUS_FEEDBACK_PER_DAY)
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


def anonymous_feedback_limit_reached(
    session: Session, sender_id: str, now: datetime | None = None
) -> bool:
    """Whether `sender_id` gave `ANONYMOUS_FEEDBACK_PER_DAY` general feedbacks (no dossier)
    since midnight, Vietnam time: one sender cannot flood the statistics."""
    now = now or vietnam_now()
    given = session.execute(
        select(func.count())
        .select_from(SurveyResponse)
        .where(
            SurveyResponse.sender_hash == salted_hash(sender_id),
            SurveyResponse.dossier_id.is_(None),
            SurveyResponse.created_at >= now.replace(hour=0, minute=0, second=0, microsecond=0),
        )
    ).scalar_one()
    return given >= ANONYMOUS_FEEDBACK_PER_DAY


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


# --- writing dossiers (status imports from the one-stop system) ---------------------------


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
    appointment_at: datetime | None = None
    id_number: str | None = None
    supplement_request: str | None = None
    completed_at: datetime | None = None
    returned_at: datetime | None = None
    events: Sequence[tuple[int, datetime, str | None]] = ()  # (status, at, note)


def dossier_columns(new: NewDossier, agency_id: int) -> dict[str, object]:
    """The `dossiers` row of `new` (phone and identity numbers reduced to last digits and
    salted hashes); ValueError when its code does not have the national shape."""
    code = normalize_dossier_code(new.code)
    if not is_dossier_code(code):
        raise ValueError(f"not a dossier code: {new.code!r}")
    phone = protect_phone(new.phone)
    identity = protect_id_number(new.id_number)
    return {
        **{name: getattr(new, name) for name in _SAME_NAMED_FIELDS},
        "applicant_name": new.applicant_name,
        "code": code,
        "agency_id": agency_id,
        "phone_last4": phone.last4,
        "phone_hash": phone.hash,
        "id_last4": identity.last4 if identity else None,
        "id_hash": identity.hash if identity else None,
    }
