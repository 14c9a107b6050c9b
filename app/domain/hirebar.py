"""Where a rubric's hire bar puts the report's thresholds (issue 18). Pure.

A rubric declares the level value that meets the hire bar (`hire_bar`, e.g. 3 "Solid" on
the bank's 1-4 scales). On a criterion's 0-100 scale (app.domain.scoring):
    strength  score >= the hire-bar level's score          (1-4, bar 3: 66.7)
    gap       score <  the score of the level just below it  (1-4, bar 3: 33.3)
so a Solid answer is a strength and only a Missing one a gap. A rubric without a hire
bar keeps the fixed thresholds every report had before (LEGACY: 75 and 50, which are
the same rule for a 0-4 scale with the bar at 3).

Readiness (app.domain.progress) follows the same bar: Ready needs a recent mean at the
bar and a latest round within 5 points of it; Getting there, a mean 5 points above the
gap line (LEGACY: 75, 70 and 55, as before).

The thresholds a report was scored with are stored with it (SelfAssessment.summary), so
a report keeps its verdicts even if the thresholds rule changes later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.domain.scoring import Criterion

EPSILON = 1e-9  # a level's own score meets a bar computed from the same level


@dataclass(frozen=True)
class Thresholds:
    strength_at: float
    gap_below: float

    def as_list(self) -> list[float]:
        return [self.strength_at, self.gap_below]

    @property
    def ready_mean(self) -> float:
        return self.strength_at

    @property
    def ready_latest(self) -> float:
        return self.strength_at - 5.0

    @property
    def nearly_mean(self) -> float:
        return self.gap_below + 5.0


LEGACY = Thresholds(75.0, 50.0)


def _pct(value: int, low: int, high: int) -> float:
    return (value - low) / (high - low) * 100.0


def for_criterion(criterion: Criterion, hire_bar: int | None) -> Thresholds:
    """The thresholds of one criterion under its rubric's hire bar (LEGACY without one)."""
    values = [lv.value for lv in criterion.levels]
    if hire_bar is None or hire_bar not in values or len(values) < 2:
        return LEGACY
    low, high = values[0], values[-1]
    i = values.index(hire_bar)
    below = _pct(values[i - 1], low, high) if i > 0 else 0.0
    return Thresholds(_pct(hire_bar, low, high), below)


def combined(all_thresholds: Iterable[Thresholds]) -> Thresholds:
    """One pair for several criteria (their mean): readiness and the report's wording."""
    items = list(all_thresholds)
    if not items:
        return LEGACY
    return Thresholds(
        sum(t.strength_at for t in items) / len(items),
        sum(t.gap_below for t in items) / len(items),
    )


def from_stored(stored: Mapping | None) -> dict[str, Thresholds]:
    """{criterion key: Thresholds} as stored in a summary's "thresholds"."""
    return {key: Thresholds(float(v[0]), float(v[1])) for key, v in (stored or {}).items()}
