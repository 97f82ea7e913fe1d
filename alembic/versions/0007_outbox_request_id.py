"""outbox.request_id: the API request that asked for the work, sent as a task header

Revision ID: 0007_outbox_request_id
Revises: 0006_outbox
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_outbox_request_id"
down_revision = "0006_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("request_id")
