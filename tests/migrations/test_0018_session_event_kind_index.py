"""Revision 0018: session_events' index on session_id becomes one on (session_id, kind),
built on a filled database without touching a row; the downgrade puts the single-column
index back (the models are checked at head by test_empty_database)."""

from __future__ import annotations

from tests.migrations import harness
from tests.migrations.seed_0001 import seed_baseline


def _indexes(url: str) -> dict[str, list[str]]:
    return harness.indexes(url, "session_events")


def test_0018_indexes_a_rounds_events_by_kind_keeps_every_row_and_undoes_it(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_baseline(url)
        harness.upgrade(url, "0017")
        before = harness.snapshot(url)
        assert before["session_events"], "the seed has a round's log"
        old = _indexes(url)
        assert old["ix_session_events_session_id"] == ["session_id"]
        harness.upgrade(url, "0018")
        harness.assert_rows_kept(before, harness.snapshot(url))
        expected = {
            **{name: cols for name, cols in old.items() if name != "ix_session_events_session_id"},
            "ix_session_events_session_id_kind": ["session_id", "kind"],
        }
        assert _indexes(url) == expected
        harness.flask_db(url, "downgrade", "0017")
        assert _indexes(url) == old
        harness.assert_rows_kept(before, harness.snapshot(url))
