"""Migration 0009 (drill, search, extra time, pace, my projects) upgrades a filled database.

Filled at 0001 with plain SQL (tests/migrations/seed_rounds.py: a user, a bank
with a question in two versions, a finished round with an answer), upgraded to 0005, then
to 0009: every row reads back as it was, the new columns have their defaults (no extra
time, not untimed, not a drill, "scheduled" pace, no projects), the existing versions are
already in the search index, the models agree with the schema, and a downgrade to 0005
drops exactly the new columns and the search objects.
"""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from app.models import search
from tests.migrations import harness, seed_rounds

NEW_COLUMNS = {
    "users": {"time_multiplier", "my_projects"},
    "practice_sessions": {"time_multiplier", "untimed"},
    "round_formats": {"drill"},
    "loop_runs": {"pace"},
}


def _new_values(url: str) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            one = lambda sql: tuple(connection.execute(text(sql)).one())  # noqa: E731
            if connection.dialect.name == "sqlite":
                found = connection.execute(
                    text("SELECT rowid FROM question_search WHERE question_search MATCH 'gpu'")
                ).all()
            else:
                found = connection.execute(
                    text(
                        "SELECT id FROM question_versions "
                        "WHERE search_vector @@ to_tsquery('english', 'gpu:*')"
                    )
                ).all()
            return {
                "user": one("SELECT time_multiplier, my_projects FROM users"),
                "session": one("SELECT time_multiplier, untimed FROM practice_sessions"),
                "format": one("SELECT drill FROM round_formats"),
                "found": sorted(r[0] for r in found),
                "dialect": connection.dialect.name,
            }
    finally:
        engine.dispose()


def _search_objects(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = set(inspect(connection).get_table_names())
            names |= {c["name"] for c in inspect(connection).get_columns("question_versions")}
            names |= {i["name"] for i in inspect(connection).get_indexes("question_versions")}
            return names & search.SEARCH_OBJECTS
    finally:
        engine.dispose()


def test_0009_upgrades_a_filled_database(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_rounds.fill(url)
        harness.upgrade(url, "0005")
        before = seed_rounds.read(url)
        harness.upgrade(url, "0009")
        assert seed_rounds.read(url) == before
        values = _new_values(url)
        assert values["user"] == (1.0, "")
        assert values["session"][0] == 1.0 and not values["session"][1]
        assert not values["format"][0]
        assert values["found"] == [1, 2]  # both existing versions are indexed ("GPU cost v1/v2")
        assert _search_objects(url)

        harness.flask_db(url, "downgrade", "0005")
        for table, columns in NEW_COLUMNS.items():
            assert not (columns & harness.columns(url, table)), table
        assert _search_objects(url) == set()
        assert seed_rounds.read(url) == before
        harness.upgrade(url)
        harness.assert_matches_models(url)
        assert seed_rounds.read(url) == before
