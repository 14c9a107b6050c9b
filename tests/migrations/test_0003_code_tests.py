"""Migration 0003 (code tests) upgrades a database that already holds a bank and rounds.

Filled at revision 0001 with plain SQL (no models: they already describe head), then
upgraded: every row survives, the new columns start empty, a downgrade drops only them.
"""

from __future__ import annotations

from sqlalchemy import text

from tests.migrations import harness

FILL = [
    "INSERT INTO stages (key, name, position, default_minutes, description) "
    "VALUES ('technical_phone', 'Technical phone', 1, 45, '')",
    "INSERT INTO rubrics (id, key, archived, created_at) "
    "VALUES (1, 'coding', false, '2026-01-01 00:00:00')",
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
    "60, '', 0, false)",
]


def test_0003_upgrades_a_filled_database_and_downgrades_cleanly(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        with harness.connect(url) as connection:
            for statement in FILL:
                connection.execute(text(statement))
        before = harness.snapshot(url)

        harness.upgrade(url, "0003")
        harness.assert_rows_kept(before, harness.snapshot(url))
        with harness.connect(url) as connection:
            version = connection.execute(
                text("SELECT title, answer_kind, code_language, code_tests FROM question_versions")
            ).one()
            fmt = connection.execute(
                text("SELECT key, question_count, first_kind FROM round_formats")
            ).one()
        assert tuple(version) == ("Top k", "code", "python", None)
        assert tuple(fmt) == ("technical_phone", 2, None)
        assert "code_results" in harness.columns(url, "session_questions")

        harness.flask_db(url, "downgrade", "0001")
        assert "code_tests" not in harness.columns(url, "question_versions")
        assert "first_kind" not in harness.columns(url, "round_formats")
        assert "code_results" not in harness.columns(url, "session_questions")
        harness.assert_rows_kept(before, harness.snapshot(url))
        harness.upgrade(url)
        harness.assert_matches_models(url)
