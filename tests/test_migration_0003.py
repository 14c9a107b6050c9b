"""Migration 0003 (code tests) upgrades a database that already holds a bank and rounds.

Filled at revision 0001 with plain SQL (no models: they already describe 0003), then
upgraded: every row survives, the new columns start empty, a downgrade drops only them.
"""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from tests.test_migrations import assert_matches_models, flask_db

FILL = [
    "INSERT INTO stages (key, name, position, default_minutes, description) "
    "VALUES ('technical_phone', 'Technical phone', 1, 45, '')",
    "INSERT INTO rubrics (id, key, archived, created_at) "
    "VALUES (1, 'coding', 0, '2026-01-01 00:00:00')",
    "INSERT INTO questions (id, key, status, created_at, updated_at) "
    "VALUES (1, 'top-k', 'published', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    "INSERT INTO question_versions (id, question_id, number, stage_key, rubric_id, title, "
    "prompt_md, difficulty, answer_kind, code_language, worked_answer_md, suggested_minutes, "
    "hints, follow_ups, good_answer_md, tags, created_at, change_note) VALUES (1, 1, 1, "
    "'technical_phone', 1, 'Top k', 'Find the top k.', 'medium', 'code', 'python', '', 20, "
    "'[]', '[]', 'A heap.', '[]', '2026-01-01 00:00:00', '')",
    "INSERT INTO round_formats (id, key, name, stage_key, duration_minutes, question_count, "
    "answer_kinds, expiry_policy, grace_seconds, description, position, archived) VALUES "
    "(1, 'technical_phone', 'Technical phone', 'technical_phone', 45, 2, '[]', 'auto_submit', "
    "60, '', 0, 0)",
]


def columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {c["name"] for c in inspect(connection).get_columns(table)}
    finally:
        engine.dispose()


def test_0003_upgrades_a_filled_database_and_downgrades_cleanly(tmp_path):
    url = f"sqlite:///{tmp_path / 'filled.db'}"
    flask_db(url, "upgrade", "0001")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in FILL:
                connection.execute(text(statement))
    finally:
        engine.dispose()

    flask_db(url, "upgrade", "0003")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            version = connection.execute(
                text("SELECT title, answer_kind, code_language, code_tests FROM question_versions")
            ).one()
            fmt = connection.execute(
                text("SELECT key, question_count, first_kind FROM round_formats")
            ).one()
    finally:
        engine.dispose()
    assert tuple(version) == ("Top k", "code", "python", None)
    assert tuple(fmt) == ("technical_phone", 2, None)
    assert "code_results" in columns(url, "session_questions")

    flask_db(url, "downgrade", "0001")
    assert "code_tests" not in columns(url, "question_versions")
    assert "first_kind" not in columns(url, "round_formats")
    assert "code_results" not in columns(url, "session_questions")
    assert "title" in columns(url, "question_versions")
    flask_db(url, "upgrade")
    assert_matches_models(url)
