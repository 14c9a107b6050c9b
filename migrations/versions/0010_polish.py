"""rubric_versions.hire_bar: the level that meets the hire bar (issue 18)

A rubric declares which level value meets the hire bar; the report's strength and gap
thresholds and readiness follow it. Versions written before this revision keep NULL:
their reports keep the fixed 75/50 thresholds they were made with.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rubric_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hire_bar", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("rubric_versions", schema=None) as batch_op:
        batch_op.drop_column("hire_bar")
