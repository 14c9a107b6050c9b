"""Item statistics: the arithmetic and when a question gets flagged."""

import pytest

from app.domain.item_stats import MIN_ATTEMPTS, Attempt, by_version, item_stats


def attempt(**fields) -> Attempt:
    values = dict(version_number=1, answered=True, time_spent_seconds=600, suggested_minutes=10)
    return Attempt(**{**values, **fields})


def test_no_attempts_gives_empty_figures_and_no_flags():
    stats = item_stats([])
    assert stats.attempts == 0
    assert stats.blank_pct is None
    assert stats.median_seconds is None
    assert stats.time_ratio is None
    assert stats.mean_score is None
    assert stats.within_pct is None
    assert stats.flags == ()


def test_figures_over_attempts():
    stats = item_stats(
        [
            attempt(time_spent_seconds=300, self_score=50.0, hints_revealed=2),
            attempt(time_spent_seconds=900, self_score=100.0),
            attempt(time_spent_seconds=3600, answered=False),  # one tab left open
            attempt(time_spent_seconds=600, estimate_within=True),
        ]
    )
    assert stats.attempts == 4
    assert stats.answered == 3
    assert stats.blank_pct == 25.0
    assert stats.median_seconds == 750  # the median: the hour-long outlier does not count
    assert stats.time_ratio == pytest.approx(1.25)
    assert stats.scored == 2
    assert stats.mean_score == 75.0
    assert stats.mean_hints == 0.5
    assert (stats.estimates_checked, stats.estimates_within, stats.within_pct) == (1, 1, 100.0)


def test_time_is_judged_against_the_newest_versions_suggestion():
    stats = item_stats(
        [
            attempt(version_number=1, suggested_minutes=10, time_spent_seconds=1200),
            attempt(version_number=2, suggested_minutes=20, time_spent_seconds=1200),
        ]
    )
    assert stats.suggested_seconds == 1200
    assert stats.time_ratio == 1.0


def test_runs_long_and_blank_flags_need_enough_attempts():
    slow_blank = attempt(time_spent_seconds=1500, answered=False)
    assert item_stats([slow_blank] * (MIN_ATTEMPTS - 1)).flags == ()
    assert item_stats([slow_blank] * MIN_ATTEMPTS).flags == ("runs long", "often left blank")


def test_boundaries_of_the_time_and_blank_flags():
    on_the_line = [attempt(time_spent_seconds=750)] * 7 + [attempt(answered=False)] * 3
    assert item_stats(on_the_line).flags == (
        "often left blank",
    )  # 30 % blank; ratio 1.25 is not over


@pytest.mark.parametrize(
    ("score", "flag"), [(39.9, "scores low"), (40.0, None), (84.9, None), (85.0, "scores high")]
)
def test_score_flags(score, flag):
    stats = item_stats([attempt(self_score=score)] * MIN_ATTEMPTS)
    assert stats.flags == ((flag,) if flag else ())


def test_score_flags_count_scored_attempts_not_all_attempts():
    attempts = [attempt(self_score=10.0)] * (MIN_ATTEMPTS - 1) + [attempt()] * 10
    assert item_stats(attempts).flags == ()


def test_estimates_rarely_within_tolerance():
    misses = [attempt(estimate_within=False)] * 9 + [attempt(estimate_within=True)]
    assert item_stats(misses).flags == ("estimates rarely within tolerance",)
    two_hits = [attempt(estimate_within=False)] * 8 + [attempt(estimate_within=True)] * 2
    assert item_stats(two_hits).flags == ()  # 20 % is not "under 20 %"
    unanswered = [attempt(estimate_within=None)] * 10
    assert item_stats(unanswered).estimates_checked == 0


def test_by_version_groups_newest_first():
    rows = by_version(
        [attempt(version_number=1, self_score=20.0)] * 2
        + [attempt(version_number=3, self_score=80.0)]
    )
    assert [(number, s.attempts, s.mean_score) for number, s in rows] == [
        (3, 1, 80.0),
        (1, 2, 20.0),
    ]
