"""Full-text search over question versions with the database's own engine (issue 18).

Not a model: the objects are dialect-specific, so they are plain DDL, run by migration
0009 and, for `db.create_all()` (the tests), by `after_create` / `before_drop` hooks on
`question_versions`. Both index every version (versions are immutable); searches join on
`questions.current_version_id`, so only a question's current text is ever found.

SQLite: an FTS5 table with external content (`question_versions`), kept up to date by
triggers on insert and delete (a version is never updated in place; an update trigger
covers it all the same). Ranked with bm25, title weighted above tags above prompt.

PostgreSQL: a stored generated `tsvector` column (`search_vector`, weights A title,
B tags, C prompt) with a GIN index; ranked with ts_rank_cd.

`SEARCH_OBJECTS` names them so the model/schema comparison can leave them out.
"""

from __future__ import annotations

from sqlalchemy import DDL, event

from app.models.bank import QuestionVersion

FTS_TABLE = "question_search"
PG_COLUMN = "search_vector"
PG_INDEX = "ix_question_versions_search"
# The FTS5 table and its shadow tables, the generated column and its index.
SEARCH_OBJECTS = frozenset(
    {
        FTS_TABLE,
        *(f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "docsize", "config", "content")),
        PG_COLUMN,
        PG_INDEX,
    }
)

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "title, prompt_md, tags, content='question_versions', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON question_versions BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, title, prompt_md, tags) "
    "VALUES (new.id, new.title, new.prompt_md, new.tags); END",
    f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON question_versions BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, prompt_md, tags) "
    "VALUES ('delete', old.id, old.title, old.prompt_md, old.tags); END",
    f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE OF title, prompt_md, tags "
    f"ON question_versions BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, prompt_md, tags) "
    "VALUES ('delete', old.id, old.title, old.prompt_md, old.tags); "
    f"INSERT INTO {FTS_TABLE}(rowid, title, prompt_md, tags) "
    "VALUES (new.id, new.title, new.prompt_md, new.tags); END",
    # index the rows already there (the migration on a filled database)
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]

PG_CREATE = [
    f"ALTER TABLE question_versions ADD COLUMN {PG_COLUMN} tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(tags::text, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(prompt_md, '')), 'C')"
    ") STORED",
    f"CREATE INDEX {PG_INDEX} ON question_versions USING gin ({PG_COLUMN})",
]
PG_DROP = [
    f"DROP INDEX IF EXISTS {PG_INDEX}",
    f"ALTER TABLE question_versions DROP COLUMN IF EXISTS {PG_COLUMN}",
]


def statements(dialect: str, *, create: bool) -> list[str]:
    """The DDL that creates (or drops) the search objects on `dialect`."""
    if dialect == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if dialect == "postgresql":
        return PG_CREATE if create else PG_DROP
    return []


def _run(connection, *, create: bool) -> None:
    for sql in statements(connection.dialect.name, create=create):
        connection.execute(DDL(sql))


@event.listens_for(QuestionVersion.__table__, "after_create")
def _after_create(target, connection, **kw) -> None:
    _run(connection, create=True)


@event.listens_for(QuestionVersion.__table__, "before_drop")
def _before_drop(target, connection, **kw) -> None:
    _run(connection, create=False)
