"""Migration 0004 (talking points) upgrades a database that already holds rounds.

Filled at revision 0001 with plain SQL (no models: they already describe 0004) — a user,
a bank with a question in two versions, a finished round with an answer and a self-score
— then upgraded to 0004: every row reads back as it was, the new columns read back as
empty lists, the models agree with the schema, and a downgrade drops only the new columns.
On SQLite always; on PostgreSQL (a scratch schema) when TEST_DATABASE_URL points there.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, inspect, make_url, text

from tests.conftest import require_or_skip
from tests.migrations import harness
from tests.test_migrations import assert_matches_models, flask_db

T0 = "2026-01-01 09:00:00"
T1 = "2026-01-01 09:40:00"
CRITERIA = [{"key": "design", "title": "Design", "description": "", "weight": 1.0, "levels": [
    {"value": 1, "label": "Missing", "descriptor": "-"},
    {"value": 2, "label": "Solid", "descriptor": "+"},
]}]  # fmt: skip

FILL = [
    (
        "INSERT INTO users (id, email, display_name, password_hash, role, active, "
        "session_token, timezone, coach_sharing, created_at) VALUES (1, 'cand@example.com', "
        "'Cand', 'x', 'candidate', :yes, 'tok', 'UTC', :no, :t0)",
        {},
    ),
    (
        "INSERT INTO stages (key, name, position, default_minutes, description) "
        "VALUES ('system_design', 'System design', 1, 45, '')",
        {},
    ),
    (
        "INSERT INTO skill_areas (key, name, position, description) "
        "VALUES ('inference_cost', 'Inference cost', 0, 'Serving money')",
        {},
    ),
    ("INSERT INTO rubrics (id, key, archived, created_at) VALUES (1, 'design', :no, :t0)", {}),
    (
        "INSERT INTO rubric_versions (id, rubric_id, number, title, description, criteria, "
        "created_at, change_note) VALUES (1, 1, 1, 'Design', '', :criteria, :t0, '')",
        {"criteria": json.dumps(CRITERIA)},
    ),
    ("UPDATE rubrics SET current_version_id = 1", {}),
    (
        "INSERT INTO questions (id, key, status, created_at, updated_at, first_published_at) "
        "VALUES (1, 'gpu-cost', 'published', :t0, :t0, :t0)",
        {},
    ),
    *[
        (
            "INSERT INTO question_versions (id, question_id, number, stage_key, rubric_id, "
            "title, prompt_md, difficulty, answer_kind, worked_answer_md, suggested_minutes, "
            "hints, follow_ups, good_answer_md, tags, created_at, change_note) VALUES "
            f"({n}, 1, {n}, 'system_design', 1, 'GPU cost v{n}', 'Estimate it.', 'hard', "
            "'text', '', 10, :hints, :follow_ups, 'Stated assumptions.', '[]', :t0, '')",
            {"hints": json.dumps(["h1", "h2"]), "follow_ups": json.dumps(["f1", "f2"])},
        )
        for n in (1, 2)
    ],
    ("UPDATE questions SET current_version_id = 2", {}),
    (
        "INSERT INTO question_version_skills (question_version_id, skill_key) "
        "VALUES (1, 'inference_cost'), (2, 'inference_cost')",
        {},
    ),
    (
        "INSERT INTO round_formats (id, key, name, stage_key, duration_minutes, "
        "question_count, answer_kinds, expiry_policy, grace_seconds, description, position, "
        "archived) VALUES (1, 'design', 'Design', 'system_design', 45, 1, '[]', "
        "'auto_submit', 60, '', 0, :no)",
        {},
    ),
    (
        "INSERT INTO practice_sessions (id, user_id, round_format_id, stage_key, status, "
        "started_at, deadline_at, grace_seconds, expiry_policy, is_take_home, finished_at, "
        "shared_with_coaches, current_position, version) VALUES (1, 1, 1, 'system_design', "
        "'submitted', :t0, :t1, 60, 'auto_submit', :no, :t1, :no, 0, 3)",
        {},
    ),
    (
        "INSERT INTO session_questions (id, session_id, position, question_id, "
        "question_version_id, rubric_version_id, answer_text, answer_links, revision, "
        "client_seq, hints_revealed, time_spent_seconds) VALUES (1, 1, 0, 1, 1, 1, "
        "'Ten GPUs at three dollars an hour.', '[]', 4, 0, 1, 1200)",
        {},
    ),
]


def _fill(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement, params in FILL:
                connection.execute(
                    text(statement), {"yes": True, "no": False, "t0": T0, "t1": T1, **params}
                )
    finally:
        engine.dispose()


def _read(url: str) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            one = lambda sql: tuple(connection.execute(text(sql)).one())  # noqa: E731
            return {
                "user": one("SELECT email, role, timezone FROM users"),
                "skill": one("SELECT key, name, description, glossary FROM skill_areas"),
                "versions": [
                    tuple(r)
                    for r in connection.execute(
                        text(
                            "SELECT number, title, hints, follow_ups, talking_points "
                            "FROM question_versions ORDER BY number"
                        )
                    )
                ],
                "current": one("SELECT current_version_id, status FROM questions"),
                "session": one("SELECT status, version, current_position FROM practice_sessions"),
                "answer": one(
                    "SELECT question_version_id, answer_text, revision, time_spent_seconds "
                    "FROM session_questions"
                ),
            }
    finally:
        engine.dispose()


def _as_list(value):
    return json.loads(value) if isinstance(value, str) else value


def _columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {c["name"] for c in inspect(connection).get_columns(table)}
    finally:
        engine.dispose()


def _upgrade_a_filled_database(url: str) -> None:
    flask_db(url, "upgrade", "0001")
    _fill(url)
    flask_db(url, "upgrade", "0004")
    after = _read(url)
    assert after["user"] == ("cand@example.com", "candidate", "UTC")
    key, name, description, glossary = after["skill"]
    assert (key, name, description, _as_list(glossary)) == (
        "inference_cost",
        "Inference cost",
        "Serving money",
        [],
    )
    assert [
        (n, t, _as_list(h), _as_list(f), _as_list(p)) for n, t, h, f, p in after["versions"]
    ] == [
        (1, "GPU cost v1", ["h1", "h2"], ["f1", "f2"], []),
        (2, "GPU cost v2", ["h1", "h2"], ["f1", "f2"], []),
    ]
    assert after["current"] == (2, "published")
    assert after["session"] == ("submitted", 3, 0)
    assert after["answer"] == (1, "Ten GPUs at three dollars an hour.", 4, 1200)

    flask_db(url, "downgrade", "0003")
    assert "talking_points" not in _columns(url, "question_versions")
    assert "glossary" not in _columns(url, "skill_areas")
    assert _read_without_new_columns(url) == (2, "Ten GPUs at three dollars an hour.")
    flask_db(url, "upgrade")
    assert_matches_models(url)


def _read_without_new_columns(url: str) -> tuple:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT count(*) FROM question_versions")).scalar()
            answer = connection.execute(text("SELECT answer_text FROM session_questions")).scalar()
            return versions, answer
    finally:
        engine.dispose()


def test_0004_upgrades_a_filled_sqlite_database(tmp_path):
    _upgrade_a_filled_database(f"sqlite:///{tmp_path / 'filled.db'}")


@pytest.mark.postgres_only
def test_0004_upgrades_a_filled_postgresql_schema(database_url, tmp_path):
    if make_url(database_url).get_backend_name() != "postgresql":
        require_or_skip("TEST_DATABASE_URL is not PostgreSQL")
    with harness.scratch_database(database_url, tmp_path) as url:  # a scratch schema
        _upgrade_a_filled_database(url)
