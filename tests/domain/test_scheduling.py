"""SM-2 scheduling over criteria and skill areas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.scheduling import (
    INITIAL_EASE,
    MAX_INTERVAL_DAYS,
    MIN_EASE,
    ScheduleState,
    grade_from_score,
    is_due,
    next_ease,
    practise_order,
    review,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (0, 0),
        (9.9, 0),
        (10, 1),
        (29.9, 1),
        (30, 2),
        (49.9, 2),
        (50, 3),
        (69.9, 3),
        (70, 4),
        (90, 5),
        (100, 5),
        (-5, 0),
        (140, 5),
    ],
)
def test_grade_from_score_bands(score, grade):
    assert grade_from_score(score) == grade


def test_grade_refuses_nan():
    with pytest.raises(ValueError):
        grade_from_score(float("nan"))


def test_ease_update_matches_sm2_formula():
    assert next_ease(2.5, 5) == pytest.approx(2.6)
    assert next_ease(2.5, 4) == pytest.approx(2.5)
    assert next_ease(2.5, 3) == pytest.approx(2.36)
    assert next_ease(1.3, 0) == MIN_EASE  # floored


def test_strong_item_intervals_grow_1_6_then_times_ease():
    state = ScheduleState()
    state = review(state, 100.0, NOW)
    assert (state.repetitions, state.interval_days) == (1, 1)
    assert state.due_at == NOW + timedelta(days=1)
    state = review(state, 100.0, NOW)
    assert state.interval_days == 6
    ease_before = state.ease
    state = review(state, 100.0, NOW)
    assert state.interval_days == round(6 * ease_before)


def test_a_criterion_mastered_again_and_again_comes_back_within_half_a_year():
    """Found by the item-statistics tests: 90 strong self-scores in a row made the interval
    (x EF per pass) overflow Python's dates, and finishing a scoring raised a 500."""
    state = ScheduleState()
    intervals = []
    for _ in range(200):
        state = review(state, 100.0, NOW)
        intervals.append(state.interval_days)
    assert intervals[:3] == [1, 6, 16]
    assert max(intervals) == intervals[-1] == MAX_INTERVAL_DAYS == 180
    assert state.due_at == NOW + timedelta(days=180)


def test_weak_item_resets_and_comes_back_tomorrow():
    state = ScheduleState(repetitions=3, ease=2.5, interval_days=15)
    state = review(state, 20.0, NOW)
    assert (state.repetitions, state.interval_days) == (0, 1)
    assert state.ease < 2.5
    assert state.last_grade == 1


def test_weak_items_are_due_sooner_than_strong_ones():
    weak = review(review(ScheduleState(), 100, NOW), 30, NOW)
    strong = review(review(ScheduleState(), 100, NOW), 100, NOW)
    assert weak.due_at < strong.due_at


def test_recent_score_is_recency_weighted():
    state = review(ScheduleState(), 40.0, NOW)
    assert state.recent_score == 40.0
    state = review(state, 80.0, NOW)
    assert state.recent_score == 60.0
    assert state.reviews == 2


def test_review_needs_aware_now():
    with pytest.raises(ValueError):
        review(ScheduleState(), 50.0, datetime(2026, 1, 1))


def test_initial_state():
    assert ScheduleState().ease == INITIAL_EASE and is_due(None, NOW)


def test_practise_order_due_first_then_most_overdue_then_weakest():
    items = [
        (NOW + timedelta(days=2), 10.0),  # 0: not due yet
        (NOW - timedelta(days=1), 80.0),  # 1: overdue by a day
        (NOW - timedelta(days=3), 90.0),  # 2: most overdue
        (NOW - timedelta(days=1), 20.0),  # 3: as overdue as 1, weaker
        (NOW + timedelta(days=1), 50.0),  # 4: due sooner than 0
    ]
    assert practise_order(items, NOW) == [2, 3, 1, 4, 0]
    assert practise_order([], NOW) == []
