"""A small database as release 0001 held it, in plain SQL (no models: they describe head).

A user, a bank with a question in two versions (hints and follow-ups), a design format,
a finished round with an answer. Used by the upgrade tests of 0004, 0007 and 0009.
"""

from __future__ import annotations

import json

from sqlalchemy import text

from tests.migrations.harness import connect

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


def fill(url: str) -> None:
    """Write the rows of FILL into a database at revision 0001."""
    with connect(url) as connection:
        for statement, params in FILL:
            connection.execute(
                text(statement), {"yes": True, "no": False, "t0": T0, "t1": T1, **params}
            )


def read(url: str) -> dict:
    """The rows of FILL as they read back (on the columns of revision 0004)."""
    with connect(url) as connection:
        one = lambda sql: tuple(connection.execute(text(sql)).one())  # noqa: E731
        versions = connection.execute(
            text(
                "SELECT number, title, hints, follow_ups, talking_points "
                "FROM question_versions ORDER BY number"
            )
        )
        return {
            "user": one("SELECT email, role, timezone FROM users"),
            "skill": one("SELECT key, name, description, glossary FROM skill_areas"),
            "versions": [tuple(r) for r in versions],
            "current": one("SELECT current_version_id, status FROM questions"),
            "session": one("SELECT status, version, current_position FROM practice_sessions"),
            "answer": one(
                "SELECT question_version_id, answer_text, revision, time_spent_seconds "
                "FROM session_questions"
            ),
        }


def as_list(value):
    return json.loads(value) if isinstance(value, str) else value
