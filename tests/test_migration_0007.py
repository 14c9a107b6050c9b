"""Migration 0007 (follow-up answers) upgrades a database that already holds rounds.

Filled with plain SQL at revision 0001 (the rows of tests/test_migration_0004.py: a user,
a bank with a question in two versions and its follow-ups, a design format, a finished
round with an answer) plus a short-screen format, brought to 0005, then upgraded: every
row is kept, the design format shows 2 follow-ups and the short screen 1, the finished
round pins 0 (so its report shows nothing new), the new table is empty, the models agree
with the schema, and a downgrade drops only what 0007 added. SQLite always; PostgreSQL
(a scratch schema) when TEST_DATABASE_URL points there.
"""

from __future__ import annotations

import pytest
from sqlalchemy import make_url

from tests.migrations import harness
from tests.test_migration_0004 import _fill
from tests.test_migrations import assert_matches_models

SHORT_SCREEN = (
    "INSERT INTO stages (key, name, position, default_minutes, description) "
    "VALUES ('ethics_sprint', 'Ethics sprint', 2, 10, '')",
    "INSERT INTO round_formats (id, key, name, stage_key, duration_minutes, question_count, "
    "answer_kinds, expiry_policy, grace_seconds, description, position, archived) VALUES "
    "(2, 'sprint', 'Sprint', 'ethics_sprint', 10, 1, '[]', 'auto_submit', 30, '', 1, false)",
)


def _upgrade_a_filled_database(url: str) -> None:
    harness.upgrade(url, "0001")
    _fill(url)
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
        limits = connection.exec_driver_sql("SELECT follow_up_limit FROM practice_sessions").all()
        answers = connection.exec_driver_sql("SELECT count(*) FROM follow_up_answers").scalar()
    assert [tuple(r) for r in counts] == [("design", 2), ("sprint", 1)]
    assert [tuple(r) for r in limits] == [(0,)]  # the old round shows no follow-ups
    assert answers == 0
    harness.upgrade(url, "head")  # the models describe head, not 0007
    assert_matches_models(url)

    harness.flask_db(url, "downgrade", "0005")
    assert "follow_up_answers" not in harness.table_names(url)
    harness.assert_rows_kept(before, harness.snapshot(url))
    harness.upgrade(url, "0007")
    harness.assert_rows_kept(before, harness.snapshot(url))


def test_0007_upgrades_a_filled_sqlite_database(tmp_path):
    _upgrade_a_filled_database(f"sqlite:///{tmp_path / 'filled.db'}")


@pytest.mark.postgres_only
def test_0007_upgrades_a_filled_postgresql_schema(database_url, tmp_path):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL")
    with harness.scratch_database(database_url, tmp_path) as url:
        _upgrade_a_filled_database(url)
