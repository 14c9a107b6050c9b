"""Searching the bank (issue 18): full-text over titles, prompts and tags with the database's
own engine (FTS5 on SQLite, tsvector + GIN on PostgreSQL), ranked, with the stage and skill
filters, and no query a candidate can type ever fails."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.bank import search
from app.extensions import db
from tests import factories
from tests.conftest import database_is_postgresql


@pytest.fixture
def bank(app):
    with app.app_context():
        factories.question(
            key="kv-cache",
            title="Size the KV cache of a chat model",
            prompt_md="Estimate the memory the attention cache needs at 32k context.",
            tags=["memory", "longcontext"],
        )
        factories.question(
            key="gpu-bill",
            title="Monthly GPU bill",
            prompt_md="A model is served from a cache of embeddings; estimate the GPU cost.",
            tags=["cost"],
        )
        factories.question(
            "recruiter_screen",
            key="why-us",
            title="Why this team",
            prompt_md="Tell me why you want to work on retrieval.",
            tags=["motivation", "retrieval"],
            skills=("communication",),
        )
        factories.question(key="draft-cache", title="Cache draft", status="draft")


def _keys(app, query, **filters):
    with app.app_context():
        page = search.search_published(query, page=1, per_page=20, **filters)
        return None if page is None else [q.key for q in page.items]


def test_terms_are_words_only():
    assert search.terms('"NEAR(cache* OR -gpu)" ^x \x00 caché') == [
        "near",
        "cache",
        "or",
        "gpu",
        "x",
        "caché",
    ]
    assert search.terms("a " * 10_000) == ["a"]
    assert len(search.terms(" ".join(f"w{n}" for n in range(100)))) == search.TERMS_MAX
    assert search.terms("***") == [] and search.terms(None) == []
    assert search.fts5_match(["cache", "gpu"]) == '"cache"* "gpu"*'
    assert search.tsquery_text(["cache", "gpu"]) == "cache:* & gpu:*"


def test_ranked_title_before_prompt_and_only_published(app, bank):
    assert _keys(app, "cache") == ["kv-cache", "gpu-bill"]  # title beats a prompt mention
    assert _keys(app, "CACHE gpu") == ["gpu-bill"]  # every word must match
    assert _keys(app, "embed") == ["gpu-bill"]  # prefix match
    assert _keys(app, "retrieval") == ["why-us"]
    assert _keys(app, "longcontext") == ["kv-cache"]  # tags are searched
    assert _keys(app, "draft") == []  # drafts are never found
    assert _keys(app, "   ") is None  # nothing to search for


def test_search_keeps_the_stage_and_skill_filters(app, bank):
    assert _keys(app, "cache", stage="recruiter_screen") == []
    assert _keys(app, "retrieval", stage="recruiter_screen") == ["why-us"]
    assert _keys(app, "retrieval", skill="ml_system_design") == []
    assert _keys(app, "retrieval", skill="communication") == ["why-us"]


def test_a_new_version_is_found_by_its_new_text_only(app, bank):
    with app.app_context():
        question = factories.question(key="renamed", title="Old wording about tokenisers")
        version = factories.QuestionVersion(
            question_id=question.id,
            number=2,
            stage_key="system_design",
            rubric_id=question.current_version.rubric_id,
            title="New wording about vocabularies",
            prompt_md="Same prompt.",
        )
        db.session.add(version)
        db.session.flush()
        question.current_version_id = version.id
        db.session.commit()
    assert _keys(app, "vocabularies") == ["renamed"]
    assert _keys(app, "tokenisers") == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "NEAR(cache gpu, 2)",
        "cache*",
        "* OR AND NOT",
        "-cache",
        "title:cache",
        "a\x00b",
        "x" * 10_000,
        "'; DROP TABLE questions; --",
        "(((",
        "🙂 café",
        "cache & | ! <-> :*",
    ],
)
def test_hostile_queries_never_fail(app, client, login_as, bank, query):
    login_as()
    response = client.get("/questions/search", query_string={"q": query, "stage": query})
    assert response.status_code == 200
    response = client.get("/questions/search", query_string={"q": query})
    assert response.status_code == 200


def test_search_page_lists_matches_best_first(client, login_as, bank):
    login_as()
    html = client.get("/questions/search?q=cache").get_data(as_text=True)
    assert "2 questions matching “cache”, best match first" in html
    assert html.index("Size the KV cache") < html.index("Monthly GPU bill")
    assert 'name="q" value="cache"' in html
    assert "Practise this question" in html
    empty = client.get("/questions/search?q=").get_data(as_text=True)
    assert "3 questions" in empty  # no words: the plain list


def test_search_uses_the_engines_index(app, bank):
    with app.app_context():
        if database_is_postgresql():
            plan = db.session.execute(
                text(
                    "EXPLAIN SELECT id FROM question_versions "
                    "WHERE search_vector @@ to_tsquery('english', 'cache:*')"
                )
            ).all()
            # the GIN index exists and is usable (with few rows the planner may scan)
            indexes = db.session.execute(
                text(
                    "SELECT indexdef FROM pg_indexes "
                    "WHERE indexname = 'ix_question_versions_search'"
                )
            ).scalar()
            assert plan and "gin" in indexes.lower()
        else:
            rows = db.session.execute(
                text("SELECT rowid FROM question_search WHERE question_search MATCH 'cache'")
            ).all()
            assert len(rows) == 3  # every version is indexed, drafts too (filtered later)


@pytest.mark.postgres_only
def test_postgresql_ranks_with_ts_rank_and_the_generated_column(app, bank):
    assert database_is_postgresql()
    with app.app_context():
        vector = db.session.execute(
            text(
                "SELECT search_vector::text FROM question_versions v "
                "JOIN questions q ON q.current_version_id = v.id WHERE q.key = 'kv-cache'"
            )
        ).scalar()
        assert "'cach':" in vector and "'longcontext':" in vector
    assert _keys(app, "cache") == ["kv-cache", "gpu-bill"]
    assert _keys(app, "the cache") == ["kv-cache", "gpu-bill"]  # a stop word drops out
