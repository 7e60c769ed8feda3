"""Deterministic demo data: agencies, dossiers with a consistent status history, surveys.

The same seed, dossier count and reference day always give the same data (the random
generator is the only source of variation), so demo scripts and tests can rely on the
sample codes printed by `python -m bot seed --demo --json`. Dates are relative to the
reference day (default: today), so the demo keeps its mix of in-time and overdue
dossiers whenever it is seeded. Rows are generated in batches and bulk-inserted
(executemany; COPY on PostgreSQL): a million dossiers take a few minutes at most.
"""

from __future__ import annotations

import csv
import io
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection, Engine

from bot.admin.demo_data import (
    AGENCIES,
    FAMILY_NAMES,
    FEMALE_GIVEN_NAMES,
    FEMALE_MIDDLE_NAMES,
    FINANCIAL_OBLIGATION_NOTE,
    MALE_GIVEN_NAMES,
    MALE_MIDDLE_NAMES,
    PHONE_PREFIXES,
    PROCEDURES,
    REFUSAL_NOTE,
    STOP_NOTE,
    SUPPLEMENT_REQUESTS,
    SURVEY_COMMENTS,
    WITHDRAW_NOTE,
    DemoAgency,
    Procedure,
)
from bot.admin.demo_timeline import LATE_SHARE, MAX_AGE_DAYS, Timeline, draw_timeline
from bot.db.models import (
    CRITERION_COLUMNS,
    Agency,
    Dossier,
    DossierEvent,
    Status,
    SurveyResponse,
    vietnam_now,
)
from bot.db.privacy import protect_id_number, protect_phone

DEFAULT_SEED = 20250106
MIN_DOSSIERS = len(Status)  # the first dossiers take every status once
BATCH_SIZE = 20_000
SAMPLES_PER_STATUS = 2

# Share of each final status among the demo dossiers (percent).
STATUS_WEIGHTS = {
    Status.MOI_DANG_KY: 3,
    Status.DUOC_TIEP_NHAN: 6,
    Status.KHONG_DUOC_TIEP_NHAN: 3,
    Status.DANG_XU_LY: 18,
    Status.YEU_CAU_BO_SUNG: 7,
    Status.YEU_CAU_NGHIA_VU_TAI_CHINH: 3,
    Status.CONG_DAN_RUT_HO_SO: 2,
    Status.DUNG_XU_LY: 2,
    Status.DA_XU_LY_XONG: 10,
    Status.DA_TRA_KET_QUA: 46,
}
CHANNEL_WEIGHTS = {"truc_tiep": 55, "truc_tuyen": 40, "buu_chinh": 5}
SURVEY_SHARE = 0.3  # of the finished dossiers with a result
ANONYMOUS_SURVEY_SHARE = 0.005  # general feedback, per dossier


class DatabaseNotEmptyError(RuntimeError):
    """Seeding refused: the database already holds data."""

    def __init__(self, dossiers: int, agencies: int) -> None:
        super().__init__(f"database not empty: {dossiers} dossiers, {agencies} agencies")
        self.dossiers = dossiers
        self.agencies = agencies


@dataclass(frozen=True)
class Sample:
    """A seeded dossier a demo (or a test) can look up."""

    code: str
    phone_last4: str
    status: int

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "phone_last4": self.phone_last4, "status": self.status}


@dataclass(frozen=True)
class SeedSummary:
    agencies: int
    dossiers: int
    events: int
    surveys: int
    samples: tuple[Sample, ...]


@dataclass
class _Batch:
    dossiers: list[tuple]
    events: list[tuple]
    surveys: list[tuple]


def seed_demo(
    engine: Engine, dossiers: int = 2000, seed: int = DEFAULT_SEED, today: date | None = None
) -> SeedSummary:
    """Fill an empty, migrated database with demo data, all in one transaction.

    Raises `DatabaseNotEmptyError` (and writes nothing) when any agency, dossier or
    survey response exists already.
    """
    if dossiers < MIN_DOSSIERS:
        raise ValueError(f"at least {MIN_DOSSIERS} dossiers are needed to cover every status")
    as_of = datetime.combine(today or vietnam_now().date(), time(7, 0))
    with engine.begin() as connection:
        _ensure_empty(connection)
        writer = _BulkWriter(connection)
        writer.write(
            Agency.__table__,
            [
                (number, agency.code, agency.name, agency.address, agency.phone)
                for number, agency in enumerate(AGENCIES, start=1)
            ],
        )
        generator = _DemoGenerator(random.Random(seed), as_of, seed)
        events = surveys = 0
        for batch in generator.batches(dossiers, BATCH_SIZE):
            writer.write(Dossier.__table__, batch.dossiers)
            writer.write(DossierEvent.__table__, batch.events)
            writer.write(SurveyResponse.__table__, batch.surveys)
            events += len(batch.events)
            surveys += len(batch.surveys)
        writer.finish()
    return SeedSummary(len(AGENCIES), dossiers, events, surveys, generator.samples())


def _ensure_empty(connection: Connection) -> None:
    def count(table: Table) -> int:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()

    dossiers, agencies = count(Dossier.__table__), count(Agency.__table__)
    if dossiers or agencies or count(SurveyResponse.__table__):
        raise DatabaseNotEmptyError(dossiers, agencies)


class _BulkWriter:
    """Inserts many rows fast: COPY on PostgreSQL, a Core executemany elsewhere."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.tables: list[Table] = []

    def write(self, table: Table, rows: list[tuple]) -> None:
        """Inserts `rows`, tuples in the order of the table's columns (bot/db/models.py)."""
        columns = [column.name for column in table.columns]
        if not rows:
            return
        if table not in self.tables:
            self.tables.append(table)
        if self.postgres:
            self._copy(table, columns, rows)
        else:
            self.connection.execute(
                table.insert(), [dict(zip(columns, row, strict=False)) for row in rows]
            )

    def _copy(self, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)  # None becomes an empty field: NULL in CSV mode
        buffer.seek(0)
        cursor = self.connection.connection.cursor()
        try:
            cursor.copy_expert(
                f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer
            )
        finally:
            cursor.close()

    def finish(self) -> None:
        """On PostgreSQL: move the sequences past the ids given explicitly, and refresh the
        planner statistics, stale after a bulk load."""
        if not self.postgres:
            return
        for table in self.tables:
            self.connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT MAX(id) FROM {table.name}))"
            )
            self.connection.exec_driver_sql(f"ANALYZE {table.name}")


def _cumulative(weights: Sequence[int]) -> list[int]:
    return list(itertools.accumulate(weights))


class _DemoGenerator:
    """Draws dossiers one by one from a single random generator (hence deterministic)."""

    def __init__(self, rng: random.Random, as_of: datetime, seed: int) -> None:
        self.rng = rng
        self.as_of = as_of
        self.seed = seed
        self.sequence: dict[tuple[str, str], int] = {}
        self.found: dict[int, list[Sample]] = {status: [] for status in STATUS_WEIGHTS}
        self.next_event_id = 1
        self.next_survey_id = 1
        self.status_choices = [
            int(status) for status in STATUS_WEIGHTS
        ]  # plain ints for the drivers
        self.status_weights = _cumulative(list(STATUS_WEIGHTS.values()))
        self.procedure_weights = _cumulative([procedure.weight for procedure in PROCEDURES])
        self.family_names = [name for name, _ in FAMILY_NAMES]
        self.family_weights = _cumulative([share for _, share in FAMILY_NAMES])

    def samples(self) -> tuple[Sample, ...]:
        return tuple(sample for status in sorted(self.found) for sample in self.found[status])

    def batches(self, total: int, size: int) -> Iterator[_Batch]:
        for start in range(0, total, size):
            batch = _Batch([], [], [])
            for number in range(start + 1, min(start + size, total) + 1):
                self._dossier(number, batch)
            yield batch

    # --- one dossier ---------------------------------------------------------------------

    def _dossier(self, number: int, batch: _Batch) -> None:
        rng = self.rng
        if number <= MIN_DOSSIERS:
            status = number
        else:
            status = rng.choices(self.status_choices, cum_weights=self.status_weights)[0]
        procedure = rng.choices(PROCEDURES, cum_weights=self.procedure_weights)[0]
        agency_id = rng.randrange(len(AGENCIES)) + 1
        agency = AGENCIES[agency_id - 1]
        channel = self._channel(procedure, status)
        timeline = draw_timeline(rng, status, channel == "truc_tuyen", procedure.days, self.as_of)
        phone = self._phone()
        identity = protect_id_number(self._id_number(agency))
        protected_phone = protect_phone(phone)
        code = self._code(agency, timeline.submitted_at)
        request = (
            rng.choice(SUPPLEMENT_REQUESTS[procedure.family]) if timeline.supplemented else None
        )
        batch.dossiers.append(
            (
                number,
                code,
                procedure.code,
                procedure.name,
                agency_id,
                self._name(),
                protected_phone.last4,
                protected_phone.hash,
                identity.last4 if identity else None,
                identity.hash if identity else None,
                channel,
                timeline.received_at,
                timeline.appointment_at,
                status,
                request if status in (Status.YEU_CAU_BO_SUNG, Status.DUNG_XU_LY) else None,
                timeline.completed_at,
                timeline.returned_at,
            )
        )
        for event_status, at in timeline.events:
            batch.events.append(
                (
                    self.next_event_id,
                    number,
                    int(event_status),
                    at,
                    self._note(event_status, request),
                )
            )
            self.next_event_id += 1
        if status in (Status.DA_XU_LY_XONG, Status.DA_TRA_KET_QUA) and rng.random() < SURVEY_SHARE:
            self._survey(batch, number, timeline, channel)
        if rng.random() < ANONYMOUS_SURVEY_SHARE:
            self._survey(batch, None, None, rng.choice(list(CHANNEL_WEIGHTS)))
        if len(self.found[status]) < SAMPLES_PER_STATUS:
            self.found[status].append(Sample(code, protected_phone.last4, status))

    def _channel(self, procedure: Procedure, status: int) -> str:
        if status == Status.MOI_DANG_KY:  # "Mới đăng ký" only exists for dossiers submitted online
            return "truc_tuyen"
        allowed = [channel for channel in CHANNEL_WEIGHTS if channel in procedure.channels]
        return self.rng.choices(allowed, weights=[CHANNEL_WEIGHTS[channel] for channel in allowed])[
            0
        ]

    def _code(self, agency: DemoAgency, submitted_at: datetime) -> str:
        day = submitted_at.strftime("%y%m%d")
        number = self.sequence.get((agency.code, day), 0) + 1
        self.sequence[(agency.code, day)] = number
        return f"{agency.code}-{day}-{number:04d}"

    def _name(self) -> str:
        rng = self.rng
        family = rng.choices(self.family_names, cum_weights=self.family_weights)[0]
        if rng.random() < 0.5:
            middles = [rng.choice(MALE_MIDDLE_NAMES)]
            given = rng.choice(MALE_GIVEN_NAMES)
        else:
            middles = [rng.choice(FEMALE_MIDDLE_NAMES)]
            given = rng.choice(FEMALE_GIVEN_NAMES)
            if rng.random() < 0.3:
                middles.append(rng.choice(("Thu", "Ngọc", "Minh", "Thanh", "Hồng")))
        return " ".join([family, *dict.fromkeys(middles), given])

    def _phone(self) -> str:
        return f"{self.rng.choice(PHONE_PREFIXES)}{self.rng.randrange(10_000_000):07d}"

    def _id_number(self, agency: DemoAgency) -> str:
        """A 12-digit citizen identity number: province, sex and century, year of birth, serial."""
        rng = self.rng
        province = agency.id_province if rng.random() < 0.85 else rng.choice(AGENCIES).id_province
        year = rng.randint(1945, 2011)
        sex = rng.randrange(2)
        century_and_sex = sex + (2 if year >= 2000 else 0)
        return f"{province}{century_and_sex}{year % 100:02d}{rng.randrange(1_000_000):06d}"

    @staticmethod
    def _note(status: int, request: str | None) -> str | None:
        notes = {
            3: REFUSAL_NOTE,
            5: request,
            6: FINANCIAL_OBLIGATION_NOTE,
            7: WITHDRAW_NOTE,
            8: STOP_NOTE,
        }
        return notes.get(status)

    # --- surveys -------------------------------------------------------------------------

    def _survey(
        self, batch: _Batch, dossier_id: int | None, timeline: Timeline | None, channel: str
    ) -> None:
        rng = self.rng
        late = timeline.late if timeline else rng.random() < LATE_SHARE
        level = rng.choices((3, 2, 1), weights=(20, 40, 40) if late else (60, 33, 7))[0]
        answers = self._criteria(level, late, timeline, channel)
        if timeline is not None:
            finished = timeline.returned_at or timeline.completed_at or self.as_of
        else:
            finished = self.as_of - timedelta(days=rng.uniform(1, MAX_AGE_DAYS))
        created = min(finished + timedelta(days=rng.uniform(0.02, 3)), self.as_of)
        comment = rng.choice(SURVEY_COMMENTS[level]) if rng.random() < 0.25 else None
        batch.surveys.append(
            (
                self.next_survey_id,
                dossier_id,
                level,
                *answers,
                comment,
                rng.choice(("web", "telegram")),
                None,
                created,
                created,
                f"demo-{self.seed}-{self.next_survey_id}",
            )
        )
        self.next_survey_id += 1

    def _criteria(
        self, level: int, late: bool, timeline: Timeline | None, channel: str
    ) -> tuple[int | None, ...]:
        rng = self.rng

        def pick(*weights: int) -> int:  # weights of the answers 2, 1, 0
            return rng.choices((2, 1, 0), weights=weights)[0]

        if timeline is None:
            on_time = pick(30, 60, 10)
        else:
            on_time = 0 if late else 2 if timeline.early else 1
        answers = {
            "total_time": on_time,
            "agency_time": on_time if rng.random() < 0.9 else pick(30, 60, 10),
            "trips": pick(15, 60, 25) if timeline and timeline.supplemented else pick(85, 12, 3),
            "agencies_contacted": pick(85, 12, 3),
            "one_stop_desk": pick(90, 9, 1),
            "publicity": pick(85, 13, 2),
            "staff_attitude": pick(*{3: (95, 5, 0), 2: (70, 28, 2), 1: (15, 60, 25)}[level]),
            "feedback_handling": pick(60, 25, 15) if rng.random() < 0.15 else None,
            "online_service": pick(*{3: (80, 18, 2), 2: (55, 40, 5), 1: (20, 45, 35)}[level])
            if channel == "truc_tuyen"
            else None,
        }
        return tuple(answers[key] for key in CRITERION_COLUMNS)
