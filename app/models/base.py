"""Column types shared by every aggregate."""

from __future__ import annotations

import select
from datetime import UTC, datetime

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy import DateTime, event, exc
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
    """

    def rollback(self) -> None:
        if self.info.transaction_status == TransactionStatus.INTRANS and not self._wrote():
            self.commit()
        else:
            super().rollback()

    def _wrote(self) -> bool:
        with self.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NOT NULL", prepare=True)
            return bool(cursor.fetchone()[0])


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
