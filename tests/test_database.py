"""The database layer: SQLite's pragmas, datetimes that are always aware UTC, pooled
PostgreSQL connections the server closed, and statements run straight on the driver, in
the session's transaction or on a pooled connection of their own."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import String, bindparam, column, create_engine, select, text

from app.extensions import db
from app.models.base import (
    DirectConnection,
    DirectStatement,
    PlanKeepingConnection,
    UTCDateTime,
    connection_is_closed,
    direct_connection,
    plain_select,
)
from app.models.users import User
from tests import factories
from tests.conftest import make_app
from tests.learning.query_count import count_queries


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


@pytest.mark.postgres_only
def test_a_connection_the_server_closed_is_replaced_not_a_500(database_url, _schema):
    """No pool_pre_ping round trip: a pooled connection whose backend the server ended
    (as a restart does to every one) is found closed at checkout and replaced, so the
    next request is served."""
    app = make_app(database_url)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    client = app.test_client()
    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.remove()  # back to the pool, idle
        engine = db.engine
    killer = create_engine(database_url)
    with killer.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        gone = "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"
        for _ in range(200):
            if not other.execute(text(gone), {"pid": pid}).scalar():
                break
            time.sleep(0.01)
    killer.dispose()
    for _ in range(100):  # the FATAL message and the close reach our socket
        if connection_is_closed(engine.pool._pool.queue[-1].dbapi_connection):
            break
        time.sleep(0.01)
    with app.app_context():  # without the check: OperationalError (a 500 in a view)
        assert db.session.execute(text("SELECT pg_backend_pid()")).scalar() != pid
        db.session.remove()
    assert client.get("/healthz").status_code == 200


@pytest.mark.postgres_only
def test_a_read_only_transaction_keeps_its_prepared_statements_and_a_write_still_rolls_back(
    database_url, _schema
):
    """psycopg forgets its prepared statements on every ROLLBACK; the pool's connections
    end a transaction that wrote nothing with COMMIT instead, so a page's statements stay
    prepared (planned once) across requests, while a transaction that wrote is rolled
    back as always."""
    app = make_app(database_url)
    prepared = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%users%'"
    with app.app_context():
        for _ in range(6):  # psycopg prepares a statement on its 5th run
            db.session.execute(select(User.id).where(User.id == -1)).all()
        assert db.session.execute(text(prepared)).scalar() == 1
        db.session.rollback()  # a read-only transaction: kept
        assert db.session.execute(text(prepared)).scalar() == 1
        db.session.remove()
    with app.app_context():  # the next request on the same pooled connection
        assert db.session.execute(text(prepared)).scalar() == 1
        user_id = factories.user(email="kept@example.com", display_name="Before").id
        db.session.get(User, user_id).display_name = "After"
        db.session.flush()
        db.session.rollback()  # it wrote: a real ROLLBACK
        assert db.session.get(User, user_id).display_name == "Before"
        locked = db.session.execute(select(User.id).with_for_update().limit(1)).all()
        assert locked is not None
        db.session.rollback()  # a row lock assigns a transaction id too: a real ROLLBACK
        assert db.session.execute(text("SELECT pg_current_xact_id_if_assigned()")).scalar() is None
        db.session.delete(db.session.get(User, user_id))
        db.session.commit()
        db.session.remove()


def test_a_direct_statement_binds_and_reads_as_its_types_inside_the_sessions_transaction(app):
    berlin = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    read = DirectStatement(
        text(
            "SELECT created_at, display_name FROM users"
            " WHERE created_at = :at AND (email = :email OR display_name = :email)"
        )
        .bindparams(bindparam("at", type_=UTCDateTime()))
        .columns(column("created_at", UTCDateTime()), column("display_name", String))
    )
    rename = DirectStatement(text("UPDATE users SET display_name = :name WHERE email = :email"))
    with app.app_context():
        db.session.add(
            User(email="d@example.com", display_name="D", password_hash="x", created_at=berlin)
        )
        db.session.commit()
        with count_queries(app) as statements:
            connection = DirectConnection(db.session, db.engine)  # the test's: the session's
            # bound as UTCDateTime binds it (SQLite: naive UTC), the same name twice
            (created_at, name) = read.first(connection, {"at": berlin, "email": "d@example.com"})
            assert (created_at, created_at.utcoffset().total_seconds(), name) == (berlin, 0, "D")
            assert read.first(connection, {"at": berlin, "email": "x@example.com"}) is None
            rename.run(connection, {"name": "Renamed", "email": "d@example.com"})
            assert read.first(connection, {"at": berlin, "email": "Renamed"})[1] == "Renamed"
            connection.rollback()  # the session's transaction: the rename goes with it
            connection.close()  # (the session's connection stays the session's)
        assert len(statements) == 4  # each seen by the engine's statement listeners
        db.session.expire_all()
        assert (
            db.session.scalar(select(User.display_name).where(User.email == "d@example.com")) == "D"
        )


RENAME = DirectStatement(text("UPDATE users SET display_name = :name WHERE email = :email"))
NAME = DirectStatement(text("SELECT display_name FROM users WHERE email = :email"))


def _stored_name(email: str) -> str:
    db.session.rollback()
    return db.session.scalar(select(User.display_name).where(User.email == email))


@pytest.mark.real_commits
def test_a_direct_connection_of_an_engine_bound_session_is_the_pools_own_transaction(app):
    """Served (the session bound to its engine), a DirectConnection is a pooled DBAPI
    connection, not the session's: its commit and rollback are its own, it goes back to the
    pool when closed, a block that raises rolls back, and statement listeners still see it."""
    with app.app_context():
        factories.user(email="p@example.com", display_name="Before")
        pool = db.engine.pool
        with count_queries(app) as statements:
            with direct_connection(db.session, db.engine) as connection:
                assert pool.checkedout() == 1  # its own checkout (the session holds none)
                RENAME.run(connection, {"name": "Kept", "email": "p@example.com"})
                connection.commit()
                RENAME.run(connection, {"name": "Dropped", "email": "p@example.com"})
                assert NAME.first(connection, {"email": "p@example.com"}) == ("Dropped",)
                connection.rollback()
            assert pool.checkedout() == 0
            assert _stored_name("p@example.com") == "Kept"
            with (
                pytest.raises(ZeroDivisionError),
                direct_connection(db.session, db.engine) as connection,
            ):
                RENAME.run(connection, {"name": "Raised", "email": "p@example.com"})
                1 / 0  # noqa: B018
            assert _stored_name("p@example.com") == "Kept"  # the block's write rolled back
        direct = ("UPDATE users SET display_name", "SELECT display_name FROM users")
        assert sum(sql.startswith(direct) for sql in statements) == 4
        db.session.rollback()
        assert pool.checkedout() == 0


@pytest.mark.parametrize(
    ("query", "reads_only"),
    [
        ("SELECT users.id FROM users WHERE users.id = %(id)s", True),
        ("  \n select 1", True),
        ("(SELECT 1) UNION (SELECT 2)", True),
        ("SELECT pg_current_xact_id_if_assigned() IS NOT NULL", True),
        ("SELECT users.id FROM users FOR UPDATE", False),
        ("SELECT id FROM practice_sessions WHERE id = 1 FOR SHARE OF practice_sessions", False),
        ("SELECT id FROM t FOR NO KEY UPDATE", False),
        ("SELECT * INTO scratch FROM users", False),
        ("WITH x AS (SELECT 1) SELECT * FROM x", False),  # a CTE may write: not trusted
        ("UPDATE users SET display_name = 'x'", False),
        ("INSERT INTO users DEFAULT VALUES", False),
        ("SAVEPOINT sa_1", False),
        ("SET LOCAL statement_timeout = 1", False),
        ("selected", False),
        (b"SELECT 1", False),  # bytes or composed SQL: not inspected, so not trusted
    ],
)
def test_only_a_plain_select_counts_as_reading_only(query, reads_only):
    assert plain_select(query) is reads_only


@pytest.mark.postgres_only
def test_a_transaction_of_plain_selects_ends_with_commit_without_asking_the_server(
    database_url, _schema, monkeypatch
):
    """The pool's connections note any statement that is not a plain SELECT; a transaction
    that sent none is ended with COMMIT without the check's round trip, one that sent
    anything else is checked (and rolled back if it wrote), as before."""
    app = make_app(database_url)
    checks = []
    real_check = PlanKeepingConnection._wrote
    monkeypatch.setattr(
        PlanKeepingConnection, "_wrote", lambda self: checks.append(1) or real_check(self)
    )
    with app.app_context():
        user_id = factories.user(email="noted@example.com", display_name="Before").id
        checks.clear()
        assert db.session.execute(select(User.display_name).where(User.id == user_id)).one()
        db.session.rollback()
        assert checks == []  # plain reads: COMMIT at once
        db.session.execute(text("UPDATE users SET display_name = 'x' WHERE id = -1"))
        db.session.rollback()
        assert checks == [1]  # it might have written (it did not): checked, then COMMIT
        db.session.execute(select(User.id).where(User.id == user_id)).all()
        db.session.rollback()
        assert checks == [1]  # the note went with the transaction it was about
        db.session.execute(
            text("UPDATE users SET display_name = 'After' WHERE id = :id"), {"id": user_id}
        )
        db.session.rollback()
        assert checks == [1, 1]
        assert db.session.get(User, user_id).display_name == "Before"  # rolled back
        db.session.delete(db.session.get(User, user_id))
        db.session.commit()
        db.session.remove()
