"""Readiness per stage and progress series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.progress import ScoredRound, readiness, skill_series, stage_scores, stage_series

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("scores", "level"),
    [
        ([], "not_started"),
        ([100.0], "nearly"),  # one round is never "ready"
        ([80.0, 76.0], "ready"),
        ([90.0, 90.0, 65.0], "nearly"),  # mean 81.7 but the latest is below 70
        ([10.0, 80.0, 80.0, 80.0], "ready"),  # only the last three count
        ([60.0, 50.0], "nearly"),  # mean 55
        ([40.0, 60.0], "not_yet"),
    ],
)
def test_readiness_rule(scores, level):
    assert readiness(scores).level == level


def test_readiness_reports_mean_and_latest():
    r = readiness([50.0, 70.0, 90.0, 100.0])
    assert r.rounds == 3 and r.recent_mean == pytest.approx(260 / 3) and r.latest == 100.0


def test_series_group_by_skill_and_stage():
    rounds = [
        ScoredRound(T0, "system_design", 50.0, {"mlops": 40.0, "ml_system_design": 60.0}),
        ScoredRound(T0 + timedelta(days=1), "technical_phone", None, {}),
        ScoredRound(T0 + timedelta(days=2), "system_design", 70.0, {"mlops": 80.0}),
    ]
    skills = skill_series(rounds, {"mlops": "MLOps", "ml_system_design": "ML system design"})
    assert [s.name for s in skills] == ["ML system design", "MLOps"]
    assert [p.value for p in skills[1].points] == [40.0, 80.0]
    stages = stage_series(rounds, {"technical_phone": "Phone", "system_design": "Design"})
    assert [s.name for s in stages] == ["Design"]  # unscored rounds are not plotted
    assert stage_scores(rounds) == {"system_design": [50.0, 70.0]}
