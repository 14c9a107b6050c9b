"""The two requests a running round sends all the time, without the per-request machinery:
the autosave POST and the status GET (issue 14), called by `app.practice.hotpath` ahead
of Flask.

Each reads the browser's sign-in (by the key its session cookie carries), the user and
the round in ONE query, and decides with the same rules as everywhere else
(`app.accounts.signins.check` for the sign-in, `app.domain.timing` for the clock). A
save adds one revision-checked UPDATE and the event's INSERT, and one commit; on
PostgreSQL the read, the UPDATE and the INSERT are a single statement, judged before the
commit. No ORM objects are loaded and Flask-Login's user loader does not run; the
statements go straight to the driver (`DirectStatement`), on a connection of the pool
with no SQLAlchemy Connection or session around it (`DirectConnection`).

Whenever anything is unusual (no such sign-in or it must end now, not the user's round,
finished or overdue, stale revision, unchanged answer, over the caps, an older save of
this tab) these functions return None with nothing written, and the request goes on to
Flask's view, the full path, which gives exactly the answer it always gave (401, 404,
409, 422...).
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from psycopg.pq import TransactionStatus
from sqlalchemy import JSON, Boolean, Float, Integer, String, bindparam, column, text

from app.accounts import signins
from app.domain import timing
from app.extensions import db
from app.models.base import DirectStatement, UTCDateTime, direct_connection
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


# The sign-in (live by its key), its user and their round.
_READ = (
    "SELECT u.id AS user_id, u.role, u.active, u.timezone, si.id AS sign_in_id,"
    " si.created_at, si.last_seen_at, ps.status, ps.started_at, ps.deadline_at,"
    " ps.grace_seconds, ps.expiry_policy, ps.hint_penalty_seconds"
    " FROM user_sessions si"
    " JOIN users u ON u.id = si.user_id"
    " JOIN practice_sessions ps ON ps.user_id = si.user_id"
    " WHERE si.key = :key AND si.ended_at IS NULL AND ps.id = :session_id"
)
_READ_COLUMNS = (
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


_READ_ALONE = DirectStatement(text(_READ).columns(*_READ_COLUMNS))


def signed_in_round(
    connection, key: str | None, session_id: int, *, now: datetime, limits
) -> SignedInRound | None:
    """The live sign-in of `key`, its user and their open round `session_id` (not past its
    cutoff), from one query on `connection` (a DirectConnection); None for anything else
    (the caller's full path explains it)."""
    if not _plausible(key):
        return None
    with _one_statement(connection):
        row = _READ_ALONE.first(connection, {"key": key, "session_id": session_id})
    return None if row is None else _judged(row, session_id, now=now, limits=limits)


def _plausible(key: str | None) -> bool:
    return bool(key) and len(key) <= KEY_MAX


def _judged(row, session_id: int, *, now: datetime, limits) -> SignedInRound | None:
    """The read's row, judged by the rules everywhere else use (the sign-in's verdict, the
    round's cutoff): the SignedInRound, or None for the full path to deal with."""
    (user_id, role, active, zone, sign_in_id, created_at, last_seen_at, *clock_columns) = row
    verdict = signins.check(role, active, created_at, last_seen_at, now=now, limits=limits)
    status, started_at, deadline_at, grace, policy, penalty = clock_columns
    clock = _Clock(started_at, deadline_at, grace, policy, status, penalty or 0, session_id)
    if verdict not in (signins.LIVE, signins.STALE) or timing.is_overdue(clock, now):
        return None  # the full path ends the sign-in / finalises the round
    return SignedInRound(user_id, zone or "UTC", sign_in_id, verdict, clock)


@contextmanager
def _one_statement(connection):
    """PostgreSQL, a read that is its request's only statement (the status GET) on a
    connection with no transaction open: run it in autocommit, so psycopg sends no BEGIN
    before it and nothing has to end a transaction after it (two round trips of three,
    each costing this process and the server CPU). One statement sees one snapshot either
    way (READ COMMITTED takes a snapshot per statement even inside a transaction), and it
    takes no lock. A later write (the sign-in's touch) opens a transaction as usual."""
    dbapi = connection.dbapi_connection
    if (
        connection.dialect.name != "postgresql"
        or dbapi.info.transaction_status != TransactionStatus.IDLE
    ):
        yield  # SQLite, or a transaction already open (tests): as it is
        return
    dbapi.autocommit = True
    try:
        yield
    finally:
        if dbapi.closed or dbapi.info.transaction_status != TransactionStatus.IDLE:
            connection.invalidate()  # never give the pool back a connection in autocommit
        else:
            dbapi.autocommit = False


def _update(round_open: str) -> str:
    """The answer's UPDATE: this question, while `round_open` holds, at its revision (or
    this tab's newer save), to a different answer; it returns the new revision."""
    return (
        "UPDATE session_questions SET answer_text = :text, answer_number = :number,"
        " answer_unit = :unit, answer_links = :links, revision = revision + 1,"
        " saved_at = :now, client_id = :client_id, client_seq = :seq"
        f" WHERE session_id = :session_id AND position = :position AND {round_open}"
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
# SQLite: the UPDATE, then the event's INSERT, after the read.
_WRITE = DirectStatement(
    text(
        _update(
            "session_id IN (SELECT id FROM practice_sessions"
            " WHERE id = :session_id AND status = 'in_progress')"
        )
    ).bindparams(*_WRITE_TYPES)
)
_TOUCH = DirectStatement(signins.TOUCH)  # the sign-in seen now
_EVENT = DirectStatement(
    text(
        "INSERT INTO session_events (session_id, at, kind, position, data)"
        " VALUES (:session_id, :now, :kind, :position, :data)"
    ).bindparams(bindparam("now", type_=UTCDateTime()), bindparam("data", type_=JSON))
)
# PostgreSQL: the read (share-locking the round: a submit under way is waited for, and
# its outcome then read), the UPDATE while that round is open and the event's INSERT
# (only when the UPDATE wrote; it carries the new revision) in ONE statement: one round
# trip where there were two. The write comes before the Python judgment of the read, in
# the same transaction: `save` commits it only when the sign-in and the clock pass.
_READ_AND_WRITE = DirectStatement(
    text(
        f"WITH found AS ({_READ} FOR SHARE OF ps),"
        " saved AS ("
        + _update("EXISTS (SELECT 1 FROM found WHERE found.status = 'in_progress')")
        + "), logged AS ("
        " INSERT INTO session_events (session_id, at, kind, position, data)"
        " SELECT CAST(:session_id AS INTEGER), CAST(:now AS TIMESTAMP WITH TIME ZONE),"
        " CAST(:kind AS VARCHAR), CAST(:position AS INTEGER),"
        " json_build_object('length', CAST(:length AS INTEGER), 'revision', revision)"
        " FROM saved)"
        " SELECT found.*, (SELECT revision FROM saved) AS revision FROM found"
    )
    .bindparams(*_WRITE_TYPES)
    .columns(*_READ_COLUMNS, column("revision", Integer))
)


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
    and a commit (on PostgreSQL all three are one statement). None, nothing written and
    the transaction ended, in any other case."""
    answer = answer.normalised()
    if len(answer.text) > max_chars or len(answer.links) > max_links or not _plausible(key):
        return None
    links = list(answer.links)
    values = {
        "key": key,
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
    }
    with direct_connection(db.session, db.engine) as connection:
        found, revision = _read_and_write(connection, values, now=now, limits=limits)
        if found is None or revision is None or not timing.accepts_writes(found.clock, now):
            connection.rollback()  # whatever was written goes: the full path answers
            return None
        if found.verdict == signins.STALE:  # at most once a minute: keep the sign-in alive
            _TOUCH.run(connection, {"sign_in_id": found.sign_in_id, "now": now})
        connection.commit()
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


def _read_and_write(connection, values: dict, *, now: datetime, limits):
    """The save's statements: (the SignedInRound or None, the new revision or None)."""
    session_id = values["session_id"]
    if connection.dialect.name == "postgresql":
        row = _READ_AND_WRITE.first(connection, values)
        if row is None:
            return None, None
        return _judged(row[:-1], session_id, now=now, limits=limits), row[-1]
    found = signed_in_round(connection, values["key"], session_id, now=now, limits=limits)
    revision = None
    if found is not None and timing.accepts_writes(found.clock, now):
        written = _WRITE.first(connection, values)
        revision = None if written is None else written[0]
    if revision is not None:
        data = {"length": values["length"], "revision": revision}
        _EVENT.run(connection, {**values, "data": data})
    return found, revision


def status(key: str | None, session_id: int, *, now: datetime, limits) -> SignedInRound | None:
    """The signed-in user's open round for the status GET, from the one read (and the
    sign-in's touch, at most once a minute); None for anything the full path handles."""
    with direct_connection(db.session, db.engine) as connection:
        found = signed_in_round(connection, key, session_id, now=now, limits=limits)
        if found is None or found.clock.is_finished:
            return None  # a finished round's status names how it ended: the full path
        if found.verdict == signins.STALE:
            _TOUCH.run(connection, {"sign_in_id": found.sign_in_id, "now": now})
            connection.commit()
    return found
