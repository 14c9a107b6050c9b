"""Full-text search of the published bank for candidates (issue 18), ranked by the
database's own engine: SQLite FTS5 with bm25, PostgreSQL tsvector with ts_rank_cd
(the index objects: app/models/search.py, migration 0009).

What people type is never passed to the engine as syntax. It is cut to `QUERY_MAX`
characters, split into words (letters and digits only), at most `TERMS_MAX` of them, each
at most `TERM_MAX` long; every word becomes a quoted prefix term ("cach"* in FTS5,
cach:* in tsquery), and all must match. Quotes, NEAR(, *, -, OR, NUL and the like are
just separators, so no query can be a syntax error.
"""

from __future__ import annotations

import re

from sqlalchemy import func, literal_column, select, table
from sqlalchemy.sql import column

from app.bank.queries import _filtered, _page_options, paginate
from app.extensions import db
from app.models.bank import Question, QuestionStatus, QuestionVersion
from app.models.search import FTS_TABLE, PG_COLUMN

QUERY_MAX = 200
TERMS_MAX = 12
TERM_MAX = 40
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# bm25 column weights, in the FTS table's column order: title, prompt, tags
_BM25_WEIGHTS = (10.0, 1.0, 4.0)


def terms(query: str | None) -> list[str]:
    """The words of a search box entry, lower-cased, in order, without repeats."""
    words: list[str] = []
    for word in _WORD.findall((query or "")[:QUERY_MAX]):
        word = word.lower()[:TERM_MAX]
        if word not in words:
            words.append(word)
        if len(words) == TERMS_MAX:
            break
    return words


def fts5_match(words: list[str]) -> str:
    """An FTS5 MATCH expression: every word as a quoted prefix phrase, all required."""
    return " ".join(f'"{w}"*' for w in words)


def tsquery_text(words: list[str]) -> str:
    """A to_tsquery expression: every word as a prefix term, all required."""
    return " & ".join(f"{w}:*" for w in words)


def _ranked_versions(words: list[str]):
    """(version id, rank) of matching versions, best first when ordered by `rank`."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        fts = table(FTS_TABLE, column("rowid"))
        fts_ref = literal_column(FTS_TABLE)
        return (
            select(
                fts.c.rowid.label("version_id"),
                func.bm25(fts_ref, *_BM25_WEIGHTS).label("rank"),
            )
            .select_from(fts)
            .where(fts_ref.op("MATCH")(fts5_match(words)))
            .subquery()
        )
    query = func.to_tsquery(literal_column("'english'::regconfig"), tsquery_text(words))
    vector = literal_column(f"question_versions.{PG_COLUMN}")
    return (
        select(
            QuestionVersion.id.label("version_id"),
            (-func.ts_rank_cd(vector, query)).label("rank"),  # lower is better, as bm25
        )
        .where(vector.op("@@")(query))
        .subquery()
    )


def search_published(
    text: str | None,
    *,
    stage: str | None = None,
    skill: str | None = None,
    page: int,
    per_page: int,
):
    """Published questions matching `text` (ranked) within the stage and skill filters.

    Returns a page like `queries.browse_published`, or None when `text` has no words
    (the caller shows the plain browse list then).
    """
    words = terms(text)
    if not words:
        return None
    ranked = _ranked_versions(words)
    query = (
        select(Question)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .join(ranked, ranked.c.version_id == QuestionVersion.id)
        .where(Question.status == QuestionStatus.PUBLISHED.value)
    )
    query = _filtered(query, stage, skill, None)
    query = query.options(*_page_options()).order_by(ranked.c.rank, Question.id)
    return paginate(query, page, per_page)
