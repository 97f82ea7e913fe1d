"""applier: durable action execution records and the events outbox

Revision ID: 0004_applier
Revises: 0003_engine
"""

import sqlalchemy as sa

from alembic import op

revision = "0004_applier"
down_revision = "0003_engine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "action_executions",
        sa.Column("action_uuid", sa.String(length=36), nullable=False),
        sa.Column("worker", sa.String(length=255), nullable=False),
        sa.Column("commands_sent", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("action_uuid"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=63), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("publisher_id", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_event_type"), ["event_type"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_event_type"))
    op.drop_table("events")
    op.drop_table("action_executions")
