"""Dossier status notifications: subscriptions and the outbox of messages to send.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("last_message_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("channel IN ('telegram', 'zalo')", name=op.f("ck_subscriptions_channel_code")),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_subscriptions_dossier_id_dossiers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint(
            "dossier_id", "channel", "recipient_id", name=op.f("uq_subscriptions_dossier_id_channel_recipient_id")
        ),
    )
    op.create_index(
        op.f("ix_subscriptions_channel_recipient_id"), "subscriptions", ["channel", "recipient_id"]
    )
    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status BETWEEN 1 AND 10", name=op.f("ck_notification_outbox_status_code")),
        sa.CheckConstraint("state IN ('pending', 'sent', 'dead')", name=op.f("ck_notification_outbox_state_code")),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"],
            name=op.f("fk_notification_outbox_dossier_id_dossiers"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["subscriptions.id"],
            name=op.f("fk_notification_outbox_subscription_id_subscriptions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
        sa.UniqueConstraint(
            "dossier_id", "status", "subscription_id",
            name=op.f("uq_notification_outbox_dossier_id_status_subscription_id"),
        ),
    )
    op.create_index(
        op.f("ix_notification_outbox_state_next_attempt_at"), "notification_outbox", ["state", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_table("notification_outbox")
    op.drop_index(op.f("ix_subscriptions_channel_recipient_id"), table_name="subscriptions")
    op.drop_table("subscriptions")
