"""Revision 0016: the list indexes (bank browse by stage and title, a version's question,
the admin list by status) are created on a filled database without touching a row, and
the downgrade drops exactly those indexes (the models are checked at head by
test_empty_database)."""

from __future__ import annotations

from tests.migrations import harness
from tests.migrations.seed_0001 import seed_baseline

NEW = {
    "question_versions": {
        "ix_question_versions_stage_title": ["stage_key", "title", "question_id"]
    },
    "questions": {
        "ix_questions_current_version": ["current_version_id"],
        "ix_questions_status_updated": ["status", "updated_at", "id"],
    },
}


def _indexes(url: str) -> dict[str, dict[str, list[str]]]:
    return {table: harness.indexes(url, table) for table in NEW}


def test_0016_adds_the_list_indexes_keeps_every_row_and_drops_them_again(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_baseline(url)
        harness.upgrade(url, "0015")
        before = harness.snapshot(url)
        assert before["questions"] and before["question_versions"], "the seed has a bank"
        old = _indexes(url)
        harness.upgrade(url, "0016")
        harness.assert_rows_kept(before, harness.snapshot(url))
        found = _indexes(url)
        for table, indexes in NEW.items():
            for name, columns in indexes.items():
                assert found[table].get(name) == columns, (table, name, found[table])
            assert found[table].keys() - indexes.keys() == old[table].keys()
        harness.flask_db(url, "downgrade", "0015")
        assert _indexes(url) == old
        harness.assert_rows_kept(before, harness.snapshot(url))
