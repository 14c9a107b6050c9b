"""jobs and model_suggestions: a database job queue and a model's suggested levels (issue 13)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:00:00

Two new tables, nothing else changes: `jobs` (work the workers and the sweep pick up,
never a web request) and `model_suggestions` (one per answered session question).
"""

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("locked_by", sa.String(length=120), nullable=True),
        sa.Column("locked_until", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("finished_at", app.models.base.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_state_run_after", ["state", "run_after"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_ref_id"), ["ref_id"], unique=False)

    op.create_table(
        "model_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_question_id", sa.Integer(), nullable=False),
        sa.Column("rubric_version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("prompt", sa.JSON(), nullable=False),
        sa.Column("raw_replies", sa.JSON(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rubric_version_id"],
            ["rubric_versions.id"],
            name=op.f("fk_model_suggestions_rubric_version_id_rubric_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["session_question_id"],
            ["session_questions.id"],
            name=op.f("fk_model_suggestions_session_question_id_session_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_suggestions")),
        sa.UniqueConstraint(
            "session_question_id", name=op.f("uq_model_suggestions_session_question_id")
        ),
    )


def downgrade():
    op.drop_table("model_suggestions")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_ref_id"))
        batch_op.drop_index("ix_jobs_state_run_after")
    op.drop_table("jobs")
