"""Column types shared by every aggregate."""

from __future__ import annotations

import select
from datetime import UTC, datetime

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
