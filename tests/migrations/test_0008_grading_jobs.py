"""Migration 0008 (jobs, model_suggestions) upgrades a database that already holds rounds.

A database filled the way older releases did (tests/migrations/seed_0001.py), brought
to 0005, is upgraded to 0008: every row is kept, the two new tables exist and accept a
job and a suggestion for an old answer, and a downgrade to 0005 drops only them.
"""

from __future__ import annotations

import json

from sqlalchemy import text

from tests.migrations import harness
from tests.migrations.seed_0001 import seed_baseline

NEW_TABLES = {"jobs", "model_suggestions"}


def test_0008_keeps_rows_and_adds_the_job_and_suggestion_tables(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seeded = seed_baseline(url)
        harness.upgrade(url, "0005")
        before = harness.snapshot(url)
        assert not NEW_TABLES & harness.table_names(url)
        harness.upgrade(url, "0008")
        harness.assert_rows_kept(before, harness.snapshot(url))
        assert harness.table_names(url) >= NEW_TABLES
        with harness.connect(url) as c:
            item_id, rubric_version_id = c.execute(
                text("SELECT id, rubric_version_id FROM session_questions WHERE session_id = :s"),
                {"s": seeded.session_id},
            ).first()
            c.execute(
                text(
                    "INSERT INTO jobs (kind, ref_id, payload, state, attempts, run_after, "
                    "created_at, updated_at, last_error) VALUES ('grade-answer', :i, '{}', "
                    "'queued', 0, '2026-01-01 10:00:00', '2026-01-01 10:00:00', "
                    "'2026-01-01 10:00:00', '')"
                ),
                {"i": item_id},
            )
            c.execute(
                text(
                    "INSERT INTO model_suggestions (session_question_id, rubric_version_id, "
                    "status, reason, levels, model, prompt, raw_replies, created_at) VALUES "
                    "(:i, :r, 'none', 'x', '{}', 'm', :p, '[]', '2026-01-01 10:00:00')"
                ),
                {"i": item_id, "r": rubric_version_id, "p": json.dumps([])},
            )
        harness.flask_db(url, "downgrade", "0005")
        assert not NEW_TABLES & harness.table_names(url)
        harness.assert_rows_kept(before, harness.snapshot(url))
