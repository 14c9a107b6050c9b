"""Migrations build the schema on an empty database and agree with the models.

`flask db upgrade` runs as a real command against a fresh SQLite file, or a throwaway
PostgreSQL schema when TEST_DATABASE_URL points at PostgreSQL (harness.scratch_database),
so the suite's own schema is never touched. Then alembic's autogenerate comparison must
find nothing to change, and downgrading to nothing leaves no table behind.
"""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, make_url

from tests.migrations import harness


def test_upgrade_builds_an_empty_database_that_matches_the_models(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url)
        harness.assert_matches_models(url)
        harness.assert_round_trip(url)
    if make_url(database_url).get_backend_name() == "postgresql":
        engine = create_engine(database_url)
        try:
            with engine.connect() as connection:
                public_tables = set(inspect(connection).get_table_names(schema="public"))
        finally:
            engine.dispose()
        assert "alembic_version" not in public_tables  # nothing leaked into the suite's schema
