"""Checking numeric (`estimate`) answers against the bank's reference value.

Pure Python. An answer `a` for a reference value `v` with tolerance `t` percent is
*within tolerance* when

    |a - v| <= |v| * t / 100        (the bank's "value x (1 +/- t/100)")

with a tiny relative slack (1e-9) so that an answer exactly on the boundary is not
refused by floating-point rounding. The report also shows

    ratio = a / v                   (1.0 is exact; 2.0 is twice the reference)
    error_pct = |a - v| / |v| * 100

A reference of 0 has no ratio or relative error; only an answer of exactly 0 is then
within tolerance. Units are compared case- and whitespace-insensitively; a different
unit is flagged (`unit_mismatch`), never converted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

BOUNDARY_SLACK = 1e-9
ESTIMATE_KIND = "estimate"  # the answer kind checked here (AnswerKind.ESTIMATE in models)


class EstimateStatus(StrEnum):
    WITHIN = "within"
    OUTSIDE = "outside"
    UNANSWERED = "unanswered"
    NO_REFERENCE = "no_reference"


@dataclass(frozen=True)
class EstimateCheck:
    status: EstimateStatus
    answer: float | None
    reference: float | None
    tolerance_pct: float | None
    ratio: float | None = None
    error_pct: float | None = None
    answer_unit: str | None = None
    reference_unit: str | None = None
    unit_mismatch: bool = False

    @property
    def within(self) -> bool:
        return self.status is EstimateStatus.WITHIN

    @property
    def checked(self) -> bool:
        """An answer and a reference were both there to compare."""
        return self.status in (EstimateStatus.WITHIN, EstimateStatus.OUTSIDE)

    @property
    def label(self) -> str:
        return {
            EstimateStatus.WITHIN: "within tolerance",
            EstimateStatus.OUTSIDE: "outside tolerance",
            EstimateStatus.UNANSWERED: "no number given",
            EstimateStatus.NO_REFERENCE: "no reference value",
        }[self.status]


def _norm_unit(unit: str | None) -> str:
    return " ".join((unit or "").lower().split())


def check_estimate(
    answer: float | None,
    reference: float | None,
    tolerance_pct: float | None,
    answer_unit: str | None = None,
    reference_unit: str | None = None,
) -> EstimateCheck:
    """Compare an estimate with the reference value; see the module docstring."""
    base = dict(
        answer=answer,
        reference=reference,
        tolerance_pct=tolerance_pct,
        answer_unit=answer_unit,
        reference_unit=reference_unit,
        unit_mismatch=bool(answer_unit and reference_unit)
        and _norm_unit(answer_unit) != _norm_unit(reference_unit),
    )
    if reference is None:
        return EstimateCheck(status=EstimateStatus.NO_REFERENCE, **base)
    if answer is None:
        return EstimateCheck(status=EstimateStatus.UNANSWERED, **base)
    tolerance = max(float(tolerance_pct or 0.0), 0.0)
    if reference == 0:
        status = EstimateStatus.WITHIN if answer == 0 else EstimateStatus.OUTSIDE
        return EstimateCheck(status=status, **base)
    difference = abs(answer - reference)
    allowed = abs(reference) * tolerance / 100.0
    within = difference <= allowed + abs(reference) * BOUNDARY_SLACK
    return EstimateCheck(
        status=EstimateStatus.WITHIN if within else EstimateStatus.OUTSIDE,
        ratio=answer / reference,
        error_pct=difference / abs(reference) * 100.0,
        **base,
    )


@dataclass(frozen=True)
class EstimateAccuracy:
    checked: int  # estimates with both an answer and a reference
    within: int
    unanswered: int

    @property
    def within_pct(self) -> float | None:
        return self.within / self.checked * 100.0 if self.checked else None


def accuracy(checks: Iterable[EstimateCheck]) -> EstimateAccuracy:
    """How many estimates were within tolerance, of those that could be checked."""
    checks = list(checks)
    checked = [c for c in checks if c.checked]
    return EstimateAccuracy(
        checked=len(checked),
        within=sum(1 for c in checked if c.within),
        unanswered=sum(1 for c in checks if c.status is EstimateStatus.UNANSWERED),
    )


class EstimateQuestion(Protocol):
    """What `estimate_for` reads of a question version (a `QuestionVersion` row will do)."""

    answer_kind: str
    estimate_value: float | None
    estimate_tolerance_pct: float | None
    estimate_unit: str | None


class EstimateAnswer(Protocol):
    """What `estimate_for` reads of an answer (a `SessionQuestion` row will do)."""

    question_version: EstimateQuestion
    answer_number: float | None
    answer_unit: str | None


def estimate_for(item: EstimateAnswer) -> EstimateCheck | None:
    """The automatic check of an estimate answer against its version (None for other kinds)."""
    version = item.question_version
    if version.answer_kind != ESTIMATE_KIND:
        return None
    return check_estimate(
        item.answer_number,
        version.estimate_value,
        version.estimate_tolerance_pct,
        item.answer_unit,
        version.estimate_unit,
    )
