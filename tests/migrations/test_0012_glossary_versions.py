"""Revision 0012: each skill area's glossary becomes its version 1, valid from 1970, so
every round made before reads the same terms as before; the downgrade removes only that."""

from __future__ import annotations

import json

from sqlalchemy import text

from tests.migrations import harness
from tests.migrations.seed_0001 import seed_baseline


def test_0012_makes_each_glossary_its_first_version(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_baseline(url)
        harness.upgrade(url, "0011")
        with harness.connect(url) as connection:
            connection.execute(
                text("UPDATE skill_areas SET glossary = :terms"),
                {"terms": json.dumps(["KV cache", "batching"])},
            )
            skills = (
                connection.execute(text("SELECT key FROM skill_areas ORDER BY key")).scalars().all()
            )
        assert skills, "the seed has skill areas"
        before = harness.snapshot(url)
        harness.upgrade(url, "0012")
        harness.assert_rows_kept(before, harness.snapshot(url))
        with harness.connect(url) as connection:
            rows = connection.execute(
                text(
                    "SELECT skill_key, number, terms, valid_from FROM glossary_versions"
                    " ORDER BY skill_key"
                )
            ).all()
        assert [r.skill_key for r in rows] == skills
        for row in rows:
            terms = row.terms if isinstance(row.terms, list) else json.loads(row.terms)
            assert row.number == 1 and terms == ["KV cache", "batching"]
            assert str(row.valid_from).startswith("1970-01-01")
        harness.flask_db(url, "downgrade", "0011")
        assert "glossary_versions" not in harness.table_names(url)
        harness.assert_rows_kept(before, harness.snapshot(url))
