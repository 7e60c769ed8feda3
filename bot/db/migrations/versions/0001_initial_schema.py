"""Initial schema: agencies, dossiers and their status history, survey responses,
verification failures.

Revision ID: 0001
Revises:
Create Date: 2025-01-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

CRITERIA = (
    "total_time", "agency_time", "trips", "agencies_contacted", "one_stop_desk",
    "publicity", "staff_attitude", "feedback_handling", "online_service",
)


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("code", name=op.f("uq_agencies_code")),
    )
    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("procedure_code", sa.String(length=20), nullable=False),
        sa.Column("procedure_name", sa.Text(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("applicant_name", sa.String(length=120), nullable=False),
        sa.Column("phone_last4", sa.String(length=4), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("id_last4", sa.String(length=4), nullable=True),
        sa.Column("id_hash", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("appointment_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("supplement_request", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status BETWEEN 1 AND 10", name=op.f("ck_dossiers_status_code")),
        sa.CheckConstraint(
            "channel IN ('truc_tiep', 'truc_tuyen', 'buu_chinh')", name=op.f("ck_dossiers_channel_code")
        ),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_dossiers_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
    )
    op.create_index(op.f("ix_dossiers_code"), "dossiers", ["code"], unique=True)
    op.create_index(op.f("ix_dossiers_agency_id"), "dossiers", ["agency_id"])
    op.create_table(
        "dossier_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("status BETWEEN 1 AND 10", name=op.f("ck_dossier_events_status_code")),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"],
            name=op.f("fk_dossier_events_dossier_id_dossiers"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_events")),
    )
    op.create_index(op.f("ix_dossier_events_dossier_id_at"), "dossier_events", ["dossier_id", "at"])
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("overall_level", sa.SmallInteger(), nullable=False),
        *(sa.Column(key, sa.SmallInteger(), nullable=True) for key in CRITERIA),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("source_channel", sa.String(length=32), nullable=True),
        sa.Column("sender_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.CheckConstraint("overall_level BETWEEN 1 AND 3", name=op.f("ck_survey_responses_overall_level_choice")),
        *(
            sa.CheckConstraint(f"{key} BETWEEN 0 AND 2", name=op.f(f"ck_survey_responses_{key}_choice"))
            for key in CRITERIA
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"],
            name=op.f("fk_survey_responses_dossier_id_dossiers"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint("dossier_id", name=op.f("uq_survey_responses_dossier_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_survey_responses_idempotency_key")),
    )
    op.create_table(
        "verification_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_key", sa.String(length=128), nullable=False),
        sa.Column("dossier_code", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_failures")),
    )
    op.create_index(op.f("ix_verification_failures_at"), "verification_failures", ["at"])
    op.create_index(
        op.f("ix_verification_failures_conversation_key_at"), "verification_failures", ["conversation_key", "at"]
    )
    op.create_index(
        op.f("ix_verification_failures_dossier_code_at"), "verification_failures", ["dossier_code", "at"]
    )


def downgrade() -> None:
    op.drop_table("verification_failures")
    op.drop_table("survey_responses")
    op.drop_table("dossier_events")
    op.drop_table("dossiers")
    op.drop_table("agencies")
