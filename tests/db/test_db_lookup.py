"""Dossier lookup with verification of the phone digits, and the lockout."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.db.engine import make_engine, session_scope
from bot.db.services import LookupKind, LookupResult, MAX_FAILURES, verify_and_get_dossier
from db_factories import APPOINTMENT, CODE, NOW, RECEIVED, dossier, store

REJECTED = LookupResult(LookupKind.REJECTED)


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


@pytest.mark.parametrize("code, digits", [
    (CODE, "5679"),  # wrong digits
    (CODE, ""),
    (CODE, "45678"),
    ("000.00.12.H25-250103-0043", "5678"),  # unknown code
    ("not a code", "5678"),
])
def test_wrong_digits_and_unknown_code_are_indistinguishable(stored: Engine, lookup, code: str, digits: str) -> None:
    assert lookup(code=code, digits=digits) == REJECTED


def test_only_well_formed_codes_are_stored(engine: Engine) -> None:
    with pytest.raises(ValueError):
        store(engine, dossier(code="0912345678"))


def _fail(lookup, times: int, conversation: str = "telegram:1001", code: str = CODE, start=NOW) -> None:
    for attempt in range(times):
        assert lookup(code=code, digits="0000", conversation=conversation,
                      now=start + timedelta(minutes=attempt)) == REJECTED


def test_lockout_per_conversation(stored: Engine, lookup) -> None:
    for attempt in range(MAX_FAILURES):  # five different unknown codes from one conversation
        lookup(code=f"000.00.12.H25-250103-{attempt:04d}", now=NOW + timedelta(minutes=attempt))
    locked = lookup(now=NOW + timedelta(minutes=5))  # right code and digits, still locked
    assert locked.kind is LookupKind.LOCKED
    assert locked.dossier is None
    assert locked.locked_until == NOW + timedelta(minutes=15)
    assert lookup(conversation="telegram:2002", now=NOW + timedelta(minutes=5)).kind is LookupKind.OK


def test_lockout_per_code(stored: Engine, lookup) -> None:
    for attempt in range(MAX_FAILURES):  # five conversations try the same code
        _fail(lookup, 1, conversation=f"web:{attempt}", start=NOW + timedelta(minutes=attempt))
    result = lookup(conversation="web:new", now=NOW + timedelta(minutes=6))
    assert result.kind is LookupKind.LOCKED
    assert result.locked_until == NOW + timedelta(minutes=15)


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
                verify_and_get_dossier(session, CODE, "0000", "telegram:1001", NOW + timedelta(minutes=attempt))
        with session_scope(stored) as session:
            result = verify_and_get_dossier(session, CODE, "5678", "telegram:1001", NOW + timedelta(minutes=6))
        assert result.kind is LookupKind.LOCKED
    finally:
        other.dispose()
