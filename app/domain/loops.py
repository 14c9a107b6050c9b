"""Mock loops: when does each round of a loop plan open? Pure, DST-safe.

A step opens `gap_minutes` after the previous round was finished (the first step: after
the loop started) and, when it has `opens_at` ("09:00"), not before that wall-clock time
in the candidate's zone. The gap is elapsed time (UTC arithmetic); the time of day is
local, found on the local calendar, so "09:00" stays 09:00 across a DST change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from app.domain.timing import format_local, zone

HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

# A loop's pace (issue 18): "scheduled" keeps each step's gap and opening time;
# "back_to_back" opens the next round as soon as the previous one is finished.
SCHEDULED = "scheduled"
BACK_TO_BACK = "back_to_back"
PACES = (SCHEDULED, BACK_TO_BACK)

DONE = "done"
RUNNING = "running"
OPEN = "open"
WAITING = "waiting"  # the previous round is finished; this one opens later
LOCKED = "locked"  # an earlier round is not finished yet


def parse_hhmm(value: str) -> time:
    """ "09:00" -> time(9, 0); ValueError for anything else."""
    match = HHMM.match((value or "").strip())
    if not match:
        raise ValueError(f"not a time of day in HH:MM: {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def local_instant(day, at: time, zone_name: str | None) -> datetime:
    """The UTC instant of wall-clock `at` on calendar `day` in the zone.

    A time skipped by a spring-forward change (02:30 on that night) resolves to the
    instant just after the gap; an ambiguous one (autumn) to its first occurrence.
    """
    # PEP 495: fold=0 maps a skipped time to the instant after the gap (02:30 becomes
    # 03:30 summer time) and an ambiguous one to its first occurrence.
    return datetime.combine(day, at).replace(tzinfo=zone(zone_name), fold=0).astimezone(UTC)


def step_opens_at(
    previous_finished_at: datetime,
    gap_minutes: int,
    opens_at: str | None,
    zone_name: str | None,
) -> datetime:
    """The instant (UTC) a loop step opens, given when the previous round finished."""
    if previous_finished_at.tzinfo is None:
        raise ValueError("naive datetime; pass aware UTC")
    earliest = previous_finished_at.astimezone(UTC) + timedelta(minutes=max(0, gap_minutes or 0))
    if not opens_at:
        return earliest
    at = parse_hhmm(opens_at)
    day = earliest.astimezone(zone(zone_name)).date()
    candidate = local_instant(day, at, zone_name)
    while candidate < earliest:
        day = day + timedelta(days=1)
        candidate = local_instant(day, at, zone_name)
    return candidate


def describe_opening(opens: datetime, now: datetime, zone_name: str | None) -> str:
    """Human words for when a step opens: "open now", "opens today at 14:30 your time",
    "opens tomorrow at 09:00 your time", or "opens Mon 30 Nov, 09:00 CET"."""
    if opens <= now:
        return "open now"
    tz = zone(zone_name)
    local_open = opens.astimezone(tz)
    days = (local_open.date() - now.astimezone(tz).date()).days
    clock = f"{local_open:%H:%M}"
    if days == 0:
        return f"opens today at {clock} your time"
    if days == 1:
        return f"opens tomorrow at {clock} your time"
    return f"opens {format_local(opens, zone_name)}"


@dataclass(frozen=True)
class StepInput:
    """What the schedule needs to know about one step and its round, if started."""

    gap_minutes: int
    opens_at: str | None
    session_status: str | None = None  # None: not started yet
    session_finished_at: datetime | None = None


@dataclass(frozen=True)
class StepState:
    position: int
    state: str  # done, running, open, waiting, locked
    opens: datetime | None  # when it opens (None while an earlier round is unfinished)


def schedule(
    loop_started_at: datetime,
    steps: list[StepInput],
    now: datetime,
    zone_name: str | None,
    pace: str = SCHEDULED,
) -> list[StepState]:
    """Where a candidate is in the funnel: the state of every step at `now`.

    At the back-to-back pace gaps and opening times are ignored: a step opens the moment
    the one before it is finished."""
    if pace == BACK_TO_BACK:
        steps = [StepInput(0, None, s.session_status, s.session_finished_at) for s in steps]
    states: list[StepState] = []
    previous_done_at: datetime | None = loop_started_at
    for position, step in enumerate(steps):
        opens = (
            step_opens_at(previous_done_at, step.gap_minutes, step.opens_at, zone_name)
            if previous_done_at is not None
            else None
        )
        if step.session_status is not None and step.session_status != "in_progress":
            state = DONE
        elif step.session_status == "in_progress":
            state = RUNNING
        elif opens is None:
            state = LOCKED
        elif opens <= now:
            state = OPEN
        else:
            state = WAITING
        states.append(StepState(position, state, opens))
        previous_done_at = step.session_finished_at if state == DONE else None
    return states


def current_step(states: list[StepState]) -> StepState | None:
    """The first step that is not done (None when the whole loop is done)."""
    return next((s for s in states if s.state != DONE), None)
