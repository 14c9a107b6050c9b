"""Picking the questions of a round. Pure and deterministic for a given seed.

Rules, in order of priority for every pick:
1. only questions whose answer kind the round format allows (empty list: any kind), and
   of those only questions whose suggested time fits the round, when there are enough
   of them (a 3-hour sprint never draws a brief sized for the 48-hour window, but a
   round can always start);
2. questions the candidate has seen fewer times first (unseen before seen);
3. the skill area that most needs practice: with a weakness map (skill -> score, higher
   means weaker) the weakest skills first; without one every skill counts the same. A
   skill already covered by an earlier pick of this round counts for less, so a round
   spreads across skills instead of drilling one;
4. ties broken by a shuffle seeded with `seed`, so the same inputs give the same round.

A format may name a `first_kind`: the round's first pick is drawn from the questions of
that kind (when the pool has any), so every coding round opens with a coding problem;
the other picks follow the rules above and below, counting that first pick.

A format that lists several answer kinds asks for a mix: before rules 2-4, each pick
prefers a kind this round has drawn fewer times, so an "ML system design" round listing
[text, estimate] gets one design problem and one estimate, never two of one kind while
the other kind has questions. A format listing one kind or none is not affected.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Candidate:
    """A published question that could be drawn."""

    question_id: int
    answer_kind: str
    skills: tuple[str, ...] = field(default_factory=tuple)
    minutes: int = 0  # suggested time


def allowed(candidates: Iterable[Candidate], answer_kinds: Iterable[str] | None) -> list[Candidate]:
    """The candidates whose answer kind the format allows (all when it names none)."""
    kinds = set(answer_kinds or ())
    return [c for c in candidates if not kinds or c.answer_kind in kinds]


def fitting(pool: list[Candidate], count: int, max_minutes: int | None) -> list[Candidate]:
    """The candidates that fit in `max_minutes`, or the whole pool when too few do."""
    if not max_minutes:
        return pool
    fits = [c for c in pool if c.minutes <= max_minutes]
    return fits if len(fits) >= count else pool


def _neutral(weakness: Mapping[str, float] | None) -> float:
    if not weakness:
        return 1.0
    return sum(weakness.values()) / len(weakness)


def _need(
    candidate: Candidate,
    weakness: Mapping[str, float] | None,
    covered: Mapping[str, int],
    neutral: float,
) -> float:
    """How much drawing this question serves the candidate's skill needs right now."""
    if not candidate.skills:
        return 0.0
    scores = []
    for skill in candidate.skills:
        base = neutral if weakness is None else weakness.get(skill, neutral)
        scores.append(base / (1 + covered.get(skill, 0)))
    return max(scores)


def pick(
    candidates: Iterable[Candidate],
    count: int,
    *,
    seen: Mapping[int, int] | None = None,
    weakness: Mapping[str, float] | None = None,
    answer_kinds: Iterable[str] | None = None,
    first_kind: str | None = None,
    max_minutes: int | None = None,
    seed: int | str = 0,
) -> list[Candidate]:
    """Choose up to `count` questions for a round (fewer when the pool is smaller)."""
    seen = seen or {}
    pool = fitting(allowed(candidates, answer_kinds), count, max_minutes)
    pool.sort(key=lambda c: c.question_id)  # input order must not matter
    random.Random(str(seed)).shuffle(pool)
    tiebreak = {c.question_id: i for i, c in enumerate(pool)}
    neutral = _neutral(weakness)
    mix = len(set(answer_kinds or ())) > 1
    drawn: dict[str, int] = {}  # answer kind -> picks so far (only counted for a mix)
    covered: dict[str, int] = {}
    chosen: list[Candidate] = []
    while pool and len(chosen) < count:
        options = pool
        if not chosen and first_kind:
            options = [c for c in pool if c.answer_kind == first_kind] or pool
        best = min(
            options,
            key=lambda c: (
                drawn.get(c.answer_kind, 0),
                seen.get(c.question_id, 0),
                -_need(c, weakness, covered, neutral),
                tiebreak[c.question_id],
            ),
        )
        pool.remove(best)
        chosen.append(best)
        if mix:
            drawn[best.answer_kind] = drawn.get(best.answer_kind, 0) + 1
        for skill in best.skills:
            covered[skill] = covered.get(skill, 0) + 1
    return chosen
