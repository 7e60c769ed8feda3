"""Dossier lookup with verification of the phone digits, the verification record, and
the limits on failed attempts (per conversation, per address, per code, global)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.db.engine import make_engine, session_scope
from bot.db.models import VerificationFailure
from bot.db.services import (
    DEFAULT_LIMITS,
    VERIFICATION_TTL,
    LookupKind,
    LookupResult,
    NotVerifiedError,
    is_verified,
    verified_dossier,
    verify_and_get_dossier,
)
from tests.helpers.db_factories import APPOINTMENT, CODE, NOW, RECEIVED, dossier, store

REJECTED = LookupResult(LookupKind.REJECTED)
MAX_FAILURES = DEFAULT_LIMITS.per_conversation
OWNER = "zalo:owner"


def test_right_digits_give_the_dossier(stored: Engine, lookup) -> None:
    result = lookup()
    assert result.kind is LookupKind.OK
    view = result.dossier
    assert view.code == CODE
    assert (view.procedure_code, view.procedure_name) == ("1.004222", "Đăng ký thường trú")
    assert (view.status, view.status_name) == (4, "Đang xử lý")
    assert view.status_explanation.startswith("Hồ sơ đang được cán bộ giải quyết")
    assert (view.received_at, view.appointment_at) == (RECEIVED, APPOINTMENT)
    assert (view.overdue, view.overdue_days) == (False, 0)
    assert view.agency_name == "UBND phường Ba Đình"
    assert view.agency_address == "Bộ phận Một cửa, số 1 phố Đội Cấn, Hà Nội"
    assert view.applicant_masked == "Nguyễn V. A."
    assert view.channel_label == "Trực tiếp"


def test_code_is_normalised(stored: Engine, lookup) -> None:
    assert lookup(code=" 000.00.12.h25-250103-0042 ").kind is LookupKind.OK
    assert lookup(digits=" 56 78 ").kind is LookupKind.OK


@pytest.mark.parametrize(
    "code, digits",
    [
        (CODE, "5679"),  # wrong digits
        (CODE, ""),
        (CODE, "45678"),
        ("000.00.12.H25-250103-0043", "5678"),  # unknown code
        ("not a code", "5678"),
    ],
)
def test_wrong_digits_and_unknown_code_are_indistinguishable(
    stored: Engine, lookup, code: str, digits: str
) -> None:
    assert lookup(code=code, digits=digits) == REJECTED


def test_only_well_formed_codes_are_stored(engine: Engine) -> None:
    with pytest.raises(ValueError):
        store(engine, dossier(code="0912345678"))


def _fail(
    lookup, times: int, conversation: str = "telegram:1001", code: str = CODE, start=NOW
) -> None:
    for attempt in range(times):
        assert (
            lookup(
                code=code,
                digits="0000",
                conversation=conversation,
                now=start + timedelta(minutes=attempt),
            )
            == REJECTED
        )


def test_lockout_per_conversation(stored: Engine, lookup) -> None:
    for attempt in range(MAX_FAILURES):  # five different unknown codes from one conversation
        lookup(code=f"000.00.12.H25-250103-{attempt:04d}", now=NOW + timedelta(minutes=attempt))
    locked = lookup(now=NOW + timedelta(minutes=5))  # right code and digits, still locked
    assert locked.kind is LookupKind.LOCKED
    assert locked.dossier is None
    assert locked.locked_until == NOW + timedelta(minutes=15)
    assert (
        lookup(conversation="telegram:2002", now=NOW + timedelta(minutes=5)).kind is LookupKind.OK
    )


def _fail_from_others(lookup, count: int, start=NOW, code: str = CODE) -> None:
    """The attack: `count` guesses on one code, each from a new sender id."""
    for attempt in range(count):
        _fail(
            lookup,
            1,
            conversation=f"web:attacker-{attempt}",
            code=code,
            start=start + timedelta(seconds=attempt),
        )


def test_failures_from_other_conversations_do_not_lock_out_the_owner(
    stored: Engine, lookup
) -> None:
    _fail_from_others(lookup, DEFAULT_LIMITS.per_code_ceiling - 1)  # 19 sender ids, one guess each
    assert lookup(conversation=OWNER, now=NOW + timedelta(minutes=1)).kind is LookupKind.OK


def test_a_conversation_that_failed_on_a_locked_code_is_locked(stored: Engine, lookup) -> None:
    _fail(lookup, 1, conversation=OWNER)
    _fail_from_others(lookup, DEFAULT_LIMITS.per_code - 1, start=NOW + timedelta(minutes=1))
    result = lookup(
        conversation=OWNER, now=NOW + timedelta(minutes=2)
    )  # right digits, but it guessed before
    assert result.kind is LookupKind.LOCKED
    assert result.locked_until == NOW + DEFAULT_LIMITS.window


def test_a_new_conversation_gets_one_attempt_on_a_locked_code(stored: Engine, lookup) -> None:
    _fail_from_others(lookup, DEFAULT_LIMITS.per_code)
    assert (
        lookup(digits="0000", conversation="web:one-shot", now=NOW + timedelta(minutes=1))
        == REJECTED
    )
    assert (
        lookup(conversation="web:one-shot", now=NOW + timedelta(minutes=2)).kind
        is LookupKind.LOCKED
    )


def test_below_the_code_limit_a_conversation_may_retry(stored: Engine, lookup) -> None:
    _fail_from_others(lookup, DEFAULT_LIMITS.per_code - 2)
    _fail(
        lookup, 1, conversation=OWNER, start=NOW + timedelta(minutes=1)
    )  # a typo: the code reaches 4
    assert lookup(conversation=OWNER, now=NOW + timedelta(minutes=2)).kind is LookupKind.OK


def test_the_code_ceiling_locks_everyone(stored: Engine, lookup) -> None:
    _fail_from_others(lookup, DEFAULT_LIMITS.per_code_ceiling)
    result = lookup(conversation=OWNER, now=NOW + timedelta(minutes=1))
    assert result.kind is LookupKind.LOCKED and result.locked_until == NOW + DEFAULT_LIMITS.window
    assert (
        lookup(conversation=OWNER, now=NOW + DEFAULT_LIMITS.window + timedelta(seconds=1)).kind
        is LookupKind.OK
    )


def test_failures_per_network_address(stored: Engine, lookup) -> None:
    """Changing the sender id does not help when the gateway passes the address on."""
    for attempt in range(DEFAULT_LIMITS.per_address):
        code = (
            f"000.00.12.H25-250103-{attempt + 100:04d}"  # spread over codes: no code limit applies
        )
        assert (
            lookup(
                code=code,
                conversation=f"web:{attempt}",
                address="203.0.113.7",
                now=NOW + timedelta(seconds=attempt),
            )
            == REJECTED
        )
    later = NOW + timedelta(minutes=1)
    result = lookup(conversation="web:fresh", address="203.0.113.7", now=later)
    assert result.kind is LookupKind.LOCKED and result.locked_until == NOW + DEFAULT_LIMITS.window
    assert (
        lookup(conversation="web:elsewhere", address="198.51.100.2", now=later).kind
        is LookupKind.OK
    )
    assert lookup(conversation="telegram:no-address", now=later).kind is LookupKind.OK


def test_network_address_is_stored_hashed(stored: Engine, lookup) -> None:
    lookup(digits="0000", address="203.0.113.7")
    with session_scope(stored) as session:
        [key] = session.execute(select(VerificationFailure.address_key)).scalars().all()
    assert key and "203.0.113.7" not in key and len(key) == 64


def test_global_ceiling_on_failures_per_minute(stored: Engine, lookup) -> None:
    """Many identities, addresses and codes: the total is still bounded."""
    for attempt in range(DEFAULT_LIMITS.global_ceiling):
        code = f"000.00.12.H25-250103-{attempt + 100:04d}"
        lookup(
            code=code,
            digits="0000",
            conversation=f"tg:{attempt}",
            address=f"10.0.{attempt}.1",
            now=NOW + timedelta(milliseconds=500 * attempt),
        )
    result = lookup(conversation=OWNER, now=NOW + timedelta(seconds=40))
    assert result.kind is LookupKind.LOCKED
    assert result.locked_until == NOW + DEFAULT_LIMITS.global_window
    assert lookup(conversation=OWNER, now=NOW + timedelta(seconds=61)).kind is LookupKind.OK


def _failures(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.execute(select(func.count()).select_from(VerificationFailure)).scalar_one()


def test_refused_attempts_are_not_recorded(stored: Engine, lookup) -> None:
    _fail_from_others(lookup, DEFAULT_LIMITS.per_code_ceiling)
    lookup(digits="0000", conversation="web:late", now=NOW + timedelta(minutes=1))
    assert _failures(stored) == DEFAULT_LIMITS.per_code_ceiling


# --- the verification record -------------------------------------------------------------


def test_success_records_a_verification_for_this_conversation_only(stored: Engine, lookup) -> None:
    lookup(conversation=OWNER)
    with session_scope(stored) as session:
        assert is_verified(session, CODE.lower(), OWNER, NOW + timedelta(minutes=1))
        assert not is_verified(session, CODE, "zalo:someone-else", NOW + timedelta(minutes=1))
        assert verified_dossier(session, CODE, OWNER, NOW).code == CODE
        assert not is_verified(
            session, CODE, OWNER, NOW + VERIFICATION_TTL
        )  # expired after 30 minutes


def test_failure_records_no_verification(stored: Engine, lookup) -> None:
    lookup(digits="0000", conversation=OWNER)
    with session_scope(stored) as session:
        assert not is_verified(session, CODE, OWNER, NOW)
        with pytest.raises(NotVerifiedError):
            verified_dossier(session, CODE, OWNER, NOW)


def test_four_failures_do_not_lock(stored: Engine, lookup) -> None:
    _fail(lookup, MAX_FAILURES - 1)
    assert lookup(now=NOW + timedelta(minutes=5)).kind is LookupKind.OK


def test_lock_is_released_after_fifteen_minutes(stored: Engine, lookup) -> None:
    _fail(lookup, MAX_FAILURES)  # at NOW … NOW+4min
    assert lookup(now=NOW + timedelta(minutes=14, seconds=59)).kind is LookupKind.LOCKED
    assert lookup(now=NOW + timedelta(minutes=15, seconds=1)).kind is LookupKind.OK


def test_success_does_not_reset_the_counter(stored: Engine, lookup) -> None:
    _fail(lookup, MAX_FAILURES - 1)
    assert lookup(now=NOW + timedelta(minutes=5)).kind is LookupKind.OK
    _fail(lookup, 1, start=NOW + timedelta(minutes=6))
    assert lookup(now=NOW + timedelta(minutes=7)).kind is LookupKind.LOCKED


def test_attempts_while_locked_do_not_extend_the_lock(stored: Engine, lookup) -> None:
    _fail(lookup, MAX_FAILURES)
    for minute in range(5, 15):
        assert lookup(digits="0000", now=NOW + timedelta(minutes=minute)).kind is LookupKind.LOCKED
    assert lookup(now=NOW + timedelta(minutes=15, seconds=1)).kind is LookupKind.OK


def test_lockout_holds_across_processes(stored: Engine, database_url: str) -> None:
    """Two action servers (two engines on one database) share the failure counter."""
    other = make_engine(database_url)
    try:
        for attempt in range(MAX_FAILURES):
            engine = stored if attempt % 2 else other
            with session_scope(engine) as session:
                verify_and_get_dossier(
                    session, CODE, "0000", "telegram:1001", NOW + timedelta(minutes=attempt)
                )
        with session_scope(stored) as session:
            result = verify_and_get_dossier(
                session, CODE, "5678", "telegram:1001", NOW + timedelta(minutes=6)
            )
        assert result.kind is LookupKind.LOCKED
    finally:
        other.dispose()
