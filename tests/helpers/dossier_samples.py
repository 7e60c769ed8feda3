"""Hand-made dossiers with known phone digits, for the action and conversation tests.

One dossier per status (1–10), plus an overdue one and spare status-10 dossiers for the
survey tests. Dates are relative to `now` (the lookup computes "overdue" against the
real clock), so the expected wording is computed from the same dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.db.engine import session_scope
from bot.db.services import NewDossier
from tests.helpers.db_factories import NewAgency, add_agency, add_dossier

AGENCY = NewAgency(
    "000.00.12.H25",
    "UBND phường Ba Đình",
    "Bộ phận Một cửa, số 1 phố Đội Cấn, Hà Nội",
    "024 3823 0000",
)
PHONE = "0912 345 739"
DIGITS = "5739"  # last 4 digits of PHONE (not the "5678" of the examples in the questions)
WRONG_DIGITS = "1234"
APPLICANT = "Nguyễn Văn An"
APPLICANT_MASKED = "Nguyễn V. A."
SUPPLEMENT = "Bổ sung bản sao giấy khai sinh của người đăng ký thường trú."
UNKNOWN_CODE = "000.00.12.H25-250101-9999"
OVERDUE_DAYS = 3


@dataclass(frozen=True)
class SampleDossier:
    code: str
    status: int
    received_at: datetime
    appointment_at: datetime | None
    phone_last4: str = DIGITS


def _code(serial: int) -> str:
    return f"{AGENCY.code}-250103-{serial:04d}"


def sample_dossiers(now: datetime) -> dict[str, NewDossier]:
    """By role: "1" … "10" (one per status), "overdue", "survey", "survey_again", "lockout"."""
    received = (now - timedelta(days=2)).replace(hour=8, minute=30, second=0, microsecond=0)
    old = (now - timedelta(days=20)).replace(hour=8, minute=30, second=0, microsecond=0)

    def dossier(
        serial: int, status: int, events: list[tuple[int, datetime]], **fields: object
    ) -> NewDossier:
        values: dict = dict(
            code=_code(serial),
            procedure_code="1.004222",
            procedure_name="Đăng ký thường trú",
            agency_code=AGENCY.code,
            applicant_name=APPLICANT,
            phone=PHONE,
            channel="truc_tiep",
            received_at=received,
            appointment_at=received + timedelta(days=7),
            status=status,
            events=tuple((event_status, at, None) for event_status, at in events),
        )
        values.update(fields)
        return NewDossier(**values)

    def returned(serial: int) -> NewDossier:
        completed, handed = old + timedelta(days=5), old + timedelta(days=6)
        return dossier(
            serial,
            10,
            [(2, old), (4, old + timedelta(hours=2)), (9, completed), (10, handed)],
            received_at=old,
            appointment_at=old + timedelta(days=7),
            completed_at=completed,
            returned_at=handed,
        )

    hours = timedelta(hours=2)
    waiting_since = now - timedelta(days=1)
    return {
        "1": dossier(1, 1, [(1, received)], channel="truc_tuyen", appointment_at=None),
        "2": dossier(2, 2, [(2, received)]),
        "3": dossier(3, 3, [(3, received)], appointment_at=None),
        "4": dossier(4, 4, [(2, received), (4, received + hours)]),
        "5": dossier(
            5,
            5,
            [(2, received), (4, received + hours), (5, waiting_since)],
            supplement_request=SUPPLEMENT,
        ),
        "6": dossier(6, 6, [(2, received), (4, received + hours), (6, waiting_since)]),
        "7": dossier(7, 7, [(2, received), (7, received + hours)]),
        "8": dossier(8, 8, [(2, received), (8, received + hours)]),
        "9": dossier(
            9,
            9,
            [(2, received), (4, received + hours), (9, waiting_since)],
            completed_at=waiting_since,
        ),
        "10": returned(10),
        "overdue": dossier(
            11,
            4,
            [(2, old), (4, old + hours)],
            received_at=old,
            appointment_at=now
            - timedelta(days=OVERDUE_DAYS - 1, hours=1),  # 2 days 1 hour late: 3 days, rounded up
        ),
        "survey": returned(12),
        "survey_again": returned(13),
        "survey_keep": returned(14),
        "lockout": dossier(15, 4, [(2, received), (4, received + hours)]),
        "wrong_digits": dossier(16, 4, [(2, received), (4, received + hours)]),
    }


def store_samples(engine: Engine, now: datetime) -> dict[str, SampleDossier]:
    """Store the agency and the sample dossiers in one transaction."""
    dossiers = sample_dossiers(now)
    with session_scope(engine) as session:
        add_agency(session, AGENCY)
        for new in dossiers.values():
            add_dossier(session, new)
    return {
        role: SampleDossier(new.code, new.status, new.received_at, new.appointment_at)
        for role, new in dossiers.items()
    }
