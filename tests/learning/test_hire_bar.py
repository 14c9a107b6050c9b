"""Scores that mean what they say (issue 18): a rubric's hire bar sets the report's strength
and gap thresholds and readiness; a report scored before keeps its 75/50 verdicts byte for
byte, because the thresholds it was scored with are stored with it."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from app.domain import hirebar
from app.domain.progress import readiness
from app.domain.scoring import criteria_from_json
from app.extensions import db
from app.models.bank import RubricVersion
from app.models.scoring import SelfAssessment
from tests import factories
from tests.learning import helpers
from tests.learning.conftest import Round
from tests.learning.test_report_routes import _score_and_finish

FROZEN = "2026-03-02 15:00:00"
PATHS = ("", ".md", ".json", ".csv")


def _round(app, login_as, hire_bar):
    user_id = login_as("candidate")
    with app.app_context():
        rubric = factories.rubric(hire_bar=hire_bar)
        question = factories.question(rubric_obj=rubric)
        session = helpers.practice_session(user_id, [question])
        return Round(user_id, session.id, [i.id for i in session.items])


def _solid_everywhere(client, r):
    # 1-4 scales: Solid (3) on every criterion scores 67 — the bank's hire bar
    _score_and_finish(client, r, {(0, 0): 3, (0, 1): 3, (0, 2): 3})


def test_a_solid_answer_is_a_strength_when_the_rubric_sets_the_bar_at_solid(app, client, login_as):
    r = _round(app, login_as, hire_bar=3)
    _solid_everywhere(client, r)
    page = client.get(r.report_url).get_data(as_text=True)
    assert "A criterion at 67 or more is a strength; below 33 it is a gap." in page
    data = client.get(f"{r.report_url}.json").get_json()
    assert sorted(data["strengths"]) == ["cost_modeling", "failure_modes", "latency_budget"]
    assert all(c["verdict"] == "strength" for c in data["criteria"])
    with app.app_context():
        summary = db.session.scalars(db.select(SelfAssessment)).one().summary
    assert summary["thresholds"]["cost_modeling"] == pytest.approx([200 / 3, 100 / 3])


def test_without_a_hire_bar_the_fixed_thresholds_stay(app, client, login_as):
    r = _round(app, login_as, hire_bar=None)
    _solid_everywhere(client, r)
    data = client.get(f"{r.report_url}.json").get_json()
    assert data["strengths"] == [] and {c["verdict"] for c in data["criteria"]} == {"developing"}
    assert "A criterion at 75 or more is a strength; below 50 it is a gap." in (
        client.get(r.report_url).get_data(as_text=True)
    )


def test_a_report_scored_before_hire_bars_renders_byte_identically(app, client, login_as):
    with freeze_time(FROZEN):
        r = _round(app, login_as, hire_bar=None)
        _solid_everywhere(client, r)
        with app.app_context():
            # as a report scored before this change was stored: no thresholds in it
            assessment = db.session.scalars(db.select(SelfAssessment)).one()
            assessment.summary = {
                k: v for k, v in assessment.summary.items() if k not in ("thresholds", "ready_at")
            }
            db.session.commit()
        client.get(r.report_url)  # clears the "scoring finished" flash
        before = {p: client.get(f"{r.report_url}{p}").data for p in PATHS}
        with app.app_context():
            # the pinned version now declares a bar (as the upgraded bank does): the old
            # report keeps the verdicts it was scored with
            db.session.scalars(db.select(RubricVersion)).one().hire_bar = 3
            db.session.commit()
        after = {p: client.get(f"{r.report_url}{p}").data for p in PATHS}
    assert after == before
    assert b'"verdict": "developing"' in after[".json"]


def test_thresholds_follow_the_hire_bar_level_of_each_scale():
    four = criteria_from_json([{"key": "k", "title": "K", "levels": factories.levels(4)}])[0]
    five = criteria_from_json([{"key": "k", "title": "K", "levels": factories.levels(5)}])[0]
    bar = hirebar.for_criterion(four, 3)
    assert (bar.strength_at, bar.gap_below) == pytest.approx((200 / 3, 100 / 3))
    assert hirebar.for_criterion(five, 4) == hirebar.LEGACY  # 0-100 at 75 / 50, as before
    assert hirebar.for_criterion(four, None) == hirebar.LEGACY
    assert hirebar.for_criterion(four, 9) == hirebar.LEGACY  # not a level of this scale


def test_readiness_reaches_ready_with_solid_rounds_under_the_bar():
    solid = 200 / 3
    bar = hirebar.Thresholds(200 / 3, 100 / 3)
    assert readiness([solid, solid], bar).level == "ready"
    assert readiness([solid, solid]).level == "nearly"  # the fixed 75 needs Strong marks
    assert readiness([40.0, 40.0], bar).level == "nearly"
    assert readiness([30.0, 30.0], bar).level == "not_yet"
