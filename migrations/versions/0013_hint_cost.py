"""hint cost: a round format may make each hint cost time (issue 18)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 12:30:00

- `round_formats.hint_cost_minutes`: whole minutes each hint opened in a round takes off
  its deadline. Existing formats get 0 (hints stay free until the bank files say else).
- `practice_sessions.hint_cost_seconds`: the cost pinned when a round starts (the
  format's minutes x the candidate's extra-time multiplier; 0 for untimed drills), so a
  later bank edit never changes a running round or an old report. Existing rounds get 0.
- `practice_sessions.hint_penalty_seconds` and `session_questions.hint_penalty_seconds`:
  the seconds hints actually took (each charge is clamped so the deadline never comes
  closer than a minute from now). Existing rows get 0, so their reports read as before.

SQLite: constant server defaults, so plain ALTER TABLE ADD COLUMN, and DROP COLUMN on
the way down (no copy-and-move), as in 0007.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("round_formats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hint_cost_minutes", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("practice_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hint_cost_seconds", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("hint_penalty_seconds", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("session_questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hint_penalty_seconds", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("session_questions", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("hint_penalty_seconds")
    with op.batch_alter_table("practice_sessions", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("hint_penalty_seconds")
        batch_op.drop_column("hint_cost_seconds")
    with op.batch_alter_table("round_formats", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("hint_cost_minutes")
