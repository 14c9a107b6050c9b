"""Rubric scoring maths: levels to a common 0-100 scale, and weighted means.

Pure Python (no Flask, no database). The rules, in one place:

Normalisation of one criterion
    A criterion has levels with ascending integer values (criteria of one rubric may
    have different level counts, e.g. 1-3 and 0-4). A chosen level maps to

        score = (level - min_level) / (max_level - min_level) * 100

    so the lowest level is 0 and the highest 100 whatever the scale. When every level of
    a criterion has the same value (a one-point scale) the chosen level means "met" and
    scores 100. A level that is not on the criterion's scale is refused (ValueError).

Weighted mean (one question)
    score(question) = sum(w_i * s_i) / sum(w_i) over the *scored* criteria i only, with
    w_i the criterion weight. Unscored criteria are excluded (and reported as unscored),
    never counted as 0. Negative weights count as 0. Zero-weight guard: when the scored
    criteria's weights add up to 0, the plain mean of their scores is used instead of
    dividing by zero. No scored criterion at all gives None ("unscored").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DEFAULT_WEIGHT = 1.0


@dataclass(frozen=True)
class Level:
    value: int
    label: str
    descriptor: str = ""


@dataclass(frozen=True)
class Criterion:
    key: str
    title: str
    weight: float
    levels: tuple[Level, ...]
    description: str = ""

    @property
    def min_value(self) -> int:
        return self.levels[0].value

    @property
    def max_value(self) -> int:
        return self.levels[-1].value

    def level(self, value: int | None) -> Level | None:
        """The level with `value`, or None."""
        return next((lv for lv in self.levels if lv.value == value), None)

    def next_level_up(self, value: int) -> Level | None:
        """The first level above `value` (None at the top of the scale)."""
        return next((lv for lv in self.levels if lv.value > value), None)


def criteria_from_json(criteria: Iterable[Mapping]) -> tuple[Criterion, ...]:
    """Criteria as stored in RubricVersion.criteria, levels sorted by value."""
    result = []
    for item in criteria:
        levels = sorted(
            (
                Level(int(lv["value"]), str(lv.get("label", lv["value"])), lv.get("descriptor", ""))
                for lv in item.get("levels", [])
            ),
            key=lambda lv: lv.value,
        )
        if not levels:
            raise ValueError(f"criterion {item.get('key')!r} has no levels")
        weight = item.get("weight", DEFAULT_WEIGHT)
        result.append(
            Criterion(
                key=str(item["key"]),
                title=str(item.get("title") or item["key"]),
                weight=float(DEFAULT_WEIGHT if weight is None else weight),
                levels=tuple(levels),
                description=item.get("description", "") or "",
            )
        )
    return tuple(result)


def normalise(level: int | None, criterion: Criterion) -> float | None:
    """A level on the criterion's scale as 0-100; None when unscored."""
    if level is None:
        return None
    if criterion.level(level) is None:
        raise ValueError(f"level {level} is not on the scale of {criterion.key!r}")
    span = criterion.max_value - criterion.min_value
    if span == 0:
        return 100.0
    return (level - criterion.min_value) / span * 100.0


def weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of (score, weight) pairs, skipping None scores; see module docstring."""
    scored = [(s, max(float(w), 0.0)) for s, w in pairs if s is not None]
    if not scored:
        return None
    total = sum(w for _, w in scored)
    if total == 0:
        return sum(s for s, _ in scored) / len(scored)
    return sum(s * w for s, w in scored) / total


def mean(values: Iterable[float | None]) -> float | None:
    """Plain mean of the values that are not None; None when there are none."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    level: Level | None
    score: float | None
    note: str = ""

    @property
    def scored(self) -> bool:
        return self.level is not None

    @property
    def next_level(self) -> Level | None:
        return self.criterion.next_level_up(self.level.value) if self.level else None


@dataclass(frozen=True)
class QuestionResult:
    results: tuple[CriterionResult, ...]
    score: float | None

    @property
    def scored_count(self) -> int:
        return sum(1 for r in self.results if r.scored)

    @property
    def total_count(self) -> int:
        return len(self.results)

    @property
    def unscored(self) -> tuple[CriterionResult, ...]:
        return tuple(r for r in self.results if not r.scored)


def score_question(
    criteria: Iterable[Criterion],
    levels: Mapping[str, int | None],
    notes: Mapping[str, str] | None = None,
) -> QuestionResult:
    """Score one question: each criterion normalised, then the weighted mean."""
    notes = notes or {}
    results = []
    for criterion in criteria:
        value = levels.get(criterion.key)
        score = normalise(value, criterion)
        results.append(
            CriterionResult(
                criterion=criterion,
                level=criterion.level(value) if value is not None else None,
                score=score,
                note=notes.get(criterion.key, "") or "",
            )
        )
    overall = weighted_mean((r.score, r.criterion.weight) for r in results)
    return QuestionResult(results=tuple(results), score=overall)
