"""A reusable harness for upgrade tests: a database at an old revision, filled, upgraded.

    with scratch_database(database_url, tmp_path) as url:
        upgrade(url, "0001")              # the schema of an older release
        seed_baseline(url)                # rows written with plain SQL, as that release would
        before = snapshot(url)
        upgrade(url, "head")
        assert_rows_kept(before, snapshot(url))

`scratch_database` gives a fresh SQLite file, or a throwaway PostgreSQL schema when the
suite runs on PostgreSQL, so the suite's own tables are never touched. The upgrade under
test, to head, and every downgrade run `flask db` as a real subprocess, as an operator
would; the steps that only bring a database to an older revision first run the same
migrations in-process (each `flask db` process costs ~2 s of imports, and the migration
tests ran ~50 of them for setup alone).

A new revision that only adds tables or columns needs nothing here: `assert_rows_kept`
compares every row on the columns it had before. A revision that renames or rewrites a
column must say how old values map to new ones: pass `expected_changes` (see there).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, inspect, make_url, select, text
from sqlalchemy.engine import Engine

from app.config import ROOT
from app.extensions import db
from app.models import search
from tests.conftest import make_app


def flask_db(database_url: str, *args: str) -> subprocess.CompletedProcess:
    """Run `flask db ARGS` as a production operator would, against `database_url`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "MOCKLOOP_ENV", "SECRET_KEY"}
    }
    env.update(
        FLASK_APP="wsgi",
        MOCKLOOP_ENV="production",
        SECRET_KEY="migration-test",
        DATABASE_URL=database_url,
        MOCKLOOP_ALLOW_SINGLE_HOST="1",  # the SQLite leg; no Redis is needed to migrate
    )
    result = subprocess.run(
        [sys.executable, "-m", "flask", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def upgrade(database_url: str, revision: str = "head") -> None:
    """`flask db upgrade` to head as a subprocess; to an older revision (a test's
    setup) the same migrations in-process."""
    if revision == "head":
        flask_db(database_url, "upgrade", revision)
        return
    app = make_app(database_url, LOG_JSON=False)  # disposed when the test ends
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        config.attributes["configure_logger"] = False
        command.upgrade(config, revision)
        db.session.remove()


def scripts() -> ScriptDirectory:
    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    return scripts().get_current_head()


def previous_head() -> str | None:
    """The revision just below head (the schema of the release before this one)."""
    return scripts().get_revision(head_revision()).down_revision


def current_revision(database_url: str) -> str | None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


@contextlib.contextmanager
def scratch_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database to migrate: a SQLite file, or a scratch PostgreSQL schema."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / f'scratch-{uuid.uuid4().hex[:8]}.db'}"
        return
    # A scratch schema first on the search_path: empty, and far cheaper than a scratch
    # database (DROP DATABASE waits for a checkpoint). The suite's `public` is untouched.
    scratch = f"mig_{uuid.uuid4().hex[:12]}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{scratch}"'))
        scratch_url = url.update_query_dict({"options": f"-csearch_path={scratch}"})
        yield scratch_url.render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE'))
        server.dispose()


@contextlib.contextmanager
def connect(database_url: str) -> Iterator:
    """A connection in one transaction (committed on leaving)."""
    engine: Engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


Snapshot = dict[str, list[dict]]


def snapshot(database_url: str) -> Snapshot:
    """Every row of every table (but alembic_version), ordered by primary key."""
    engine = create_engine(database_url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        rows: Snapshot = {}
        with engine.connect() as connection:
            for name, table in metadata.tables.items():
                if name == "alembic_version":
                    continue
                order = list(table.primary_key.columns) or list(table.columns)
                rows[name] = [
                    dict(row._mapping) for row in connection.execute(select(table).order_by(*order))
                ]
        return rows
    finally:
        engine.dispose()


def assert_rows_kept(
    before: Snapshot,
    after: Snapshot,
    expected_changes: dict[str, Callable[[dict], dict]] | None = None,
) -> None:
    """Every row of `before` is in `after`, equal on the columns it had before.

    `expected_changes` maps a table name to a function that turns an old row into the
    values expected after the upgrade (for a revision that renames or rewrites columns).
    """
    expected_changes = expected_changes or {}
    for table, old_rows in before.items():
        assert table in after, f"table {table} is gone after the upgrade"
        new_rows = after[table]
        assert len(new_rows) == len(old_rows), (
            f"{table}: {len(old_rows)} rows before the upgrade, {len(new_rows)} after"
        )
        change = expected_changes.get(table, lambda row: row)
        for old, new in zip(old_rows, new_rows, strict=True):
            expected = change(dict(old))
            kept = {column: new.get(column) for column in expected}
            assert kept == expected, f"{table}: row changed by the upgrade\n{expected}\n{kept}"


def table_names(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def columns(database_url: str, table: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {c["name"] for c in inspect(connection).get_columns(table)}
    finally:
        engine.dispose()


def indexes(database_url: str, table: str) -> dict[str, list[str]]:
    """The indexes of `table`: each one's name and its columns in order."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            found = inspect(connection).get_indexes(table)
            return {index["name"]: index["column_names"] for index in found}
    finally:
        engine.dispose()


def _not_search_ddl(obj, name, type_, reflected, compare_to) -> bool:
    """The full-text search objects are per-dialect DDL, not models (app/models/search.py)."""
    return name not in search.SEARCH_OBJECTS


def assert_matches_models(database_url: str) -> None:
    """The database is at head and alembic's autogenerate finds nothing to change."""
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
    assert table_names(database_url) <= {"alembic_version"}
    upgrade(database_url)
    assert_matches_models(database_url)
