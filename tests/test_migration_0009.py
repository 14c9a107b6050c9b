"""Migration 0009 (drill, search, extra time, pace, my projects) upgrades a filled database.

Filled at 0001 with plain SQL (the rows of tests/test_migration_0004.py: a user, a bank
with a question in two versions, a finished round with an answer), upgraded to 0005, then
to 0009: every row reads back as it was, the new columns have their defaults (no extra
time, not untimed, not a drill, "scheduled" pace, no projects), the existing versions are
already in the search index, the models agree with the schema, and a downgrade to 0005
drops exactly the new columns and the search objects.
On SQLite always; on PostgreSQL (a scratch schema) when TEST_DATABASE_URL points there.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, make_url, text

from app.models import search
from tests.conftest import require_or_skip
from tests.migrations import harness
from tests.test_migration_0004 import _fill, _read
from tests.test_migrations import assert_matches_models, flask_db

NEW_COLUMNS = {
    "users": {"time_multiplier", "my_projects"},
    "practice_sessions": {"time_multiplier", "untimed"},
    "round_formats": {"drill"},
    "loop_runs": {"pace"},
}


def _columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {c["name"] for c in inspect(connection).get_columns(table)}
    finally:
        engine.dispose()


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


def _upgrade_a_filled_database(url: str) -> None:
    flask_db(url, "upgrade", "0001")
    _fill(url)
    flask_db(url, "upgrade", "0005")
    before = _read(url)
    flask_db(url, "upgrade", "0009")
    assert _read(url) == before
    values = _new_values(url)
    assert values["user"] == (1.0, "")
    assert values["session"][0] == 1.0 and not values["session"][1]
    assert not values["format"][0]
    assert values["found"] == [1, 2]  # both existing versions are indexed ("GPU cost v1/v2")
    assert _search_objects(url)

    flask_db(url, "downgrade", "0005")
    for table, columns in NEW_COLUMNS.items():
        assert not (columns & _columns(url, table)), table
    assert _search_objects(url) == set()
    assert _read(url) == before
    flask_db(url, "upgrade")
    assert_matches_models(url)
    assert _read(url) == before


def test_0009_upgrades_a_filled_sqlite_database(tmp_path):
    _upgrade_a_filled_database(f"sqlite:///{tmp_path / 'filled.db'}")


@pytest.mark.postgres_only
def test_0009_upgrades_a_filled_postgresql_schema(database_url, tmp_path):
    if make_url(database_url).get_backend_name() != "postgresql":
        require_or_skip("TEST_DATABASE_URL is not PostgreSQL")
    with harness.scratch_database(database_url, tmp_path) as url:  # a scratch schema
        _upgrade_a_filled_database(url)
