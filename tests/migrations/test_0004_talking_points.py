"""Migration 0004 (talking points) upgrades a database that already holds rounds.

Filled at revision 0001 with plain SQL (tests/migrations/seed_rounds.py: a user, a bank
with a question in two versions, a finished round with an answer), then upgraded to
0004: every row reads back as it was, the new columns read back as empty lists, the
models agree with the schema, and a downgrade drops only the new columns.
"""

from __future__ import annotations

from tests.migrations import harness, seed_rounds
from tests.migrations.seed_rounds import as_list


def test_0004_upgrades_a_filled_database(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_rounds.fill(url)
        before = harness.snapshot(url)
        harness.upgrade(url, "0004")
        harness.assert_rows_kept(before, harness.snapshot(url))
        after = seed_rounds.read(url)
        assert after["user"] == ("cand@example.com", "candidate", "UTC")
        key, name, description, glossary = after["skill"]
        assert (key, name, description, as_list(glossary)) == (
            "inference_cost",
            "Inference cost",
            "Serving money",
            [],
        )
        assert [
            (n, t, as_list(h), as_list(f), as_list(p)) for n, t, h, f, p in after["versions"]
        ] == [
            (1, "GPU cost v1", ["h1", "h2"], ["f1", "f2"], []),
            (2, "GPU cost v2", ["h1", "h2"], ["f1", "f2"], []),
        ]
        assert after["current"] == (2, "published")
        assert after["session"] == ("submitted", 3, 0)
        assert after["answer"] == (1, "Ten GPUs at three dollars an hour.", 4, 1200)

        harness.flask_db(url, "downgrade", "0003")
        assert "talking_points" not in harness.columns(url, "question_versions")
        assert "glossary" not in harness.columns(url, "skill_areas")
        harness.assert_rows_kept(before, harness.snapshot(url))
        harness.upgrade(url)
        harness.assert_matches_models(url)
