"""Revision 0014: users gain `theme`, NULL (never chosen) for every existing account, so
their browsers' cookies keep applying; the downgrade drops it and keeps every row."""

from __future__ import annotations

from sqlalchemy import text

from tests.migrations import harness
from tests.migrations.seed_0001 import seed_baseline


def test_0014_adds_an_unset_theme_per_user_and_drops_it_again(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_baseline(url)
        harness.upgrade(url, "0013")
        before = harness.snapshot(url)
        assert before["users"], "the seed has users"
        harness.upgrade(url, "0014")
        harness.assert_rows_kept(before, harness.snapshot(url))
        with harness.connect(url) as connection:
            assert set(connection.execute(text("SELECT theme FROM users")).scalars()) == {None}
            connection.execute(
                text("UPDATE users SET theme = 'dark' WHERE id = (SELECT min(id) FROM users)")
            )
            assert (
                connection.execute(text("SELECT count(*) FROM users WHERE theme = 'dark'")).scalar()
                == 1
            )
        harness.flask_db(url, "downgrade", "0013")
        after = harness.snapshot(url)
        assert "theme" not in after["users"][0]
        harness.assert_rows_kept(before, after)
