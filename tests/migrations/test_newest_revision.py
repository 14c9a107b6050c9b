"""The newest revision can be undone: downgrade one step keeps the older tables' rows.

A database at head, filled the way older releases filled it, is downgraded by one
revision: alembic reports the previous revision, the rows of the columns that existed
before are all there, and upgrading again reaches head with them still there.
"""

from __future__ import annotations

import pytest

from tests.migrations import harness
from tests.migrations.seed_0001 import seed_baseline


def test_downgrading_the_newest_revision_keeps_the_older_rows(database_url, tmp_path):
    previous = harness.previous_head()
    if previous is None:
        pytest.skip("head is the baseline 0001; downgrading it empties the database")
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_baseline(url)
        harness.upgrade(url, previous)
        before = harness.snapshot(url)
        harness.upgrade(url, "head")
        harness.flask_db(url, "downgrade", previous)
        assert harness.current_revision(url) == previous
        harness.assert_rows_kept(before, harness.snapshot(url))
        harness.upgrade(url, "head")
        assert harness.current_revision(url) == harness.head_revision()
        harness.assert_rows_kept(before, harness.snapshot(url))
