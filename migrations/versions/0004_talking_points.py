"""talking points: a question version's talking points, a skill area's glossary

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:40:00

Issue 13. `question_versions.talking_points` stores the points a strong answer covers
(a JSON list of {id, label, phrases}) with the version, so a round keeps the points it
was started with; `skill_areas.glossary` stores the area's job-related terms (a JSON
list of text). Both are NOT NULL with a server default of an empty list, so the rows
already there (versions written before talking points existed, skill areas without a
glossary) read back as [] with no backfill.

SQLite: the default is a constant ('[]', not a SQL expression), so the upgrade is a plain
ALTER TABLE ADD COLUMN; the downgrade uses ALTER TABLE DROP COLUMN (SQLite 3.35 or newer)
rather than batch mode's copy-and-move, which drops the old table and, with foreign keys
on, fails as soon as a session or a skill link refers to a question version.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("talking_points", sa.JSON(), server_default="[]", nullable=False)
        )
    with op.batch_alter_table("skill_areas", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("glossary", sa.JSON(), server_default="[]", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("skill_areas", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("glossary")
    with op.batch_alter_table("question_versions", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("talking_points")
