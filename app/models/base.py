"""Column types shared by every aggregate."""

from __future__ import annotations

import re
import select
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, DateTime, event, exc
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores aware UTC datetimes and always returns them aware in UTC.

    PostgreSQL returns aware values and SQLite naive ones; this is the one place that
    makes both look the same. Naive datetimes are refused on the way in, because a
    naive "now" is the classic source of timer bugs.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column; use app.clock.utcnow()")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def configure_sqlite(engine, busy_timeout_ms: int) -> None:
    """SQLite: WAL journal, a busy timeout and enforced foreign keys on every connection."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


def check_on_checkout(engine) -> None:
    """PostgreSQL: hand out no pooled connection the server has closed.

    Instead of `pool_pre_ping` (a SELECT 1 round trip on every checkout, i.e. on every
    request) the pool looks at the idle connection's socket without blocking: a server
    that restarted, a backend that was terminated or timed out has sent its last message
    and closed it, so the socket reads as ready. Such a connection is discarded and a
    fresh one opened (DisconnectionError makes the pool reconnect), so the first request
    after a PostgreSQL restart is served, not a 500. A peer that vanished without closing
    is found by TCP keepalives (config), which then close the socket the same way.
    """
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "checkout")
    def _refuse_closed(dbapi_connection, _record, _proxy):
        if connection_is_closed(dbapi_connection):
            raise exc.DisconnectionError("the database closed this pooled connection")


class PlanKeepingConnection(psycopg.Connection):
    """A psycopg connection whose prepared statements outlive a read-only request.

    psycopg forgets every prepared statement on ROLLBACK (and sends DEALLOCATE ALL), to
    stay safe after a rolled-back transaction that dropped or altered what they name.
    Every request that only reads ends that way (the session's close rolls its
    transaction back), so on the pages that matter most each statement was planned
    afresh every time: 1.8 ms of planning on the round page's read against 0.5 ms to
    run it, and one more round trip. Here a transaction that wrote nothing - no
    transaction id was ever assigned, which PostgreSQL does for any row written or
    locked and any DDL - ends with COMMIT instead, which for it is the same as
    ROLLBACK; anything else rolls back as before. The check costs a read-only request
    one round trip more than its ROLLBACK did (~0.1 ms), against the replanning it saves
    (the round page's PostgreSQL CPU fell from 3.3 to 0.7-0.9 ms a request).

    Most requests only read, and for them even the check is not needed: the connection's
    cursors note any statement that is not a plain SELECT (anything else, a locking read,
    a batch, COPY, a server-side cursor), and a transaction that sent none ends with
    COMMIT at once: one round trip (and one statement for PostgreSQL) fewer on every
    page. A transaction that sent anything else is checked as above.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cursor_factory = WriteNotingCursor
        self.server_cursor_factory = WriteNotingServerCursor
        self.may_have_written = False  # since this transaction began

    def commit(self) -> None:
        super().commit()
        self.may_have_written = False

    def rollback(self) -> None:
        try:
            if self.info.transaction_status == TransactionStatus.INTRANS and not (
                self.may_have_written and self._wrote()
            ):
                super().commit()
            else:
                super().rollback()
        finally:
            if self.info.transaction_status == TransactionStatus.IDLE:
                self.may_have_written = False

    def _wrote(self) -> bool:
        with self.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NOT NULL", prepare=True)
            return bool(cursor.fetchone()[0])


# A statement that reads and does nothing else: SELECT, no row locks, no SELECT INTO.
_PLAIN_SELECT = re.compile(r"\s*\(*\s*SELECT\b", re.IGNORECASE)
_NOT_ONLY_READING = re.compile(
    r"\bFOR\s+(?:UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b|\bINTO\b", re.IGNORECASE
)


def plain_select(query) -> bool:
    """Whether `query` is certainly a plain read (anything unsure counts as not)."""
    return (
        isinstance(query, str)
        and _PLAIN_SELECT.match(query) is not None
        and _NOT_ONLY_READING.search(query) is None
    )


class WriteNotingCursor(psycopg.Cursor):
    """A cursor that tells its PlanKeepingConnection when it sent anything but a plain
    SELECT."""

    def execute(self, query, params=None, **kwargs):
        if not plain_select(query):
            self.connection.may_have_written = True
        return super().execute(query, params, **kwargs)

    def executemany(self, query, params_seq, **kwargs):
        self.connection.may_have_written = True
        return super().executemany(query, params_seq, **kwargs)

    def copy(self, statement, params=None, **kwargs):
        self.connection.may_have_written = True
        return super().copy(statement, params, **kwargs)

    def stream(self, query, params=None, **kwargs):
        if not plain_select(query):
            self.connection.may_have_written = True
        return super().stream(query, params, **kwargs)


class WriteNotingServerCursor(psycopg.ServerCursor):
    """A server-side cursor counts as a write (never trusted to be a plain read)."""

    def execute(self, query, params=None, **kwargs):
        self.connection.may_have_written = True
        return super().execute(query, params, **kwargs)


def keep_prepared_statements(engine) -> None:
    """PostgreSQL: open the pool's connections as `PlanKeepingConnection`s."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect, _record, cargs, cparams):
        return PlanKeepingConnection.connect(*cargs, **cparams)


def connection_is_closed(dbapi_connection) -> bool:
    """An idle psycopg connection whose server end is gone (or that has unread input,
    which an idle connection of ours never expects)."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class DirectConnection:
    """Where a request's few DirectStatements run, and how their transaction ends.

    A session bound to its engine (every request served) lends nothing: a connection is
    checked out of the engine's pool and its DBAPI connection used as it is, its
    transaction the driver's own (BEGIN sent with the first statement, then `commit` or
    `rollback`), and `close` gives it back (the pool's reset rolls back whatever is
    still open). SQLAlchemy's Connection and the ORM session around such a transaction
    (checkout, begin, commit, close) cost ~115 us of an autosave's CPU here and ~45 us of
    a status read (measured in-process on PostgreSQL, paired in one process).
    A session bound to a Connection (a test's outer transaction, where a commit releases
    a savepoint) is used as it is: its connection, commit and rollback.
    """

    __slots__ = ("dialect", "dispatch", "dbapi_connection", "_session", "_pooled")

    def __init__(self, session, engine):
        """`session`: the scoped session (Flask-SQLAlchemy's `db.session`); `engine`: the
        engine its requests are bound to."""
        if isinstance(session.session_factory.kw.get("bind"), Connection):
            connection = session.connection()
            self._session, self._pooled = session, None
            self.dialect, self.dispatch = connection.dialect, connection.dispatch
            self.dbapi_connection = connection.connection.dbapi_connection
        else:
            self._session, self._pooled = None, engine.raw_connection()
            self.dialect, self.dispatch = engine.dialect, engine.dispatch
            self.dbapi_connection = self._pooled.dbapi_connection

    def commit(self) -> None:
        if self._session is not None:
            self._session.commit()
        else:
            self.dbapi_connection.commit()

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()
        else:
            self.dbapi_connection.rollback()

    def invalidate(self) -> None:
        """Never let this connection be used again (its state is not what the pool expects)."""
        if self._session is not None:
            self._session.connection().invalidate()
        else:
            self._pooled.invalidate()

    def abandon(self) -> None:
        """After an error: roll back what is open; a pooled connection that cannot (the
        error was the connection's own) is never used again."""
        if self._session is not None:
            self._session.rollback()
            return
        try:
            self.dbapi_connection.rollback()
        except Exception:
            self._pooled.invalidate()

    def close(self) -> None:
        """A pooled connection back to the pool; a session's stays the session's."""
        if self._pooled is not None:
            self._pooled.close()
            self._pooled = None


@contextmanager
def direct_connection(session, engine) -> Iterator[DirectConnection]:
    """A DirectConnection for a block, abandoned if the block raises, closed after it."""
    connection = DirectConnection(session, engine)
    try:
        yield connection
    except BaseException:
        connection.abandon()
        raise
    finally:
        connection.close()


class DirectStatement:
    """A fixed textual statement run straight on the DBAPI cursor of a DirectConnection,
    for the few statements a request runs hundreds of times a second.

    SQLAlchemy's own execution of a text() statement, already compiled and cached, still
    builds an execution context, a cursor result and its metadata (from the cursor's
    description) on every call: ~9 % of an autosave's CPU here (measured in-process,
    paired with `Connection.execute`). Here the statement is compiled once per dialect
    by SQLAlchemy itself (its SQL for that driver's parameter style, with the bind and
    result processors of the types the statement declares, e.g. UTCDateTime), and each
    execution is the driver's `cursor.execute` with those processors applied. It runs
    on a DirectConnection's DBAPI connection, inside its transaction (and a test's
    savepoint), which stays the DirectConnection's to commit or roll back; the engine's
    before/after_cursor_execute listeners see it as they see any statement.
    """

    def __init__(self, statement):
        self.statement = statement
        self._plans: dict[str, tuple] = {}

    def _plan(self, dialect) -> tuple:
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = self.statement.compile(dialect=dialect)
            binds = {
                name: processor
                for name, bind in compiled.binds.items()
                if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))
            }
            columns = getattr(self.statement, "selected_columns", ())
            results = [
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in columns
            ]
            order = tuple(compiled.positiontup) if compiled.positional else None
            plan = self._plans[dialect.name] = (compiled.string, binds, order, results)
        return plan

    def first(self, connection, params: dict) -> tuple | None:
        """The first row of a statement that returns rows (its columns processed as their
        declared types), or None when it returned none."""
        row = self._execute(connection, params, fetch=True)
        _, _, _, results = self._plans[connection.dialect.name]
        if row is None or not any(results):
            return row
        return tuple(
            processor(value) if processor else value
            for value, processor in zip(row, results, strict=True)
        )

    def run(self, connection, params: dict) -> None:
        """Execute a statement that returns no rows."""
        self._execute(connection, params, fetch=False)

    def _execute(self, connection, params: dict, *, fetch: bool):
        sql, binds, order, _ = self._plan(connection.dialect)
        params = {
            name: processor(value) if (processor := binds.get(name)) else value
            for name, value in params.items()
        }
        if order is not None:
            params = [params[name] for name in order]
        cursor = connection.dbapi_connection.cursor()
        try:
            # the events SQLAlchemy fires around a cursor execution (statement counters)
            connection.dispatch.before_cursor_execute(connection, cursor, sql, params, None, False)
            cursor.execute(sql, params)
            connection.dispatch.after_cursor_execute(connection, cursor, sql, params, None, False)
            return cursor.fetchone() if fetch else None
        finally:
            cursor.close()
