"""Loops at your pace (issue 18): "as scheduled" keeps the plan's gaps; "back to back" opens
the next round as soon as the previous one is submitted, and the submit offers it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from app.domain import loops as loop_rules
from app.extensions import db
from app.models.practice import LoopRun
from tests.practice.test_loop_routes import latest_run, plan, session_of_step  # noqa: F401

TUESDAY = datetime(2026, 3, 3, 15, 40, tzinfo=UTC)


def test_back_to_back_ignores_gaps_and_opening_times():
    steps = [
        loop_rules.StepInput(0, None, "submitted", TUESDAY),
        loop_rules.StepInput(720, "09:00"),
    ]
    scheduled = loop_rules.schedule(TUESDAY, steps, TUESDAY, "Europe/Berlin")
    assert scheduled[1].state == loop_rules.WAITING
    paced = loop_rules.schedule(TUESDAY, steps, TUESDAY, "Europe/Berlin", pace="back_to_back")
    assert paced[1].state == loop_rules.OPEN and paced[1].opens == TUESDAY


@freeze_time(TUESDAY)
def test_back_to_back_loop_opens_the_next_round_on_submit(app, client, login_as, plan):  # noqa: F811
    login_as(timezone="Europe/Berlin")
    client.post("/practice/loops", data={"plan_id": plan, "pace": "back_to_back"})
    run_id = latest_run(app)
    page = client.get(f"/practice/loops/{run_id}").get_data(as_text=True)
    assert "Pace: back to back" in page and "12 h after the previous round" not in page
    client.post(f"/practice/loops/{run_id}/steps/0", data={})
    first = session_of_step(app, run_id, 0)
    response = client.post(f"/practice/sessions/{first}/submit", data={})
    assert response.headers["Location"].endswith(f"/practice/loops/{run_id}")
    page = client.get(f"/practice/loops/{run_id}").get_data(as_text=True)
    assert "Your next round is open" in page
    assert "Start next round: Technical phone" in page
    response = client.post(f"/practice/loops/{run_id}/steps/1", data={})
    assert response.status_code == 302 and session_of_step(app, run_id, 1) is not None


@freeze_time(TUESDAY)
def test_as_scheduled_is_the_default_and_keeps_the_gap(app, client, login_as, plan):  # noqa: F811
    login_as(timezone="Europe/Berlin")
    client.post("/practice/loops", data={"plan_id": plan})
    run_id = latest_run(app)
    with app.app_context():
        assert db.session.get(LoopRun, run_id).pace == "scheduled"
    client.post(f"/practice/loops/{run_id}/steps/0", data={})
    first = session_of_step(app, run_id, 0)
    response = client.post(f"/practice/sessions/{first}/submit", data={})
    assert "/feedback/sessions/" in response.headers["Location"]  # on to self-scoring
    response = client.post(f"/practice/loops/{run_id}/steps/1", data={})
    assert session_of_step(app, run_id, 1) is None  # still waiting for its gap


@pytest.mark.parametrize("pace", ["sideways", "x" * 300, "BACK_TO_BACK"])
def test_an_unknown_pace_is_refused(app, client, login_as, plan, pace):  # noqa: F811
    login_as()
    response = client.post("/practice/loops", data={"plan_id": plan, "pace": pace})
    assert response.status_code == 302 and latest_run(app) is None
