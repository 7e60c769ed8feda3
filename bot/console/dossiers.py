"""A dossier as staff see it: what the citizen sees, plus its status history, the last 4
phone digits and its survey response. The name stays masked; the full phone never exists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Dossier, DossierEvent, SurveyResponse
from bot.db.services import DossierView, staff_dossier_view
from bot.wording import SATISFACTION_LABELS, STATUS_TEXTS


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    status_name: str
    note: str | None


@dataclass(frozen=True)
class SurveySummary:
    at: datetime
    overall: str
    comment: str | None


@dataclass(frozen=True)
class StaffDossier:
    view: DossierView
    phone_last4: str
    history: list[HistoryRow]
    survey: SurveySummary | None


def staff_dossier(session: Session, code: str) -> StaffDossier | None:
    view = staff_dossier_view(session, code)
    if view is None:
        return None
    dossier_id, phone_last4 = session.execute(
        select(Dossier.id, Dossier.phone_last4).where(Dossier.code == view.code)
    ).one()
    events = session.execute(
        select(DossierEvent.at, DossierEvent.status, DossierEvent.note)
        .where(DossierEvent.dossier_id == dossier_id)
        .order_by(DossierEvent.at, DossierEvent.id)
    ).all()
    response = session.execute(
        select(
            SurveyResponse.created_at, SurveyResponse.overall_level, SurveyResponse.comment
        ).where(SurveyResponse.dossier_id == dossier_id)
    ).first()
    survey = (
        SurveySummary(response[0], SATISFACTION_LABELS[response[1]], response[2])
        if response
        else None
    )
    history = [HistoryRow(at, STATUS_TEXTS[status].name, note) for at, status, note in events]
    return StaffDossier(view, phone_last4, history, survey)
