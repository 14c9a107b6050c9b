"""Calibration: how a candidate's self-scores compare with their coach's, per criterion.

Pure functions (no Flask, no database). A gap is *self minus coach*: positive means the
candidate rated themselves higher than the coach did (over-confident), negative lower.
Gaps are given in levels and, so criteria with different level counts compare fairly,
in points on a 0-100 scale (the level's position between the criterion's lowest and
highest level).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Half a level either way counts as calibrated.
CALIBRATED_WITHIN_LEVELS = 0.5


@dataclass(frozen=True)
class ScorePair:
    """One criterion of one answer, as scored by the candidate and by the coach."""

    criterion: str
    title: str
    self_level: int | None
    coach_level: int | None
    min_level: int
    max_level: int


@dataclass(frozen=True)
class CriterionGap:
    criterion: str
    title: str
    self_mean: float
    coach_mean: float
    delta: float  # self minus coach, in levels
    delta_points: float  # self minus coach, on the 0-100 scale
    pairs: int  # answers where both scored this criterion

    @property
    def verdict(self) -> str:
        return verdict(self.delta)


@dataclass(frozen=True)
class CriterionTrend:
    """One criterion across the candidate's reviewed sessions."""

    criterion: str
    title: str
    mean_delta: float
    mean_delta_points: float
    sessions: int
    deltas: tuple[float, ...]  # per session, oldest first

    @property
    def verdict(self) -> str:
        return verdict(self.mean_delta)


def verdict(delta: float) -> str:
    """ "over" (self above coach), "under" or "calibrated"."""
    if delta >= CALIBRATED_WITHIN_LEVELS:
        return "over"
    if delta <= -CALIBRATED_WITHIN_LEVELS:
        return "under"
    return "calibrated"


def points(level: float, min_level: int, max_level: int) -> float:
    """A level on the 0-100 scale of its criterion (a one-level scale is 100)."""
    if max_level <= min_level:
        return 100.0
    return (level - min_level) / (max_level - min_level) * 100.0


def session_gaps(pairs: Iterable[ScorePair]) -> list[CriterionGap]:
    """Per criterion, mean self minus mean coach over the answers both scored.

    Criteria keep the order they first appear in; a criterion scored by only one side
    is left out (there is nothing to compare).
    """
    grouped: dict[str, list[ScorePair]] = {}
    for pair in pairs:
        if pair.self_level is None or pair.coach_level is None:
            continue
        grouped.setdefault(pair.criterion, []).append(pair)
    gaps = []
    for key, group in grouped.items():
        n = len(group)
        self_mean = sum(p.self_level for p in group) / n
        coach_mean = sum(p.coach_level for p in group) / n
        delta_points = (
            sum(
                points(p.self_level, p.min_level, p.max_level)
                - points(p.coach_level, p.min_level, p.max_level)
                for p in group
            )
            / n
        )
        gaps.append(
            CriterionGap(
                criterion=key,
                title=group[0].title,
                self_mean=self_mean,
                coach_mean=coach_mean,
                delta=self_mean - coach_mean,
                delta_points=delta_points,
                pairs=n,
            )
        )
    return gaps


def across_sessions(sessions: Sequence[Sequence[CriterionGap]]) -> list[CriterionTrend]:
    """Per criterion, the mean of the per-session gaps (each session weighs the same).

    `sessions` are the per-session gaps, oldest first.
    """
    grouped: dict[str, list[CriterionGap]] = {}
    for gaps in sessions:
        for gap in gaps:
            grouped.setdefault(gap.criterion, []).append(gap)
    trends = []
    for key, group in grouped.items():
        n = len(group)
        trends.append(
            CriterionTrend(
                criterion=key,
                title=group[-1].title,
                mean_delta=sum(g.delta for g in group) / n,
                mean_delta_points=sum(g.delta_points for g in group) / n,
                sessions=n,
                deltas=tuple(g.delta for g in group),
            )
        )
    return trends


def overall_delta_points(gaps: Iterable[CriterionGap]) -> float | None:
    """The mean gap in points over the criteria compared, or None when none were."""
    values = [g.delta_points for g in gaps]
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class LevelScore:
    """One scored criterion of one answer (self or coach), for per-criterion averages."""

    criterion: str
    title: str
    level: int | None
    min_level: int
    max_level: int


@dataclass(frozen=True)
class CriterionAverage:
    criterion: str
    title: str
    mean_points: float
    count: int


def criterion_averages(scores: Iterable[LevelScore]) -> list[CriterionAverage]:
    """Per criterion, the mean score on the 0-100 scale, strongest first."""
    grouped: dict[str, list[LevelScore]] = {}
    for s in scores:
        if s.level is not None:
            grouped.setdefault(s.criterion, []).append(s)
    averages = [
        CriterionAverage(
            criterion=key,
            title=group[-1].title,
            mean_points=sum(points(s.level, s.min_level, s.max_level) for s in group) / len(group),
            count=len(group),
        )
        for key, group in grouped.items()
    ]
    return sorted(averages, key=lambda a: (-a.mean_points, a.title))


def strengths_and_gaps(
    averages: Sequence[CriterionAverage], strong_at: float = 75.0, weak_below: float = 50.0
) -> tuple[list[CriterionAverage], list[CriterionAverage]]:
    """Criteria at or above `strong_at` points, and those below `weak_below` (weakest first)."""
    strengths = [a for a in averages if a.mean_points >= strong_at]
    gaps = sorted((a for a in averages if a.mean_points < weak_below), key=lambda a: a.mean_points)
    return strengths, gaps
