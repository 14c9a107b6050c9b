"""sign_up_requests: an account is made when the address's owner opens the link (issue 16)

Sign-up now answers "check your inbox" for a new and an existing address alike; the
typed password's hash waits in this table until the link is opened. Nothing existing
changes: every account stays as it is.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:00:00

"""

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_up_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("next_url", sa.String(length=512), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", app.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_up_requests")),
    )
    with op.batch_alter_table("sign_up_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_up_requests_token_digest"), ["token_digest"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_sign_up_requests_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sign_up_requests_expires_at"), ["expires_at"], unique=False
        )
    # Ended sign-ins are now pruned by age; the prune walks them by when they ended.
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_ended_at"), ["ended_at"], unique=False)


def downgrade():
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_ended_at"))
    with op.batch_alter_table("sign_up_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_up_requests_expires_at"))
        batch_op.drop_index(batch_op.f("ix_sign_up_requests_email"))
        batch_op.drop_index(batch_op.f("ix_sign_up_requests_token_digest"))
    op.drop_table("sign_up_requests")
