"""Item statistics for the bank: how each question behaves when candidates sit it.

Pure Python. An *attempt* is one question in a finished round (submitted, auto-submitted
or closed). For a set of attempts:

- ``blank_pct``: attempts with no answer at all, as a percentage of attempts;
- ``median_seconds`` and ``time_ratio = median_seconds / (suggested minutes x 60)``: how
  long candidates spend against what the question suggests (the median, so one candidate
  who left a tab open does not move it);
- ``mean_score``: the mean of the candidates' completed self-scores of the question,
  each the 0-100 weighted score of the report (``app/domain/scoring.py``);
- ``within_pct``: of the estimate answers that could be checked, the share within the
  bank's tolerance.

Flags are raised only when enough attempts back them (``MIN_ATTEMPTS``), so that an
admin is not sent chasing noise:

- *runs long*: ``time_ratio > 1.25`` (the suggested minutes are too few, or the prompt
  asks too much);
- *often left blank*: ``blank_pct >= 30``;
- *scores low*: ``mean_score < 40`` (too hard, or the rubric's top levels unreachable);
- *scores high*: ``mean_score >= 85`` (too easy to tell candidates apart);
- *estimates rarely within tolerance*: ``within_pct < 20`` (reference or tolerance off).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from statistics import median

MIN_ATTEMPTS = 5
LONG_RATIO = 1.25
BLANK_PCT = 30.0
LOW_SCORE = 40.0
HIGH_SCORE = 85.0
LOW_WITHIN_PCT = 20.0


@dataclass(frozen=True)
class Attempt:
    version_number: int
    answered: bool
    time_spent_seconds: int
    suggested_minutes: int
    hints_revealed: int = 0
    self_score: float | None = None  # 0-100; None when not (completely) self-scored
    estimate_within: bool | None = None  # None: not an estimate, or nothing to check


@dataclass(frozen=True)
class ItemStats:
    attempts: int
    answered: int
    scored: int
    mean_score: float | None
    median_seconds: float | None
    suggested_seconds: int | None
    mean_hints: float | None
    estimates_checked: int
    estimates_within: int
    flags: tuple[str, ...]

    @property
    def blank_pct(self) -> float | None:
        return (self.attempts - self.answered) / self.attempts * 100 if self.attempts else None

    @property
    def time_ratio(self) -> float | None:
        if self.median_seconds is None or not self.suggested_seconds:
            return None
        return self.median_seconds / self.suggested_seconds

    @property
    def within_pct(self) -> float | None:
        if not self.estimates_checked:
            return None
        return self.estimates_within / self.estimates_checked * 100


def item_stats(attempts: Iterable[Attempt]) -> ItemStats:
    """The statistics and flags of one question over `attempts` (any versions)."""
    attempts = list(attempts)
    scores = [a.self_score for a in attempts if a.self_score is not None]
    checks = [a.estimate_within for a in attempts if a.estimate_within is not None]
    # time is judged against the newest version's suggestion: that is what candidates see now
    latest = max(attempts, key=lambda a: a.version_number) if attempts else None
    stats = ItemStats(
        attempts=len(attempts),
        answered=sum(1 for a in attempts if a.answered),
        scored=len(scores),
        mean_score=sum(scores) / len(scores) if scores else None,
        median_seconds=median(a.time_spent_seconds for a in attempts) if attempts else None,
        suggested_seconds=latest.suggested_minutes * 60 if latest else None,
        mean_hints=sum(a.hints_revealed for a in attempts) / len(attempts) if attempts else None,
        estimates_checked=len(checks),
        estimates_within=sum(1 for c in checks if c),
        flags=(),
    )
    return _with_flags(stats)


def totals(
    *,
    attempts: int,
    answered: int,
    scored: int,
    mean_score: float | None,
    median_seconds: float | None,
    suggested_seconds: int | None,
    mean_hints: float | None,
    estimates_checked: int,
    estimates_within: int,
) -> ItemStats:
    """The statistics and flags of one question from totals already aggregated (by the
    database): the same figures `item_stats` computes from the attempts themselves."""
    return _with_flags(
        ItemStats(
            attempts=attempts,
            answered=answered,
            scored=scored,
            mean_score=mean_score,
            median_seconds=median_seconds,
            suggested_seconds=suggested_seconds,
            mean_hints=mean_hints,
            estimates_checked=estimates_checked,
            estimates_within=estimates_within,
            flags=(),
        )
    )


def _with_flags(stats: ItemStats) -> ItemStats:
    flags = []
    if stats.attempts >= MIN_ATTEMPTS:
        if stats.time_ratio is not None and stats.time_ratio > LONG_RATIO:
            flags.append("runs long")
        if stats.blank_pct is not None and stats.blank_pct >= BLANK_PCT:
            flags.append("often left blank")
    if stats.scored >= MIN_ATTEMPTS and stats.mean_score is not None:
        if stats.mean_score < LOW_SCORE:
            flags.append("scores low")
        elif stats.mean_score >= HIGH_SCORE:
            flags.append("scores high")
    if stats.estimates_checked >= MIN_ATTEMPTS and (stats.within_pct or 0) < LOW_WITHIN_PCT:
        flags.append("estimates rarely within tolerance")
    return replace(stats, flags=tuple(flags))


def by_version(attempts: Iterable[Attempt]) -> list[tuple[int, ItemStats]]:
    """The statistics per question version, newest first: did an edit change how it plays?"""
    groups: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        groups.setdefault(attempt.version_number, []).append(attempt)
    return [(number, item_stats(groups[number])) for number in sorted(groups, reverse=True)]
