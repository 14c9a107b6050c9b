"""When a sign-in ends by itself: an absolute lifetime for everyone, an idle limit for admins.

Pure: the caller passes the sign-in's times, the limits from config and `now`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

ABSOLUTE = "expired"
IDLE = "idle"


def expiry_reason(
    created_at: datetime,
    last_seen_at: datetime,
    *,
    now: datetime,
    absolute: timedelta,
    idle: timedelta | None,
) -> str | None:
    """ "expired" past `absolute` since sign-in, "idle" past `idle` since last seen, else None."""
    if now - created_at >= absolute:
        return ABSOLUTE
    if idle is not None and now - last_seen_at >= idle:
        return IDLE
    return None


def needs_touch(last_seen_at: datetime, *, now: datetime, every: timedelta) -> bool:
    """Whether to write `last_seen_at` again (at most once per `every`, to spare the database)."""
    return now - last_seen_at >= every
