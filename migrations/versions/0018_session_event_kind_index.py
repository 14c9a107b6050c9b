"""session_events by (session_id, kind): a round's warnings without reading its whole log (issue 14)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 19:20:00

The round page (app.practice.queries, the warnings already shown) and the warning POST
(app.practice.answers.warned_thresholds) look for one kind of event in a round's log,
`warning_shown`, of which a round has at most three. With an index on session_id alone
they read every event of the round to find them, and a round logs an event on every
autosave: after 22,000 saves (a take-home typed in for a day and a half, saving every
few seconds) the round page cost PostgreSQL 3.5 ms of CPU a request, growing with every
save. `ix_session_events_session_id_kind` (session_id, kind) finds them directly and
serves every lookup by session_id alone as well, so it replaces
`ix_session_events_session_id`: each event insert still maintains one secondary index.

Indexes only: no row changes, nothing to backfill. The new index is built before the old
one is dropped, in the migration's transaction (PostgreSQL: event inserts wait while it
is built, about a second per million events here; a page's save is retried). The
downgrade restores the single-column index.
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

TABLE = "session_events"
NEW = "ix_session_events_session_id_kind"
OLD = "ix_session_events_session_id"


def upgrade():
    op.create_index(NEW, TABLE, ["session_id", "kind"], unique=False)
    op.drop_index(OLD, table_name=TABLE)


def downgrade():
    op.create_index(OLD, TABLE, ["session_id"], unique=False)
    op.drop_index(NEW, table_name=TABLE)
