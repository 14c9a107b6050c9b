"""Estimate checks: tolerance boundaries, ratios, zero references, units."""

from __future__ import annotations

import pytest

from app.domain.estimates import EstimateStatus, accuracy, check_estimate


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (100.0, "within"),
        (120.0, "within"),
        (80.0, "within"),
        (120.01, "outside"),
        (79.9, "outside"),
    ],
)
def test_tolerance_is_inclusive(answer, status):
    assert check_estimate(answer, 100.0, 20.0).status == status


def test_ratio_and_error():
    check = check_estimate(150.0, 100.0, 10.0)
    assert check.ratio == 1.5 and check.error_pct == pytest.approx(50.0)
    assert not check.within


def test_negative_reference_uses_magnitude():
    assert check_estimate(-90.0, -100.0, 10.0).within
    assert check_estimate(90.0, -100.0, 10.0).status is EstimateStatus.OUTSIDE


def test_zero_reference_has_no_ratio():
    assert check_estimate(0.0, 0.0, 10.0).within
    check = check_estimate(1.0, 0.0, 10.0)
    assert check.status is EstimateStatus.OUTSIDE and check.ratio is None


def test_missing_answer_or_reference():
    assert check_estimate(None, 10.0, 5.0).status is EstimateStatus.UNANSWERED
    assert check_estimate(3.0, None, 5.0).status is EstimateStatus.NO_REFERENCE


def test_unit_mismatch_is_flagged_not_converted():
    assert check_estimate(1.0, 1.0, 5.0, " gb ", "GB").unit_mismatch is False
    check = check_estimate(1000.0, 1.0, 5.0, "MB", "GB")
    assert check.unit_mismatch and check.status is EstimateStatus.OUTSIDE


def test_accuracy_counts_checked_only():
    result = accuracy(
        [
            check_estimate(1.0, 1.0, 5.0),
            check_estimate(3.0, 1.0, 5.0),
            check_estimate(None, 1.0, 5.0),
        ]
    )
    assert (result.checked, result.within, result.unanswered) == (2, 1, 1)
    assert result.within_pct == 50.0
    assert accuracy([]).within_pct is None
