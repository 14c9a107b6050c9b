"""`estimate_for`: the estimate check of one answer, read from the answer and its version."""

from __future__ import annotations

from types import SimpleNamespace

from app.domain.estimates import ESTIMATE_KIND, EstimateStatus, estimate_for
from app.models.bank import AnswerKind


def answer(kind: str, number: float | None, unit: str | None = "USD"):
    version = SimpleNamespace(
        answer_kind=kind, estimate_value=100.0, estimate_tolerance_pct=10.0, estimate_unit="USD"
    )
    return SimpleNamespace(question_version=version, answer_number=number, answer_unit=unit)


def test_the_domain_names_the_same_kind_as_the_model():
    assert AnswerKind.ESTIMATE.value == ESTIMATE_KIND


def test_an_estimate_answer_is_checked_against_its_version():
    assert estimate_for(answer("estimate", 105.0)).status is EstimateStatus.WITHIN
    assert estimate_for(answer("estimate", 120.0)).status is EstimateStatus.OUTSIDE
    assert estimate_for(answer("estimate", None)).status is EstimateStatus.UNANSWERED
    assert estimate_for(answer("estimate", 100.0, "EUR")).unit_mismatch


def test_other_answer_kinds_have_no_estimate_check():
    assert estimate_for(answer("text", 105.0)) is None
    assert estimate_for(answer("code", None)) is None
