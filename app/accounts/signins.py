"""Server-side sign-ins: start, check on every request, list and end them (app/models/signins).

The session cookie holds only the sign-in's random key. `user_for_key` is the one indexed
query per request (Flask-Login caches its answer for the request); it refuses an ended,
expired or (for admins) idle sign-in, and refreshes `last_seen_at` at most once a minute,
so autosave keeps a long round's sign-in alive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update

from app.domain import signins as rules
from app.extensions import db
from app.models.base import UTCDateTime
from app.models.signins import SignIn
from app.models.users import Role, User
from app.theme import VALUES as THEMES

SIGNED_OUT = "signed out"
PASSWORD_CHANGED = "password changed"
DEACTIVATED = "deactivated"
EVERYWHERE = "signed out everywhere"
BY_DEVICE = "signed out from settings"
PASSWORD_RESET = "password reset"
EMAIL_CHANGED = "email changed"
DELETED = "account deleted"


@dataclass(frozen=True)
class Lifetimes:
    """The limits from config: absolute for everyone, idle for admins, touch interval."""

    absolute: timedelta
    admin_idle: timedelta
    touch_every: timedelta


def start(
    user_id: int,
    *,
    ip: str | None,
    user_agent: str | None,
    now: datetime,
    browser_theme: str | None = None,
) -> str:
    """Record a new sign-in for `user_id` and return its key (for the session cookie).

    `browser_theme` is the colours this browser chose while signed out (its cookie, or
    None): an account that never chose adopts it, so that choice is not lost; an account
    that chose keeps its own (app.theme)."""
    user = db.session.get(User, user_id)
    if user is not None and user.theme is None and browser_theme in THEMES:
        user.theme = browser_theme
    row = SignIn(
        user_id=user_id,
        created_at=now,
        last_seen_at=now,
        client_ip=(ip or None) and ip[:64],
        user_agent=(user_agent or "")[:200] or None,
    )
    db.session.add(row)
    db.session.commit()
    return row.key


def user_for_key(key: str, *, now: datetime, limits: Lifetimes) -> User | None:
    """The user of a live sign-in, or None (unknown, ended, expired, idle, inactive)."""
    if not key or len(key) > 64:
        return None
    # The sign-in's three columns as plain values, not a SignIn object: this runs on every
    # request, and the request never needs the row again (its writes are UPDATEs by id).
    row = db.session.execute(_LIVE_SIGN_IN, {"key": key}).first()
    if row is None:
        return None
    user, sign_in_id, created_at, last_seen_at = row
    verdict = check(user.role, user.active, created_at, last_seen_at, now=now, limits=limits)
    if verdict not in (LIVE, STALE):
        _expire(sign_in_id, verdict, now)
        return None
    if verdict == STALE:
        _touch(sign_in_id, now)
    return user


LIVE = "live"
STALE = "live, touch"  # live, and `last_seen_at` is due to be written again


def check(
    role: str, active: bool, created_at: datetime, last_seen_at: datetime, *, now, limits
) -> str:
    """The one verdict on a sign-in that is not ended: LIVE, STALE (live, and its
    `last_seen_at` is due a touch), or the reason it ends now (expired, idle, deactivated).

    `user_for_key` (Flask-Login's loader) and the lean autosave and status views, which
    read the same columns in their own single query, both decide with this."""
    idle = limits.admin_idle if role == Role.ADMIN else None
    reason = rules.expiry_reason(
        created_at, last_seen_at, now=now, absolute=limits.absolute, idle=idle
    )
    if reason is not None or not active:
        return reason or DEACTIVATED
    if rules.needs_touch(last_seen_at, now=now, every=limits.touch_every):
        return STALE
    return LIVE


# The UPDATE that records a sign-in as seen now, built once with its values bound
# (`sign_in_id`, `now`): the loader's own write below, and the round hot path's
# DirectStatement (app.practice.quick), in their own transactions.
TOUCH = (
    update(SignIn)
    .where(SignIn.id == bindparam("sign_in_id"))
    .values(last_seen_at=bindparam("now", type_=UTCDateTime()))
    .execution_options(synchronize_session=False)
)


# Built once: the statement's cache key is then found without rebuilding it per request.
_LIVE_SIGN_IN = (
    select(User, SignIn.id, SignIn.created_at, SignIn.last_seen_at)
    .select_from(SignIn)
    .join(User, User.id == SignIn.user_id)
    .where(SignIn.key == bindparam("key"), SignIn.ended_at.is_(None))
)


def _write_now(statement, params: dict | None = None) -> None:
    """Write a bookkeeping change at once, in its own short transaction.

    The user is loaded at the start of a request, before the view has changed anything;
    should a view have pending changes by then, the write waits for the next request
    rather than commit them (the check it records is made on every request anyway).
    """
    if db.session.new or db.session.dirty or db.session.deleted:
        return
    db.session.execute(statement, params)
    db.session.commit()


def _touch(sign_in_id: int, now: datetime) -> None:
    _write_now(TOUCH, {"sign_in_id": sign_in_id, "now": now})


def _expire(sign_in_id: int, reason: str, now: datetime) -> None:
    """End a sign-in found dead while loading the user."""
    _write_now(_ending(SignIn.id == sign_in_id, reason, now))


def _ending(condition, reason: str, now: datetime):
    return (
        update(SignIn)
        .where(condition, SignIn.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason)
        .execution_options(synchronize_session=False)
    )


def end(key: str | None, reason: str, *, now: datetime) -> int:
    """End the sign-in with this key in the caller's transaction (the caller commits)."""
    if not key:
        return 0
    return db.session.execute(_ending(SignIn.key == key, reason, now)).rowcount


def end_all(user_id: int, reason: str, *, now: datetime, keep_key: str | None = None) -> int:
    """End every live sign-in of `user_id` but `keep_key` (this browser's), in the caller's
    transaction; how many ended."""
    condition = SignIn.user_id == user_id
    if keep_key:
        condition = condition & (SignIn.key != keep_key)
    return db.session.execute(_ending(condition, reason, now)).rowcount


def end_one(user_id: int, sign_in_id: int, *, now: datetime) -> bool:
    """Sign out one of the user's own devices from Settings; False when not theirs or ended."""
    condition = (SignIn.id == sign_in_id) & (SignIn.user_id == user_id)
    ended = db.session.execute(_ending(condition, BY_DEVICE, now)).rowcount
    db.session.commit()
    return ended == 1


def active(user_id: int, *, now: datetime, limits: Lifetimes) -> list[SignIn]:
    """The user's live sign-ins, most recently seen first (for "signed-in devices")."""
    rows = db.session.scalars(
        select(SignIn)
        .where(SignIn.user_id == user_id, SignIn.ended_at.is_(None))
        .where(SignIn.created_at > now - limits.absolute)
        .order_by(SignIn.last_seen_at.desc(), SignIn.id.desc())
    ).all()
    return list(rows)
