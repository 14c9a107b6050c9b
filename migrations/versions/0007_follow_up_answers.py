"""follow-up answers: follow-ups revealed in the round, answered and autosaved (issue 13)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 04:50:00

- `follow_up_answers`: one row per follow-up a round revealed for one of its questions
  (number, the prompt as shown, when and why it was revealed) with the candidate's answer
  and its revision, like the main answer.
- `round_formats.follow_up_count`: how many follow-ups a format shows. Existing formats
  get 2 for the design and deep-dive stages and 1 for every other (short screens, the
  ethics sprint), the same rule as app.domain.follow_ups.default_count (copied here: a
  migration never imports app code that may change after it).
- `practice_sessions.follow_up_limit`: the count pinned when a round starts. Rounds that
  already exist get 0, so they show no follow-ups and their reports stay as they were.

SQLite: the new columns have constant server defaults, so the upgrade is a plain ALTER
TABLE ADD COLUMN; the downgrade drops them with ALTER TABLE DROP COLUMN (no copy-and-move,
which with foreign keys on fails once a session refers to the table), as in 0004.
"""

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DEEP_STAGES = ("system_design", "onsite_deep_dive")


def upgrade():
    op.create_table(
        "follow_up_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_question_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("revealed_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("reveal_reason", sa.String(length=8), nullable=False),
        sa.Column("answer_text", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=True),
        sa.Column("client_seq", sa.Integer(), nullable=False),
        sa.Column("saved_at", app.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_question_id"],
            ["session_questions.id"],
            name=op.f("fk_follow_up_answers_session_question_id_session_questions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_answers")),
        sa.UniqueConstraint(
            "session_question_id",
            "number",
            name=op.f("uq_follow_up_answers_session_question_id"),
        ),
    )
    with op.batch_alter_table("follow_up_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_answers_session_question_id"),
            ["session_question_id"],
            unique=False,
        )
    with op.batch_alter_table("round_formats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("follow_up_count", sa.Integer(), server_default="1", nullable=False)
        )
    with op.batch_alter_table("practice_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("follow_up_limit", sa.Integer(), server_default="0", nullable=False)
        )
    formats = sa.table("round_formats", sa.column("stage_key"), sa.column("follow_up_count"))
    op.execute(
        formats.update().where(formats.c.stage_key.in_(DEEP_STAGES)).values(follow_up_count=2)
    )


def downgrade():
    with op.batch_alter_table("practice_sessions", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("follow_up_limit")
    with op.batch_alter_table("round_formats", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("follow_up_count")
    with op.batch_alter_table("follow_up_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_answers_session_question_id"))
    op.drop_table("follow_up_answers")
