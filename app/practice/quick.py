"""The two requests a running round sends all the time, without the per-request machinery:
the autosave POST and the status GET (issue 14), called by `app.practice.hotpath` ahead
of Flask.

Each reads the browser's sign-in (by the key its session cookie carries), the user and
the round in ONE query, and decides with the same rules as everywhere else
(`app.accounts.signins.check` for the sign-in, `app.domain.timing` for the clock). A
save is then one revision-checked UPDATE and the event's INSERT, and one commit. No ORM
objects are loaded and Flask-Login's user loader does not run.

Whenever anything is unusual (no such sign-in or it must end now, not the user's round,
finished or overdue, stale revision, unchanged answer, over the caps, an older save of
this tab) these functions return None with nothing written, and the request goes on to
Flask's view, the full path, which gives exactly the answer it always gave (401, 404,
409, 422...).
"""

from __future__ import annotations

import functools
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from psycopg.pq import TransactionStatus
from sqlalchemy import JSON, Boolean, Float, Integer, String, bindparam, column, text

from app.accounts import signins
from app.domain import timing
from app.extensions import db
from app.models.base import UTCDateTime
from app.practice import events
from app.practice.answers import _Clock
from app.practice.errors import AnswerInput, SaveResult

IN_PROGRESS = "in_progress"
KEY_MAX = 64  # as `signins.user_for_key`: a longer key is no sign-in


@dataclass(frozen=True)
class SignedInRound:
    """The sign-in, its user and their round, as the one query read them."""

    user_id: int
    timezone: str
    sign_in_id: int
    verdict: str  # signins.LIVE or signins.STALE (anything else is never returned)
    clock: _Clock


@functools.cache
def _read_statement(dialect: str, lock: bool):
    """SELECT the sign-in (live by its key), its user and their round (share-locked for a
    save on PostgreSQL, as `lifecycle.lock(shared=True)`: a submit waits for the save)."""
    locking = " FOR SHARE OF ps" if lock and dialect == "postgresql" else ""
    sql = (
        "SELECT u.id, u.role, u.active, u.timezone, si.id, si.created_at, si.last_seen_at,"
        " ps.status, ps.started_at, ps.deadline_at, ps.grace_seconds, ps.expiry_policy,"
        " ps.hint_penalty_seconds"
        " FROM user_sessions si"
        " JOIN users u ON u.id = si.user_id"
        " JOIN practice_sessions ps ON ps.user_id = si.user_id"
        " WHERE si.key = :key AND si.ended_at IS NULL AND ps.id = :session_id" + locking
    )
    return text(sql).columns(
        column("user_id", Integer),
        column("role", String),
        column("active", Boolean),
        column("timezone", String),
        column("sign_in_id", Integer),
        column("created_at", UTCDateTime()),
        column("last_seen_at", UTCDateTime()),
        column("status", String),
        column("started_at", UTCDateTime()),
        column("deadline_at", UTCDateTime()),
        column("grace_seconds", Integer),
        column("expiry_policy", String),
        column("hint_penalty_seconds", Integer),
    )


def signed_in_round(
    key: str | None, session_id: int, *, now: datetime, limits, lock: bool = False
) -> SignedInRound | None:
    """The live sign-in of `key`, its user and their open round `session_id` (not past its
    cutoff), from one query; None for anything else (the caller's full path explains it)."""
    if not key or len(key) > KEY_MAX:
        return None
    connection = db.session.connection()
    with _one_statement(connection, alone=not lock):
        row = connection.execute(
            _read_statement(connection.dialect.name, lock), {"key": key, "session_id": session_id}
        ).first()
    if row is None:
        return None
    (user_id, role, active, zone, sign_in_id, created_at, last_seen_at, *clock_columns) = row
    verdict = signins.check(role, active, created_at, last_seen_at, now=now, limits=limits)
    status, started_at, deadline_at, grace, policy, penalty = clock_columns
    clock = _Clock(started_at, deadline_at, grace, policy, status, penalty or 0, session_id)
    if verdict not in (signins.LIVE, signins.STALE) or timing.is_overdue(clock, now):
        return None  # the full path ends the sign-in / finalises the round
    return SignedInRound(user_id, zone or "UTC", sign_in_id, verdict, clock)


@contextmanager
def _one_statement(connection, *, alone: bool):
    """PostgreSQL, a read that is its request's only statement (the status GET) on a
    connection with no transaction open: run it in autocommit, so psycopg sends no BEGIN
    before it and the session's close no ROLLBACK after it (two round trips of three,
    each costing this process and the server CPU). One statement sees one snapshot either
    way (READ COMMITTED takes a snapshot per statement even inside a transaction), and it
    takes no lock. A later write (the sign-in's touch) opens a transaction as usual."""
    dbapi = connection.connection.dbapi_connection if alone else None
    if (
        dbapi is None
        or connection.dialect.name != "postgresql"
        or dbapi.info.transaction_status != TransactionStatus.IDLE
    ):
        yield  # a lock to hold, SQLite, or a transaction already open (tests): as it is
        return
    dbapi.autocommit = True
    try:
        yield
    finally:
        if dbapi.closed or dbapi.info.transaction_status != TransactionStatus.IDLE:
            connection.invalidate()  # never give the pool back a connection in autocommit
        else:
            dbapi.autocommit = False


_UPDATE = (
    "UPDATE session_questions SET answer_text = :text, answer_number = :number,"
    " answer_unit = :unit, answer_links = :links, revision = revision + 1,"
    " saved_at = :now, client_id = :client_id, client_seq = :seq"
    " WHERE session_id = :session_id AND position = :position"
    " AND session_id IN (SELECT id FROM practice_sessions"
    " WHERE id = :session_id AND status = 'in_progress')"
    " AND (revision = :base_revision OR (client_id = :client_id AND client_seq < :seq))"
    " AND NOT (answer_text = :text"
    " AND CASE WHEN answer_number = :number THEN 1"
    " WHEN answer_number IS NULL AND :number_is_null = 1 THEN 1 ELSE 0 END = 1"
    " AND coalesce(answer_unit, '') = :unit_or_empty"
    " AND coalesce(CAST(answer_links AS VARCHAR), '[]') = :links_json)"
    " RETURNING revision"
)
_WRITE_TYPES = (
    bindparam("number", type_=Float),
    bindparam("unit", type_=String),
    bindparam("client_id", type_=String),
    bindparam("links", type_=JSON),
    bindparam("now", type_=UTCDateTime()),
)
_WRITE = text(_UPDATE).bindparams(*_WRITE_TYPES)
# PostgreSQL: the UPDATE and the event's INSERT in one statement (one round trip); the
# event is written only when the UPDATE wrote, and carries the new revision.
_WRITE_AND_LOG = text(
    f"WITH saved AS ({_UPDATE})"
    " INSERT INTO session_events (session_id, at, kind, position, data)"
    " SELECT CAST(:session_id AS INTEGER), CAST(:now AS TIMESTAMP WITH TIME ZONE),"
    " CAST(:kind AS VARCHAR), CAST(:position AS INTEGER),"
    " json_build_object('length', CAST(:length AS INTEGER), 'revision', revision)"
    " FROM saved RETURNING CAST(data ->> 'revision' AS INTEGER)"
).bindparams(*_WRITE_TYPES)

_EVENT = text(
    "INSERT INTO session_events (session_id, at, kind, position, data)"
    " VALUES (:session_id, :now, :kind, :position, :data)"
).bindparams(bindparam("now", type_=UTCDateTime()), bindparam("data", type_=JSON))


def save(
    key: str | None,
    session_id: int,
    position: int,
    answer: AnswerInput,
    *,
    base_revision: int,
    client_id: str | None,
    seq: int,
    max_chars: int,
    max_links: int,
    now: datetime,
    limits,
) -> tuple[SaveResult, SignedInRound] | None:
    """The everyday autosave: the one read, one UPDATE (this question, its revision or
    this tab's newer save, a different answer, the round still open), the event's INSERT
    and a commit (on PostgreSQL the UPDATE and the INSERT are one statement). None, nothing
    written and the transaction ended, in any other case."""
    answer = answer.normalised()
    if len(answer.text) > max_chars or len(answer.links) > max_links:
        return None
    found = signed_in_round(key, session_id, now=now, limits=limits, lock=True)
    if found is None or not timing.accepts_writes(found.clock, now):
        db.session.rollback()
        return None
    connection = db.session.connection()
    links = list(answer.links)
    in_one = connection.dialect.name == "postgresql"
    revision = connection.execute(
        _WRITE_AND_LOG if in_one else _WRITE,
        {
            "session_id": session_id,
            "position": position,
            "base_revision": base_revision,
            "client_id": client_id,
            "seq": seq,
            "text": answer.text,
            "number": answer.number,
            "number_is_null": 1 if answer.number is None else 0,
            "unit": answer.unit,
            "unit_or_empty": answer.unit or "",
            "links": links,
            "links_json": json.dumps(links),
            "now": now,
            "kind": events.SAVED,
            "length": answer.length(),
        },
    ).scalar()
    if revision is None:
        db.session.rollback()
        return None
    if not in_one:
        connection.execute(
            _EVENT,
            {
                "session_id": session_id,
                "now": now,
                "kind": events.SAVED,
                "position": position,
                "data": {"length": answer.length(), "revision": revision},
            },
        )
    if found.verdict == signins.STALE:  # at most once a minute: keep the sign-in alive
        connection.execute(signins.touch_statement(found.sign_in_id, now))
    db.session.commit()
    clock = found.clock
    result = SaveResult(
        revision=revision,
        saved_at=now,
        seconds_remaining=timing.seconds_remaining(clock, now),
        grace_remaining=timing.grace_remaining(clock, now),
        phase=timing.phase(clock, now),
        changed=True,
    )
    return result, found


def status(key: str | None, session_id: int, *, now: datetime, limits) -> SignedInRound | None:
    """The signed-in user's open round for the status GET, from the one read (and the
    sign-in's touch, at most once a minute); None for anything the full path handles."""
    found = signed_in_round(key, session_id, now=now, limits=limits)
    if found is None or found.clock.is_finished:
        return None  # a finished round's status names how it ended: the full path
    if found.verdict == signins.STALE:
        db.session.connection().execute(signins.touch_statement(found.sign_in_id, now))
        db.session.commit()
    return found
