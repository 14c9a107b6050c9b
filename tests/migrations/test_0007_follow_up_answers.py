"""Migration 0007 (follow-up answers) upgrades a database that already holds rounds.

Filled with plain SQL at revision 0001 (tests/migrations/seed_rounds.py: a user, a bank
with a question in two versions and its follow-ups, a design format, a finished round
with an answer) plus a short-screen format, brought to 0005, then upgraded: every row is
kept, the design format shows 2 follow-ups and the short screen 1, the finished round
pins 0 (so its report shows nothing new), the new table is empty, the models agree with
the schema, and a downgrade drops only what 0007 added.
"""

from __future__ import annotations

from tests.migrations import harness, seed_rounds

SHORT_SCREEN = (
    "INSERT INTO stages (key, name, position, default_minutes, description) "
    "VALUES ('ethics_sprint', 'Ethics sprint', 2, 10, '')",
    "INSERT INTO round_formats (id, key, name, stage_key, duration_minutes, question_count, "
    "answer_kinds, expiry_policy, grace_seconds, description, position, archived) VALUES "
    "(2, 'sprint', 'Sprint', 'ethics_sprint', 10, 1, '[]', 'auto_submit', 30, '', 1, false)",
)


def test_0007_upgrades_a_filled_database(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_rounds.fill(url)
        with harness.connect(url) as connection:
            for statement in SHORT_SCREEN:
                connection.exec_driver_sql(statement)
        harness.upgrade(url, "0005")
        before = harness.snapshot(url)
        harness.upgrade(url, "0007")
        harness.assert_rows_kept(before, harness.snapshot(url))
        with harness.connect(url) as connection:
            counts = connection.exec_driver_sql(
                "SELECT key, follow_up_count FROM round_formats ORDER BY id"
            ).all()
            limits = connection.exec_driver_sql(
                "SELECT follow_up_limit FROM practice_sessions"
            ).all()
            answers = connection.exec_driver_sql("SELECT count(*) FROM follow_up_answers").scalar()
        assert [tuple(r) for r in counts] == [("design", 2), ("sprint", 1)]
        assert [tuple(r) for r in limits] == [(0,)]  # the old round shows no follow-ups
        assert answers == 0
        harness.upgrade(url, "head")  # the models describe head, not 0007
        harness.assert_matches_models(url)

        harness.flask_db(url, "downgrade", "0005")
        assert "follow_up_answers" not in harness.table_names(url)
        harness.assert_rows_kept(before, harness.snapshot(url))
        harness.upgrade(url, "0007")
        harness.assert_rows_kept(before, harness.snapshot(url))
