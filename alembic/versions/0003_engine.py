"""Continuous audits: when the current scheduled run started (no overlapping runs).

Revision ID: 0003_engine
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa

revision = "0003_engine"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audits") as batch:
        batch.add_column(sa.Column("run_started_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audits") as batch:
        batch.drop_column("run_started_at")
