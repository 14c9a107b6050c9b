"""Spaced repetition over rubric criteria and skill areas: SM-2.

Pure Python; `now` is always an argument. Each item (a criterion key or a skill area
key, per user) carries SM-2 state: repetitions `n`, ease factor `EF` (starts at 2.5),
interval `I` in days, and a due instant.

Grade from a score (0-100 normalised, see app.domain.scoring):

    q = floor(score / 20 + 0.5)     -> 0..5
        0-9.9 -> 0, 10-29.9 -> 1, 30-49.9 -> 2, 50-69.9 -> 3, 70-89.9 -> 4, 90-100 -> 5

so a score below 50 (a report "gap") fails the review and a score of 50 or more passes.

SM-2 update after a review with grade q (Wozniak, 1987):

    if q >= 3:   I = 1 if n == 0;  I = 6 if n == 1;  I = round(I * EF) otherwise;  n += 1
    else:        n = 0;  I = 1                      (a weak item comes back tomorrow)
    EF' = EF + (0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)),  never below 1.3
    due = now + I days

(The interval for n >= 2 uses the ease *before* this review, as in the original.)
Weak items (q < 3) are therefore due the next day and keep resurfacing until they are
graded 3 or better; strong items move out to 6 days, then about 15, 38, ... days, but
never beyond `MAX_INTERVAL_DAYS` (180): an interview season is months long, so even a
mastered criterion comes back twice a year (and the interval, growing by EF each time,
would otherwise pass the largest date Python can hold after a few dozen passes).

`recent_score` is a recency-weighted mean the practise-next list and the skill-weakness
signal use: recent' = score on the first review, else (recent + score) / 2.

Ordering of "practise next" (`practise_order`): items due now first, the most overdue
first, ties broken by the lower recent score; then items not yet due by due date.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

INITIAL_EASE = 2.5
MIN_EASE = 1.3
PASS_GRADE = 3
MAX_GRADE = 5
MAX_INTERVAL_DAYS = 180


@dataclass(frozen=True)
class ScheduleState:
    repetitions: int = 0
    ease: float = INITIAL_EASE
    interval_days: int = 0
    due_at: datetime | None = None
    last_grade: int | None = None
    recent_score: float | None = None
    reviews: int = 0


def grade_from_score(score: float) -> int:
    """Map a 0-100 score to an SM-2 grade 0..5 (half-up rounding of score / 20)."""
    if math.isnan(score):
        raise ValueError("score is NaN")
    clamped = min(max(score, 0.0), 100.0)
    return int(math.floor(clamped / 20.0 + 0.5))


def next_ease(ease: float, grade: int) -> float:
    """SM-2 ease update, floored at 1.3."""
    miss = MAX_GRADE - grade
    return max(MIN_EASE, ease + (0.1 - miss * (0.08 + miss * 0.02)))


def review(state: ScheduleState, score: float, now: datetime) -> ScheduleState:
    """Apply one review with a 0-100 score at `now` (aware UTC); returns the new state."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    grade = grade_from_score(score)
    if grade >= PASS_GRADE:
        if state.repetitions == 0:
            interval = 1
        elif state.repetitions == 1:
            interval = 6
        else:
            interval = min(MAX_INTERVAL_DAYS, max(1, round(state.interval_days * state.ease)))
        repetitions = state.repetitions + 1
    else:
        repetitions = 0
        interval = 1
    recent = score if state.recent_score is None else (state.recent_score + score) / 2.0
    return replace(
        state,
        repetitions=repetitions,
        ease=next_ease(state.ease, grade),
        interval_days=interval,
        due_at=now + timedelta(days=interval),
        last_grade=grade,
        recent_score=recent,
        reviews=state.reviews + 1,
    )


def is_due(due_at: datetime | None, now: datetime) -> bool:
    """An item is due when it has no due date yet or the date has come."""
    return due_at is None or due_at <= now


def practise_order(
    items: Iterable[tuple[datetime | None, float | None]], now: datetime
) -> list[int]:
    """Indexes of `items` ((due_at, recent_score) pairs) in practise-next order."""
    items = list(items)

    def key(index: int):
        due_at, recent = items[index]
        due = is_due(due_at, now)
        when = due_at.timestamp() if due_at else float("-inf")
        return (0 if due else 1, when, recent if recent is not None else -1.0, index)

    return sorted(range(len(items)), key=key)
