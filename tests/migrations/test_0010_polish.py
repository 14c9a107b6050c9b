"""Migration 0010 (rubric hire bar) upgrades a database that already holds rounds.

Filled by the older release's rows (tests/migrations/seed_0001.py, upgraded to the revision
below 0010), then upgraded: every row is kept, the old rubric versions have no hire bar
(so their reports keep the 75/50 thresholds), and a
downgrade drops only the new column.
"""

from __future__ import annotations

from sqlalchemy import text

from tests.migrations import harness
from tests.migrations.seed_0001 import seed_baseline


def test_0010_keeps_rows_and_old_rubric_versions_have_no_hire_bar(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_baseline(url)
        harness.upgrade(url, "0005")
        before = harness.snapshot(url)
        harness.upgrade(url, "0010")
        harness.assert_rows_kept(before, harness.snapshot(url))
        with harness.connect(url) as connection:
            bars = list(connection.execute(text("SELECT hire_bar FROM rubric_versions")).scalars())
            assert bars and set(bars) == {None}
        harness.flask_db(url, "downgrade", "0005")
        columns = harness.columns(url, "rubric_versions")
        assert "hire_bar" not in columns and "criteria" in columns
        harness.assert_rows_kept(before, harness.snapshot(url))
