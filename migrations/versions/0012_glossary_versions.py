"""glossary_versions: a skill area's glossary keeps its history (issue 13: versioned)

A finished round's insights now read each glossary as it stood when the round started, so
editing a glossary never changes an old report. Each skill area's current glossary becomes
its version 1, valid from 1970: every round made before this revision reads exactly what
it read before. Nothing existing changes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 05:20:00

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def upgrade():
    versions = op.create_table(
        "glossary_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("skill_key", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("valid_from", app.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["skill_key"],
            ["skill_areas.key"],
            name=op.f("fk_glossary_versions_skill_key_skill_areas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_glossary_versions")),
        sa.UniqueConstraint(
            "skill_key", "number", name=op.f("uq_glossary_versions_skill_key")
        ),
    )
    with op.batch_alter_table("glossary_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_glossary_versions_skill_key"), ["skill_key"], unique=False
        )
    skills = sa.table("skill_areas", sa.column("key", sa.String), sa.column("glossary", sa.JSON))
    rows = op.get_bind().execute(sa.select(skills.c.key, skills.c.glossary)).all()
    op.bulk_insert(
        versions,
        [
            {"skill_key": key, "number": 1, "terms": list(glossary or []), "valid_from": EPOCH}
            for key, glossary in rows
        ],
    )


def downgrade():
    with op.batch_alter_table("glossary_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_glossary_versions_skill_key"))
    op.drop_table("glossary_versions")
