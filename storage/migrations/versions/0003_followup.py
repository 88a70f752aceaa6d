"""follow-through: durable timers and remedies

Revision ID: 0003_followup
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0003_followup"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dt = storage.models.UTCDateTime(timezone=True)
    op.create_table(
        "followup_timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=150), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("due_at", dt, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("claimed_until", dt, nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", dt, nullable=False),
        sa.Column("fired_at", dt, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_followup_timers_due", "followup_timers", ["status", "due_at"])
    op.create_index("ix_followup_timers_case_id", "followup_timers", ["case_id"])
    op.create_table(
        "remedies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("offered_by", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("gesture", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("approver", sa.String(length=100), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", dt, nullable=False),
        sa.Column("decided_at", dt, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_remedies_case_id", "remedies", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_remedies_case_id", table_name="remedies")
    op.drop_table("remedies")
    op.drop_index("ix_followup_timers_case_id", table_name="followup_timers")
    op.drop_index("ix_followup_timers_due", table_name="followup_timers")
    op.drop_table("followup_timers")
