"""Migrations build the schema on empty databases and agree with the models.

`flask db upgrade` runs as a real command against a fresh SQLite file, and against a
throwaway PostgreSQL schema (mig_<random>, created and dropped here) when
TEST_DATABASE_URL points at PostgreSQL, so the suite's own schema is never touched.
Then alembic's autogenerate comparison must find nothing to change.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, make_url, select, text

from app.config import ROOT
from app.extensions import db
from app.models import search
from app.models.users import User
from tests.conftest import make_app, require_or_skip


def flask_db(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "MOCKLOOP_ENV", "SECRET_KEY"}
    }
    env.update(
        FLASK_APP="wsgi",
        MOCKLOOP_ENV="production",
        MOCKLOOP_ALLOW_SINGLE_HOST="1",
        SECRET_KEY="migration-test",
        DATABASE_URL=database_url,
    )
    result = subprocess.run(
        [sys.executable, "-m", "flask", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def head_revision() -> str:
    from alembic.config import Config

    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def _not_search_ddl(obj, name, type_, reflected, compare_to) -> bool:
    """The full-text search objects are per-dialect DDL, not models (app/models/search.py)."""
    return name not in search.SEARCH_OBJECTS


def assert_matches_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "render_as_batch": True,
                    "include_object": _not_search_ddl,
                },
            )
            assert context.get_current_revision() == head_revision()
            differences = compare_metadata(context, db.metadata)
            tables = set(inspect(connection).get_table_names()) - search.SEARCH_OBJECTS
    finally:
        engine.dispose()
    assert differences == [], f"models and migrations disagree: {differences}"
    assert {t.name for t in db.metadata.sorted_tables} | {"alembic_version"} == tables


def assert_round_trip(database_url: str) -> None:
    """Downgrading to nothing leaves no table behind, and upgrading again still matches."""
    flask_db(database_url, "downgrade", "base")
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    flask_db(database_url, "upgrade")
    assert_matches_models(database_url)


def test_upgrade_builds_an_empty_sqlite_file_that_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    flask_db(url, "upgrade")
    assert_matches_models(url)
    assert_round_trip(url)


@pytest.mark.postgres_only
def test_upgrade_builds_an_empty_postgresql_schema_that_matches_the_models(database_url):
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":  # only in CI: elsewhere it is deselected
        require_or_skip("TEST_DATABASE_URL is not PostgreSQL")
    # A scratch schema first on the search_path: empty, and far cheaper than a scratch
    # database (DROP DATABASE waits for a checkpoint). The suite's `public` is untouched.
    scratch = f"mig_{uuid.uuid4().hex[:12]}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{scratch}"'))
        scratch_url = url.update_query_dict({"options": f"-csearch_path={scratch}"})
        scratch_url = scratch_url.render_as_string(hide_password=False)
        flask_db(scratch_url, "upgrade")
        assert_matches_models(scratch_url)
        assert_round_trip(scratch_url)
        with server.connect() as connection:
            public_tables = set(inspect(connection).get_table_names(schema="public"))
        assert "alembic_version" not in public_tables  # nothing leaked into the suite's schema
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE'))
        server.dispose()


def test_sqlite_files_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
                assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        finally:
            db.engine.dispose()


def test_datetimes_come_back_aware_utc(app):
    berlin = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # just after DST
    with app.app_context():
        user = User(email="tz@example.com", display_name="TZ", password_hash="x", created_at=berlin)
        db.session.add(user)
        db.session.commit()
        db.session.expire_all()
        stored = db.session.scalar(select(User.created_at).where(User.email == "tz@example.com"))
        assert stored.tzinfo is UTC or stored.utcoffset().total_seconds() == 0
        assert stored == berlin
        assert stored.hour == 1  # 03:30 CEST is 01:30 UTC


def test_naive_datetimes_are_refused(app):
    with app.app_context():
        db.session.add(
            User(
                email="naive@example.com",
                display_name="N",
                password_hash="x",
                created_at=datetime(2026, 1, 1, 12, 0),
            )
        )
        with pytest.raises(Exception, match="naive datetime"):
            db.session.commit()
        db.session.rollback()
