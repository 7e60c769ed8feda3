"""Staff console: accounts, sessions, login failures, audit log; human handoff conversations.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_survey_responses_created_at"), "survey_responses", ["created_at"])
    op.create_index(op.f("ix_survey_responses_updated_at"), "survey_responses", ["updated_at"])
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "role IN ('hotline', 'supervisor', 'admin')", name=op.f("ck_staff_accounts_role_code")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_accounts")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_accounts_username")),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name=op.f("fk_staff_sessions_staff_id_staff_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sessions_token_hash")),
    )
    op.create_index(op.f("ix_staff_sessions_last_seen_at"), "staff_sessions", ["last_seen_at"])
    op.create_table(
        "staff_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_login_failures")),
    )
    op.create_index(
        op.f("ix_staff_login_failures_username_at"), "staff_login_failures", ["username", "at"]
    )
    op.create_index(
        op.f("ix_staff_login_failures_address_at"), "staff_login_failures", ["address", "at"]
    )
    op.create_table(
        "staff_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_accounts.id"], name=op.f("fk_staff_audit_staff_id_staff_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_audit")),
    )
    op.create_index(op.f("ix_staff_audit_subject_at"), "staff_audit", ["subject", "at"])
    op.create_index(op.f("ix_staff_audit_at"), "staff_audit", ["at"])
    op.create_table(
        "handoff_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient_id", sa.String(length=128), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("last_message_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('web', 'telegram', 'zalo')",
            name=op.f("ck_handoff_conversations_channel_code"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"],
            ["staff_accounts.id"],
            name=op.f("fk_handoff_conversations_closed_by_staff_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_conversations")),
    )
    op.create_index(
        op.f("ix_handoff_conversations_sender_id_closed_at"),
        "handoff_conversations",
        ["sender_id", "closed_at"],
    )
    op.create_index(
        op.f("ix_handoff_conversations_closed_at_last_message_at"),
        "handoff_conversations",
        ["closed_at", "last_message_at"],
    )
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=8), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "author IN ('citizen', 'staff')", name=op.f("ck_handoff_messages_author_code")
        ),
        sa.CheckConstraint(
            "state IN ('received', 'pending', 'sent', 'dead')",
            name=op.f("ck_handoff_messages_state_code"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["handoff_conversations.id"],
            name=op.f("fk_handoff_messages_conversation_id_handoff_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name=op.f("fk_handoff_messages_staff_id_staff_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_messages")),
    )
    op.create_index(
        op.f("ix_handoff_messages_conversation_id_id"),
        "handoff_messages",
        ["conversation_id", "id"],
    )
    op.create_index(
        op.f("ix_handoff_messages_state_next_attempt_at"),
        "handoff_messages",
        ["state", "next_attempt_at"],
    )


def downgrade() -> None:
    op.drop_table("handoff_messages")
    op.drop_table("handoff_conversations")
    op.drop_table("staff_audit")
    op.drop_table("staff_login_failures")
    op.drop_table("staff_sessions")
    op.drop_table("staff_accounts")
    op.drop_index(op.f("ix_survey_responses_updated_at"), table_name="survey_responses")
    op.drop_index(op.f("ix_survey_responses_created_at"), table_name="survey_responses")
