"""Performance (issue 14): the coach queue's stored sort key and indexes for list pages

Every list page's filter and order gets an index (dashboard and history, progress,
the admin user and question lists, the audit log).

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


# (table, index name, columns): the order and filter of every list page that had none
LIST_INDEXES = (
    ("practice_sessions", "ix_practice_sessions_user_started", ["user_id", "started_at", "id"]),
    ("practice_sessions", "ix_practice_sessions_user_finished", ["user_id", "finished_at", "id"]),
    ("self_assessments", "ix_self_assessments_user_completed", ["user_id", "completed_at", "id"]),
    ("users", "ix_users_created", ["created_at", "id"]),
    ("audit_events", "ix_audit_events_at_id", ["at", "id"]),
    ("audit_events", "ix_audit_events_action_at", ["action", "at", "id"]),
    ("questions", "ix_questions_updated", ["updated_at", "id"]),
)


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
    for table, name, columns in LIST_INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(LIST_INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("practice_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_practice_sessions_user_queued")
        batch_op.drop_index("ix_practice_sessions_queued")
        batch_op.drop_column("queued_at")
