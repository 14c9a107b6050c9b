"""Progress over time: series per skill area and per stage, and readiness per stage.

Pure Python. Inputs are the summaries stored when a round's scoring is finished
(`app.domain.report.summary`), oldest first.

Readiness of a funnel stage (documented rule, from the candidate's own scores):
    look at the last RECENT_ROUNDS (3) scored rounds of that stage;
    - none:                                                       "Not started"
    - at least READY_MIN_ROUNDS (2) rounds, their mean >= READY_MEAN (75) and the
      latest >= READY_LATEST (70):                                 "Ready"
    - their mean >= NEARLY_MEAN (55):                              "Getting there"
    - otherwise:                                                   "Not yet"
The thresholds mirror the report: 75 is a strength, below 50 a gap. With a rubric's
hire bar (issue 18) they follow the bar the latest round was scored with
(app.domain.hirebar.Thresholds: ready_mean, ready_latest, nearly_mean).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.domain.charts import Point, Series
from app.domain.hirebar import EPSILON, Thresholds
from app.domain.scoring import mean

RECENT_ROUNDS = 3
READY_MIN_ROUNDS = 2
READY_MEAN = 75.0
READY_LATEST = 70.0
NEARLY_MEAN = 55.0


@dataclass(frozen=True)
class Readiness:
    level: str  # not_started, not_yet, nearly, ready
    label: str
    rounds: int  # scored rounds considered (at most RECENT_ROUNDS)
    recent_mean: float | None
    latest: float | None


def readiness(scores: Sequence[float], bar: Thresholds | None = None) -> Readiness:
    """Readiness from a stage's round scores, oldest first (see the module docstring);
    `bar`: the thresholds of the latest round (None: the fixed 75 / 70 / 55)."""
    recent = [s for s in scores if s is not None][-RECENT_ROUNDS:]
    if not recent:
        return Readiness("not_started", "Not started", 0, None, None)
    average, latest = mean(recent), recent[-1]
    ready_mean, ready_latest, nearly = (
        (READY_MEAN, READY_LATEST, NEARLY_MEAN)
        if bar is None
        else (bar.ready_mean - EPSILON, bar.ready_latest - EPSILON, bar.nearly_mean - EPSILON)
    )
    if len(recent) >= READY_MIN_ROUNDS and average >= ready_mean and latest >= ready_latest:
        return Readiness("ready", "Ready", len(recent), average, latest)
    if average >= nearly:
        return Readiness("nearly", "Getting there", len(recent), average, latest)
    return Readiness("not_yet", "Not yet", len(recent), average, latest)


@dataclass(frozen=True)
class ScoredRound:
    at: datetime
    stage_key: str
    overall: float | None
    skills: Mapping[str, float]
    bar: Thresholds | None = None  # what the round was scored with (None: before issue 18)


def skill_series(rounds: Iterable[ScoredRound], names: Mapping[str, str]) -> list[Series]:
    """One series per skill area: its score in each scored round that covered it."""
    points: dict[str, list[Point]] = {}
    for r in rounds:
        for key, value in r.skills.items():
            if value is not None:
                points.setdefault(key, []).append(Point(r.at, value))
    order = sorted(points, key=lambda k: names.get(k, k))
    return [Series(names.get(k, k), tuple(points[k])) for k in order]


def stage_series(rounds: Iterable[ScoredRound], names: Mapping[str, str]) -> list[Series]:
    """One series per stage: each scored round's overall score."""
    points: dict[str, list[Point]] = {}
    for r in rounds:
        if r.overall is not None:
            points.setdefault(r.stage_key, []).append(Point(r.at, r.overall))
    keys = [k for k in names if k in points] + sorted(k for k in points if k not in names)
    return [Series(names.get(k, k), tuple(points[k])) for k in keys]


def stage_bars(rounds: Iterable[ScoredRound]) -> dict[str, Thresholds | None]:
    """The thresholds of each stage's latest scored round (None: the fixed ones)."""
    result: dict[str, Thresholds | None] = {}
    for r in rounds:
        if r.overall is not None:
            result[r.stage_key] = r.bar
    return result


def stage_scores(rounds: Iterable[ScoredRound]) -> dict[str, list[float]]:
    """Overall scores per stage, oldest first."""
    result: dict[str, list[float]] = {}
    for r in rounds:
        if r.overall is not None:
            result.setdefault(r.stage_key, []).append(r.overall)
    return result
