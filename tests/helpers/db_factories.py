"""Reference data of the database tests, and helpers to store it (agencies and dossiers are
written here, through the same `dossier_columns` as the status import: production code never
creates them one by one)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import Agency, Dossier, DossierEvent
from bot.db.services import NewDossier, dossier_columns


@dataclass(frozen=True)
class NewAgency:
    code: str
    name: str
    address: str
    phone: str | None = None


def add_agency(session: Session, agency: NewAgency) -> None:
    session.add(
        Agency(code=agency.code, name=agency.name, address=agency.address, phone=agency.phone)
    )
    session.flush()


def add_dossier(session: Session, new: NewDossier) -> None:
    """Store a dossier and its history; its code must have the national shape."""
    agency_id = session.execute(
        select(Agency.id).where(Agency.code == new.agency_code)
    ).scalar_one()
    session.add(
        Dossier(
            **dossier_columns(new, agency_id),
            events=[
                DossierEvent(status=status, at=at, note=note) for status, at, note in new.events
            ],
        )
    )
    session.flush()


AGENCY = NewAgency(
    "000.00.12.H25",
    "UBND phường Ba Đình",
    "Bộ phận Một cửa, số 1 phố Đội Cấn, Hà Nội",
    "024 3823 0000",
)
OTHER_AGENCY = NewAgency("000.12.30.H25", "Công an phường Ba Đình", "Số 5 phố Đội Cấn, Hà Nội")
PHONE = "0912 345 678"
ID_NUMBER = "001085012345"
RECEIVED = datetime(2025, 1, 3, 8, 30)
APPOINTMENT = datetime(2025, 1, 14, 16, 30)
NOW = datetime(2025, 1, 10, 9, 0)
CODE = "000.00.12.H25-250103-0042"

DOSSIER = NewDossier(
    code=CODE,
    procedure_code="1.004222",
    procedure_name="Đăng ký thường trú",
    agency_code=AGENCY.code,
    applicant_name="Nguyễn Văn An",
    phone=PHONE,
    id_number=ID_NUMBER,
    channel="truc_tiep",
    received_at=RECEIVED,
    appointment_at=APPOINTMENT,
    status=4,
    events=((2, RECEIVED, None), (4, RECEIVED + timedelta(hours=2), None)),
)


def store(
    engine: Engine, *dossiers: NewDossier, agencies: tuple[NewAgency, ...] = (AGENCY,)
) -> None:
    """Store agencies and dossiers in one transaction."""
    with session_scope(engine) as session:
        for agency in agencies:
            add_agency(session, agency)
        for dossier in dossiers:
            add_dossier(session, dossier)


def dossier(**changes: object) -> NewDossier:
    """The reference dossier with some fields changed."""
    return dataclasses.replace(DOSSIER, **changes)
