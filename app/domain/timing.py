"""The round clock: pure rules about deadlines, grace and expiry.

The server is the clock. A session has `started_at` and `deadline_at` (aware UTC), a
`grace_seconds` allowance and an `expiry_policy`. Every function takes `now` (aware UTC)
and anything with those attributes, so the rules are tested without Flask or a database.

Phases of a round, by `now`:
    running   now < deadline                      the countdown is on
    grace     deadline <= now <= deadline + grace  time is up; late saves still land
    over      now > deadline + grace               writes refused; finalise it

Policies: `auto_submit` stops editing at the deadline (grace only absorbs network
latency for the last autosave); `grace_then_close` lets the candidate keep working
through the grace period, then closes the round. Either way a round that runs out is
recorded as finished *at the deadline*, never at the moment someone noticed.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
AUTO_SUBMITTED = "auto_submitted"
CLOSED = "closed"

AUTO_SUBMIT = "auto_submit"
GRACE_THEN_CLOSE = "grace_then_close"

TAKE_HOME_STAGE = "take_home"
# A round this long is a take-home whatever its stage: it spans days, not a sitting.
TAKE_HOME_MIN_MINUTES = 8 * 60

RUNNING = "running"
GRACE = "grace"
OVER = "over"

# Extra time (accommodations): the only multipliers an admin or coach may set.
TIME_MULTIPLIERS = (1.0, 1.25, 1.5, 2.0)
# An untimed drill still closes: after the take-home window, so the sweep finalises it.
UNTIMED_MINUTES = 48 * 60


class Clocked(Protocol):
    started_at: datetime
    deadline_at: datetime
    grace_seconds: int
    expiry_policy: str
    status: str


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("naive datetime; pass app.clock.utcnow()")
    return now


def deadline_for(started_at: datetime, duration_minutes: float) -> datetime:
    """The deadline of a round started at `started_at` (wall time, arithmetic in UTC)."""
    return _aware(started_at).astimezone(UTC) + timedelta(minutes=duration_minutes)


def allowed_multiplier(value) -> float | None:
    """`value` as one of TIME_MULTIPLIERS, or None when it is not one of them."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return next((m for m in TIME_MULTIPLIERS if math.isclose(m, number)), None)


def extended_minutes(duration_minutes: int, multiplier: float) -> float:
    """A round's length with extra time, in minutes: exactly length x multiplier (45 min at
    1.25x is 56.25 min); a value that is not an allowed multiplier leaves it unchanged."""
    factor = allowed_multiplier(multiplier) or 1.0
    return duration_minutes * factor


def extra_time_label(session) -> str:
    """ "45 min + 25 % extra time" for a round with extra time pinned, "" without."""
    multiplier = getattr(session, "time_multiplier", 1.0) or 1.0
    if getattr(session, "untimed", False) or multiplier <= 1.0:
        return ""
    base = round(duration_seconds(session) / multiplier)
    percent = round((multiplier - 1.0) * 100)
    return f"{format_duration(base)} + {percent} % extra time"


def multiplier_label(multiplier: float) -> str:
    """ "1.25×" for people (the settings and users pages)."""
    return f"{multiplier:g}×"


def is_take_home(stage_key: str, duration_minutes: int) -> bool:
    """Take-homes are the `take_home` stage, or any round that lasts most of a day."""
    return stage_key == TAKE_HOME_STAGE or duration_minutes >= TAKE_HOME_MIN_MINUTES


def write_cutoff(session: Clocked) -> datetime:
    """The last instant a save is accepted: deadline plus grace."""
    return session.deadline_at + timedelta(seconds=max(0, session.grace_seconds or 0))


def duration_seconds(session: Clocked) -> int:
    """The round's full length in seconds, as it started: hints that cost time moved the
    deadline earlier, and that time counts as used, not as a shorter round."""
    penalty = getattr(session, "hint_penalty_seconds", 0) or 0
    return max(0, round((session.deadline_at - session.started_at).total_seconds()) + penalty)


def seconds_used(session: Clocked, now: datetime) -> int:
    """Seconds of the round used so far, hint costs included (capped at its length)."""
    return duration_seconds(session) - seconds_remaining(session, now)


# --- hint costs (issue 18) ---------------------------------------------------------------
# A format may make each hint cost time: the deadline moves earlier by the cost, pinned on
# the session at start as `hint_cost_seconds` (the format's minutes x the extra-time
# multiplier, so the cost is the same share of the round for everyone; 0 when untimed).
# The server moves the deadline; it never moves it to before `now + HINT_FLOOR_SECONDS`:
# with less than cost + a minute left a hint takes only what is above that minute, and
# with a minute or less left it is free (there is no time left to take).
HINT_FLOOR_SECONDS = 60


def hint_charge(session, now: datetime) -> int:
    """Seconds the next hint would take off the deadline at `now` (clamped, see above)."""
    cost = getattr(session, "hint_cost_seconds", 0) or 0
    if cost <= 0 or getattr(session, "untimed", False):
        return 0
    left = seconds_remaining(session, now)
    return max(0, min(cost, left - HINT_FLOOR_SECONDS))


def charge_hint(session, now: datetime) -> int:
    """Move the deadline earlier by the next hint's charge; return the seconds taken."""
    charge = hint_charge(session, now)
    if charge:
        session.deadline_at = session.deadline_at - timedelta(seconds=charge)
        session.hint_penalty_seconds = (session.hint_penalty_seconds or 0) + charge
    return charge


def format_cost(seconds: int) -> str:
    """A hint's cost, to the second: "2 min", "2 min 30 s", "45 s"."""
    minutes, secs = divmod(max(0, int(seconds)), 60)
    if minutes and secs:
        return f"{minutes} min {secs} s"
    return f"{minutes} min" if minutes else f"{secs} s"


def hint_cost_label(session, now: datetime) -> str:
    """What the hint button says before it is pressed: "costs 2 min", "costs 30 s (only
    the time above your last minute)", "free now (your last minute)", or "" (free)."""
    cost = getattr(session, "hint_cost_seconds", 0) or 0
    if cost <= 0 or getattr(session, "untimed", False):
        return ""
    charge = hint_charge(session, now)
    if charge >= cost:
        return f"costs {format_cost(cost)}"
    if charge > 0:
        return f"costs {format_cost(charge)} (only the time above your last minute)"
    return "free now (your last minute)"


def seconds_remaining(session: Clocked, now: datetime) -> int:
    """Whole seconds until the deadline (rounded up, never negative, never above the length)."""
    left = (session.deadline_at - _aware(now)).total_seconds()
    return max(0, min(duration_seconds(session), math.ceil(left)))


def grace_remaining(session: Clocked, now: datetime) -> int:
    """Whole seconds of grace left once the deadline has passed (0 before or after grace)."""
    if _aware(now) < session.deadline_at:
        return 0
    return max(0, math.ceil((write_cutoff(session) - now).total_seconds()))


def phase(session: Clocked, now: datetime) -> str:
    """`running`, `grace` or `over` (see the module docstring)."""
    now = _aware(now)
    if now < session.deadline_at:
        return RUNNING
    if now <= write_cutoff(session):
        return GRACE
    return OVER


def is_expired(session: Clocked, now: datetime) -> bool:
    """Time is up (the deadline has passed), whether or not the grace period has."""
    return _aware(now) >= session.deadline_at


def accepts_writes(session: Clocked, now: datetime) -> bool:
    """A save is accepted while the session is open and now <= deadline + grace."""
    return session.status == IN_PROGRESS and _aware(now) <= write_cutoff(session)


def editable_in_browser(session: Clocked, now: datetime) -> bool:
    """Whether the page lets the candidate keep typing: until the deadline, or through
    the grace period when the policy is grace-then-close."""
    if session.status != IN_PROGRESS:
        return False
    if session.expiry_policy == GRACE_THEN_CLOSE:
        return accepts_writes(session, now)
    return not is_expired(session, now)


def is_overdue(session: Clocked, now: datetime) -> bool:
    """An open session past deadline + grace: the next request or the sweep finalises it."""
    return session.status == IN_PROGRESS and _aware(now) > write_cutoff(session)


def may_finalise_on_request(session: Clocked, now: datetime) -> bool:
    """Whether the candidate's page may ask to finalise now: at the deadline for
    auto-submit rounds, after the grace period for grace-then-close rounds."""
    if session.status != IN_PROGRESS:
        return False
    if session.expiry_policy == GRACE_THEN_CLOSE:
        return _aware(now) > write_cutoff(session)
    return is_expired(session, now)


def expiry_status(session: Clocked) -> str:
    """The status a round that ran out of time gets, by its policy."""
    return CLOSED if session.expiry_policy == GRACE_THEN_CLOSE else AUTO_SUBMITTED


def submission(session: Clocked, now: datetime) -> tuple[str, datetime]:
    """(status, finished_at) for the candidate submitting at `now`.

    Before the deadline it is a plain submit at `now`. At or after the deadline time had
    already run out, so it is recorded like an expiry: the policy's status, at the deadline.
    """
    if _aware(now) < session.deadline_at:
        return SUBMITTED, now
    return expiry_status(session), session.deadline_at


def expiry(session: Clocked) -> tuple[str, datetime]:
    """(status, finished_at) for a round finalised because its time ran out."""
    return expiry_status(session), session.deadline_at


def warning_due(session: Clocked, now: datetime, thresholds=(300, 60)) -> int | None:
    """The smallest warning threshold (seconds) already reached while running, if any."""
    if phase(session, now) != RUNNING:
        return None
    left = seconds_remaining(session, now)
    reached = [t for t in thresholds if left <= t]
    return min(reached) if reached else None


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone `name`, or UTC when it is empty or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(instant: datetime, zone_name: str | None) -> datetime:
    """An aware UTC instant as wall-clock time in `zone_name`."""
    return _aware(instant).astimezone(zone(zone_name))


def format_local(instant: datetime, zone_name: str | None) -> str:
    """A deadline as the candidate reads it, e.g. "Mon 30 Nov, 21:15 CET"."""
    local = local_time(instant, zone_name)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} {local.tzname()}"


def format_duration(seconds: int) -> str:
    """A length of time for people: "48 h", "1 h 30 min", "45 min", "30 s"."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    if hours:
        return f"{hours} h"
    return f"{minutes} min"


def format_clock(seconds: int) -> str:
    """A countdown reading: "59:59", "1:05:00", "47:59:59"."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"
