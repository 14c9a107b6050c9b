"""Performance (issue 14): the coach queue's stored sort key and indexes for list pages

practice_sessions.queued_at holds coalesce(finished_at, deadline_at), the order of the
coach review queue and the candidate's session lists, so that order can use an index
instead of sorting every visible session on an expression. The models keep it up to date
on every write; here it is backfilled for existing rows.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:45:00

"""

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("practice_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("queued_at", app.models.base.UTCDateTime(), nullable=True)
        )
    op.execute("UPDATE practice_sessions SET queued_at = COALESCE(finished_at, deadline_at)")
    with op.batch_alter_table("practice_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_practice_sessions_queued", ["queued_at", "id"], unique=False)
        batch_op.create_index(
            "ix_practice_sessions_user_queued", ["user_id", "queued_at", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("practice_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_practice_sessions_user_queued")
        batch_op.drop_index("ix_practice_sessions_queued")
        batch_op.drop_column("queued_at")
