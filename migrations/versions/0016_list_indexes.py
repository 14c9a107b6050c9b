"""list indexes: bank browse and the admin question list read by key (issue 14)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 16:00:00

- `ix_question_versions_stage_title` (stage_key, title, question_id): the browse page's
  order is (stage position, title, id) across three tables, so it reads each stage's
  questions along this index, past the page's key, and merges the stages (app.bank.queries
  browse_published);
- `ix_questions_current_version` (current_version_id): from such a version to the question
  it is current for (and whether that one is published), one probe per row;
- `ix_questions_status_updated` (status, updated_at, id): the admin question list filtered
  by status, newest change first.

Indexes only: no row changes, nothing to backfill; the downgrade drops them.
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

INDEXES = (
    (
        "ix_question_versions_stage_title",
        "question_versions",
        ["stage_key", "title", "question_id"],
    ),
    ("ix_questions_current_version", "questions", ["current_version_id"]),
    ("ix_questions_status_updated", "questions", ["status", "updated_at", "id"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
