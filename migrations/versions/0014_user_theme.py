"""user theme: the colours chosen in Settings follow the account (issue 18)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 12:40:00

- `users.theme`: 'system', 'light' or 'dark'; NULL when the user never chose, which is
  every existing account (their browsers' cookies keep applying, and the first sign-in
  from a browser with a cookie choice adopts it).

SQLite: a nullable column, so a plain ALTER TABLE ADD COLUMN; DROP COLUMN on the way down.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("theme", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("theme")
