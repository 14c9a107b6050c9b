"""accounts email: verification, pending email change, notification emails, deletion

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 23:37:38.439577

Four nullable-or-defaulted columns on users and notifications.emailed_at, so the previous release keeps working on
the upgraded schema while the new code rolls out. Data step: accounts that existed
before email verification are marked verified at their creation time; they could link
coaches before, and taking that away on upgrade would break their coaching. Reversible:
downgrade drops the five columns (verification dates, pending addresses and the
notification choice are lost; deleted accounts stay emptied of personal data).
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pending_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('email_notifications', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('deleted_at', app.models.base.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emailed_at', app.models.base.UTCDateTime(timezone=True), nullable=True))

    # Accounts from before verification existed count as verified (see the docstring).
    op.execute(sa.text('UPDATE users SET email_verified_at = created_at WHERE email_verified_at IS NULL'))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('emailed_at')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('email_notifications')
        batch_op.drop_column('pending_email')
        batch_op.drop_column('email_verified_at')
