"""Server-side dossier verifications; network address of failed verifications; index for
anonymous feedback per sender.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossier_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_key", sa.String(length=128), nullable=False),
        sa.Column("dossier_code", sa.String(length=40), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_verifications")),
    )
    op.create_index(op.f("ix_dossier_verifications_expires_at"), "dossier_verifications", ["expires_at"])
    op.create_index(
        op.f("ix_dossier_verifications_conversation_key_dossier_code_expires_at"),
        "dossier_verifications",
        ["conversation_key", "dossier_code", "expires_at"],
    )
    with op.batch_alter_table("verification_failures") as batch:
        batch.add_column(sa.Column("address_key", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_verification_failures_address_key_at"), ["address_key", "at"])
    op.create_index(
        op.f("ix_survey_responses_sender_hash_created_at"), "survey_responses", ["sender_hash", "created_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_survey_responses_sender_hash_created_at"), table_name="survey_responses")
    with op.batch_alter_table("verification_failures") as batch:
        batch.drop_index(batch.f("ix_verification_failures_address_key_at"))
        batch.drop_column("address_key")
    op.drop_table("dossier_verifications")
