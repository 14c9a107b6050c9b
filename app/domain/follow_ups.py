"""Follow-up questions, revealed in the round as an interviewer asks them (issue 13).

Pure rules, no Flask and no database: how many follow-ups a format shows, and when the
next one may be revealed. The candidate reveals one by pressing "Done — next follow-up"
(always allowed while follow-ups are left), or the round reveals it once a share of the
question's suggested time has passed on that question. Every follow-up is answered inside
the same round timer; nothing here adds time.
"""

from __future__ import annotations

from datetime import datetime

DONE = "done"  # the candidate marked the main answer (or the last follow-up) done
TIME = "time"  # a share of the question's suggested time passed
REASONS = (DONE, TIME)

# Design and deep-dive rounds probe further (1–2 follow-ups); every other format asks one,
# as a panel would in a short screen or the 10-minute ethics sprint.
DEEP_STAGES = frozenset({"system_design", "onsite_deep_dive"})
DEEP_COUNT = 2
DEFAULT_COUNT = 1


def default_count(stage_key: str | None) -> int:
    """How many follow-ups a new format of `stage_key` shows."""
    return DEEP_COUNT if stage_key in DEEP_STAGES else DEFAULT_COUNT


def limit(format_count: int, available: int) -> int:
    """How many follow-ups a question shows: the format's count, at most the bank's."""
    return max(0, min(format_count, available))


def due_after_seconds(number: int, shown: int, suggested_minutes: int, share: float) -> int:
    """Seconds on the question after which follow-up `number` (1-based) reveals itself.

    The first at `share` of the suggested time; the others spread evenly over the rest:
    with share 0.6 and two follow-ups, at 60 % and 80 % of the suggested minutes.
    """
    suggested = max(1, suggested_minutes) * 60
    step = (1.0 - share) / max(1, shown)
    return int(round(suggested * (share + step * (number - 1))))


def seconds_on_question(
    time_spent_seconds: int,
    on_screen_since: datetime | None,
    deadline_at: datetime,
    now: datetime,
) -> int:
    """Time on a question: what it was credited before, plus its current stay on screen
    (`on_screen_since` None when another question is on screen), never past the deadline."""
    extra = 0
    if on_screen_since is not None:
        end = min(now, deadline_at)
        extra = max(0, int((end - on_screen_since).total_seconds()))
    return max(0, time_spent_seconds) + extra


def may_reveal(
    reason: str,
    revealed: int,
    shown: int,
    seconds_on: int,
    suggested_minutes: int,
    share: float,
) -> bool:
    """Whether the next follow-up (number `revealed + 1`) may be revealed for `reason`."""
    if reason not in REASONS or revealed >= shown:
        return False
    if reason == DONE:
        return True
    return seconds_on >= due_after_seconds(revealed + 1, shown, suggested_minutes, share)


def seconds_until_due(
    revealed: int, shown: int, seconds_on: int, suggested_minutes: int, share: float
) -> int | None:
    """Seconds until the next follow-up reveals itself (0: due now), None when none left."""
    if revealed >= shown:
        return None
    due = due_after_seconds(revealed + 1, shown, suggested_minutes, share)
    return max(0, due - seconds_on)
