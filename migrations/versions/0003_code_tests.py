"""code tests: a question version's tests, a round format's first kind, an answer's runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:50:00

Issue 12. `question_versions.code_tests` stores a code question's tests (function,
examples, hidden, comparison, time limit, optional reference solution) with the version,
so a round keeps the tests it was started with; NULL for other kinds and for code
questions without tests. `round_formats.first_kind` names the answer kind a round's first
question is drawn from (a coding round opens with its coding problem); NULL: no rule.
`session_questions.code_results` keeps, with a code answer, the latest example-set run
and the hidden-set run as the candidate's browser reported them (counts, each test's
outcome, runtime, "ran in the browser"); NULL: never run. Every Run is also a
`code_run` session event (no schema change: events carry JSON data).
All three columns are nullable, so existing rows need no backfill.

Follows 0002 (accounts), the newest revision on main when this was written.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code_tests", sa.JSON(), nullable=True))
    with op.batch_alter_table("round_formats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_kind", sa.String(length=16), nullable=True))
    with op.batch_alter_table("session_questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code_results", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("session_questions", schema=None) as batch_op:
        batch_op.drop_column("code_results")
    with op.batch_alter_table("round_formats", schema=None) as batch_op:
        batch_op.drop_column("first_kind")
    with op.batch_alter_table("question_versions", schema=None) as batch_op:
        batch_op.drop_column("code_tests")
