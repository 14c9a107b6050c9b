"""Calibration maths: self minus coach per criterion, per session and across sessions."""

from __future__ import annotations

import pytest

from app.domain import calibration as cal
from app.domain.calibration import LevelScore, ScorePair


def pair(key, self_level, coach_level, lo=1, hi=4, title=None):
    return ScorePair(key, title or key.title(), self_level, coach_level, lo, hi)


def test_gap_is_self_minus_coach_in_levels_and_points():
    [gap] = cal.session_gaps([pair("cost", 4, 2)])
    assert gap.delta == 2 and gap.delta_points == pytest.approx(200 / 3)
    assert gap.verdict == "over" and gap.pairs == 1


def test_gaps_average_over_answers_and_skip_one_sided_scores():
    gaps = cal.session_gaps(
        [
            pair("cost", 3, 3),
            pair("cost", 2, 3),
            pair("latency", 1, 3),
            pair("latency", None, 2),  # no self-score: nothing to compare
            pair("privacy", 3, None),
        ]
    )
    assert [g.criterion for g in gaps] == ["cost", "latency"]
    cost, latency = gaps
    assert cost.self_mean == 2.5 and cost.coach_mean == 3 and cost.delta == -0.5
    assert cost.verdict == "under"  # exactly half a level counts
    assert latency.delta == -2 and latency.pairs == 1


def test_points_make_different_level_counts_comparable():
    three = cal.session_gaps([pair("a", 3, 2, 1, 3)])[0]  # one level of two steps: 50 points
    five = cal.session_gaps([pair("b", 5, 4, 1, 5)])[0]  # one level of four steps: 25 points
    assert three.delta == five.delta == 1
    assert three.delta_points == 50 and five.delta_points == 25


def test_single_level_scale_and_calibrated_verdict():
    assert cal.points(1, 1, 1) == 100
    [gap] = cal.session_gaps([pair("a", 2, 2)])
    assert gap.delta == 0 and gap.verdict == "calibrated"
    assert cal.verdict(0.49) == "calibrated" and cal.verdict(-0.49) == "calibrated"


def test_no_pairs_no_gaps_and_no_overall():
    assert cal.session_gaps([]) == []
    assert cal.overall_delta_points([]) is None


def test_across_sessions_weighs_each_session_the_same():
    s1 = cal.session_gaps([pair("cost", 4, 2), pair("cost", 4, 2), pair("cost", 4, 2)])
    s2 = cal.session_gaps([pair("cost", 2, 2), pair("latency", 1, 2)])
    trends = cal.across_sessions([s1, s2])
    cost, latency = trends
    assert cost.sessions == 2 and cost.deltas == (2, 0) and cost.mean_delta == 1
    assert cost.verdict == "over"
    assert latency.sessions == 1 and latency.mean_delta == -1 and latency.verdict == "under"
    assert cal.overall_delta_points(s1 + s2) == pytest.approx((200 / 3 + 0 - 100 / 3) / 3)


def test_criterion_averages_strengths_and_gaps():
    scores = [
        LevelScore("cost", "Cost modeling", 4, 1, 4),
        LevelScore("cost", "Cost modeling", 3, 1, 4),
        LevelScore("privacy", "Data privacy", 1, 1, 4),
        LevelScore("latency", "Latency", 3, 1, 5),  # 50: neither
        LevelScore("failure", "Failure modes", None, 1, 4),
    ]
    averages = cal.criterion_averages(scores)
    assert [a.criterion for a in averages] == ["cost", "latency", "privacy"]
    assert averages[0].mean_points == pytest.approx(500 / 6) and averages[0].count == 2
    strengths, gaps = cal.strengths_and_gaps(averages)
    assert [s.criterion for s in strengths] == ["cost"]
    assert [g.criterion for g in gaps] == ["privacy"]


def test_strength_and_gap_thresholds_can_be_set():
    averages = cal.criterion_averages([LevelScore("a", "A", 3, 1, 4)])  # 66.7 points
    assert cal.strengths_and_gaps(averages)[0] == []  # below 75 by default
    assert [a.criterion for a in cal.strengths_and_gaps(averages, strong_at=60)[0]] == ["a"]
