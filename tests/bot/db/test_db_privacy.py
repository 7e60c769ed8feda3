"""Personal data: what is stored, masking, and that full numbers never reach the logs."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.db.engine import session_scope
from bot.db.models import Dossier, VerificationFailure
from bot.db.privacy import mask_name, normalize_phone, protect_phone, salted_hash
from bot.db.services import SurveyAnswers, save_survey_response
from tests.helpers.db_factories import CODE, DOSSIER, ID_NUMBER, PHONE, store


@pytest.mark.parametrize(
    "name, masked",
    [
        ("Nguyễn Văn An", "Nguyễn V. A."),
        ("Trần Thị Thu Hà", "Trần T. T. H."),
        ("  Lê   Đức  ", "Lê Đ."),
        ("đặng văn đông", "đặng V. Đ."),
        ("Mai", "M."),
        ("", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize("raw", ["0912345678", "0912 345 678", "+84 912 345 678", "84-912-345-678"])
def test_phone_forms_hash_alike(raw: str) -> None:
    assert normalize_phone(raw) == "0912345678"
    assert protect_phone(raw) == protect_phone("0912345678")


def test_hash_depends_on_the_salt(monkeypatch: pytest.MonkeyPatch) -> None:
    default = salted_hash("0912345678")
    monkeypatch.setenv("ASSISTANT_HASH_SALT", "another secret")
    assert salted_hash("0912345678") != default


def test_only_last_digits_and_hashes_are_stored(engine: Engine) -> None:
    store(engine, DOSSIER)
    with session_scope(engine) as session:
        row = session.execute(select(Dossier.__table__)).one()
    assert (row.phone_last4, row.id_last4) == ("5678", "2345")
    assert not any("0912345678" in str(value) or ID_NUMBER in str(value) for value in row)


def test_full_numbers_never_logged(
    engine: Engine, lookup, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(
        logging.DEBUG, logger="sqlalchemy.engine"
    )  # every SQL statement, parameters, rows
    store(engine, DOSSIER)
    lookup()
    lookup(digits="1111")
    lookup(code="000.00.12.H25-250103-9999")
    lookup(code=PHONE)  # typed where the code was asked
    with session_scope(engine) as session:
        save_survey_response(
            session,
            idempotency_key="k1",
            answers=SurveyAnswers(3),
            dossier_code=CODE,
            sender_id="telegram:987654321",
        )
    assert "SELECT" in caplog.text  # the SQL log was captured
    with session_scope(engine) as session:
        stored_codes = session.execute(select(VerificationFailure.dossier_code)).scalars().all()
    assert "000.00.12.H25-250103-9999" in stored_codes
    for secret in ("0912345678", "0912 345 678", ID_NUMBER, "987654321"):
        assert secret not in caplog.text
        assert not any(secret in code for code in stored_codes)
