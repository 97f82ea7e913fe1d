"""events: index created_at for the retention sweep

Revision ID: 0005_events_created_at
Revises: 0004_applier
"""

from alembic import op

revision = "0005_events_created_at"
down_revision = "0004_applier"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_events_created_at"), "events", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_events_created_at"), table_name="events")
