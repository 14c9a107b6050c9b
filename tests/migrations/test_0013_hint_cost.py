"""Revision 0013: formats, rounds and their questions gain hint-cost columns at 0, so
every existing round keeps its deadline and reads as before; the downgrade drops them."""

from __future__ import annotations

from sqlalchemy import text

from tests.migrations import harness
from tests.migrations.seed_0001 import seed_baseline

NEW = {
    "round_formats": ["hint_cost_minutes"],
    "practice_sessions": ["hint_cost_seconds", "hint_penalty_seconds"],
    "session_questions": ["hint_penalty_seconds"],
}


def _columns(url: str, table: str) -> set[str]:
    return set(harness.snapshot(url)[table][0])


def test_0013_adds_free_hint_costs_and_drops_them_again(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_baseline(url)
        harness.upgrade(url, "0012")
        before = harness.snapshot(url)
        for table in NEW:
            assert before[table], f"the seed has {table} rows"
        harness.upgrade(url, "0013")
        harness.assert_rows_kept(before, harness.snapshot(url))
        with harness.connect(url) as connection:
            for table, columns in NEW.items():
                for column in columns:
                    values = connection.execute(text(f"SELECT {column} FROM {table}")).scalars()
                    assert set(values) == {0}, f"{table}.{column}"
            # a costed format: the downgrade drops the cost with the column
            connection.execute(
                text(
                    "UPDATE round_formats SET hint_cost_minutes = 2"
                    " WHERE id = (SELECT min(id) FROM round_formats)"
                )
            )
        harness.flask_db(url, "downgrade", "0012")
        after = harness.snapshot(url)
        for table, columns in NEW.items():
            assert not set(columns) & _columns(url, table)
        harness.assert_rows_kept(before, after)
