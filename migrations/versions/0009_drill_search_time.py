"""drill, search, extra time: single-question drills, bank search, time multiplier, loop pace

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 05:00:00

Issue 18 (practise what you need).
- `round_formats.drill`: the built-in single-question drill format of a stage (false for
  every format already there).
- `practice_sessions.time_multiplier` (1 for every round already there: they had no
  extra time) and `practice_sessions.untimed` (false).
- `users.time_multiplier` (1: no extra time until an admin or linked coach sets it).
- `users.my_projects` ('': the "My projects" text of Settings, empty until written).
- `loop_runs.pace` ('scheduled' for every loop already there: the pace they had).
- Full-text search (app/models/search.py): on SQLite an FTS5 table over
  `question_versions` with triggers, rebuilt here from the versions already there; on
  PostgreSQL a stored generated `tsvector` column with a GIN index (computed for the
  rows already there by the ALTER itself).

All new columns are NOT NULL with a constant server default, so SQLite takes a plain
ALTER TABLE ADD COLUMN and the downgrade a plain DROP COLUMN (no batch copy-and-move,
which would fail with foreign keys on once sessions refer to the rows).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The search DDL as of this revision (app/models/search.py holds the same for create_all;
# copied, not imported, so that later edits there never change what this revision does).
SEARCH_DDL = {
    "sqlite": (
        [
            "CREATE VIRTUAL TABLE question_search USING fts5(title, prompt_md, tags, content='question_versions', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
            "CREATE TRIGGER question_search_ai AFTER INSERT ON question_versions BEGIN INSERT INTO question_search(rowid, title, prompt_md, tags) VALUES (new.id, new.title, new.prompt_md, new.tags); END",
            "CREATE TRIGGER question_search_ad AFTER DELETE ON question_versions BEGIN INSERT INTO question_search(question_search, rowid, title, prompt_md, tags) VALUES ('delete', old.id, old.title, old.prompt_md, old.tags); END",
            "CREATE TRIGGER question_search_au AFTER UPDATE OF title, prompt_md, tags ON question_versions BEGIN INSERT INTO question_search(question_search, rowid, title, prompt_md, tags) VALUES ('delete', old.id, old.title, old.prompt_md, old.tags); INSERT INTO question_search(rowid, title, prompt_md, tags) VALUES (new.id, new.title, new.prompt_md, new.tags); END",
            "INSERT INTO question_search(question_search) VALUES ('rebuild')",
        ],
        [
            "DROP TRIGGER IF EXISTS question_search_au",
            "DROP TRIGGER IF EXISTS question_search_ad",
            "DROP TRIGGER IF EXISTS question_search_ai",
            "DROP TABLE IF EXISTS question_search",
        ],
    ),
    "postgresql": (
        [
            "ALTER TABLE question_versions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(tags::text, '')), 'B') || setweight(to_tsvector('english'::regconfig, coalesce(prompt_md, '')), 'C')) STORED",
            "CREATE INDEX ix_question_versions_search ON question_versions USING gin (search_vector)",
        ],
        [
            "DROP INDEX IF EXISTS ix_question_versions_search",
            "ALTER TABLE question_versions DROP COLUMN IF EXISTS search_vector",
        ],
    ),
}


def upgrade():
    with op.batch_alter_table("round_formats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("drill", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("practice_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("time_multiplier", sa.Float(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("untimed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("time_multiplier", sa.Float(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("my_projects", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("loop_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pace", sa.String(length=16), server_default="scheduled", nullable=False)
        )
    for statement in SEARCH_DDL.get(op.get_bind().dialect.name, ([], []))[0]:
        op.execute(statement)


def downgrade():
    for statement in SEARCH_DDL.get(op.get_bind().dialect.name, ([], []))[1]:
        op.execute(statement)
    with op.batch_alter_table("loop_runs", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("pace")
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("my_projects")
        batch_op.drop_column("time_multiplier")
    with op.batch_alter_table("practice_sessions", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("untimed")
        batch_op.drop_column("time_multiplier")
    with op.batch_alter_table("round_formats", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("drill")
