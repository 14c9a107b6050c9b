"""Revision 0006: the coach queue's stored sort key (backfilled) and its indexes."""

from __future__ import annotations

from sqlalchemy import text

from tests.migrations import harness
from tests.migrations.seed_0001 import seed_baseline

COLUMNS = (
    "user_id, round_format_id, stage_key, loop_run_id, loop_position, status, started_at,"
    " deadline_at, grace_seconds, expiry_policy, is_take_home, finished_at,"
    " shared_with_coaches, current_position, position_since, version"
)


def _indexes(url: str) -> set[str]:
    return set(harness.indexes(url, "practice_sessions"))


def test_queued_at_is_backfilled_indexed_and_dropped_on_downgrade(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_baseline(url)
        harness.upgrade(url, "0005")
        with harness.connect(url) as connection:
            # a round still open (no finished_at): its key falls back to the deadline
            connection.execute(
                text(
                    f"INSERT INTO practice_sessions ({COLUMNS}) SELECT"
                    " user_id, round_format_id, stage_key, NULL, NULL, 'in_progress',"
                    " started_at, deadline_at, grace_seconds, expiry_policy, is_take_home,"
                    " NULL, shared_with_coaches, current_position, position_since, 1"
                    " FROM practice_sessions"
                )
            )
        before = harness.snapshot(url)
        assert len(before["practice_sessions"]) == 2
        harness.upgrade(url, "0006")
        after = harness.snapshot(url)
        harness.assert_rows_kept(before, after)
        for row in after["practice_sessions"]:
            assert row["queued_at"] == (row["finished_at"] or row["deadline_at"])
        assert {row["queued_at"] for row in after["practice_sessions"]} == {
            before["practice_sessions"][0]["finished_at"],
            before["practice_sessions"][1]["deadline_at"],
        }
        assert {"ix_practice_sessions_queued", "ix_practice_sessions_user_started"} <= _indexes(url)
        harness.flask_db(url, "downgrade", "0005")
        harness.assert_rows_kept(before, harness.snapshot(url))
        assert "queued_at" not in harness.snapshot(url)["practice_sessions"][0]
        assert not {"ix_practice_sessions_queued", "ix_practice_sessions_user_started"} & _indexes(
            url
        )
