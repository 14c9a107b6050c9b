"""Mock loops: rounds in order, each unlocked when the previous is submitted, gaps shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models.bank import LoopPlan
from app.models.practice import LoopRun, PracticeSession
from tests import factories

# Tue 3 Mar 2026, 16:40 in Berlin
TUESDAY = datetime(2026, 3, 3, 15, 40, tzinfo=UTC)


@pytest.fixture
def plan(app):
    """Screen -> (12 h, not before 09:00) phone -> (30 min) design."""
    with app.app_context():
        formats = []
        for stage, minutes in (
            ("recruiter_screen", 15),
            ("technical_phone", 45),
            ("system_design", 60),
        ):
            formats.append(
                factories.round_format(stage, minutes=minutes, count=1, name=f"{stage} fmt")
            )
            factories.question(stage)
        plan = factories.loop_plan(formats, gaps=[0, 720, 30])
        plan = db.session.get(LoopPlan, plan.id)
        plan.steps[1].opens_at = "09:00"
        plan.steps[1].label = "Technical phone"
        db.session.commit()
        return plan.id


def latest_run(app) -> int:
    with app.app_context():
        return db.session.scalar(select(LoopRun.id).order_by(LoopRun.id.desc()))


def session_of_step(app, run_id, position):
    with app.app_context():
        return db.session.scalar(
            select(PracticeSession.id).where(
                PracticeSession.loop_run_id == run_id, PracticeSession.loop_position == position
            )
        )


def test_loop_runs_rounds_in_order_with_gaps(app, client, login_as, plan, auth):
    with freeze_time(TUESDAY) as frozen:
        login_as(timezone="Europe/Berlin", email="looper@example.com")
        response = client.post("/practice/loops", data={"plan_id": plan})
        run_id = latest_run(app)
        assert response.headers["Location"].endswith(f"/practice/loops/{run_id}")
        page = client.get(f"/practice/loops/{run_id}").get_data(as_text=True)
        assert "Open now" in page and page.count("Locked until") == 2

        # the second step cannot be started before the first is done
        early = client.post(f"/practice/loops/{run_id}/steps/1", follow_redirects=True)
        assert "Finish the earlier rounds" in early.get_data(as_text=True)

        client.post(f"/practice/loops/{run_id}/steps/0")
        first = session_of_step(app, run_id, 0)
        assert first is not None
        page = client.get(f"/practice/loops/{run_id}").get_data(as_text=True)
        assert "In progress" in page

        frozen.move_to(TUESDAY + timedelta(minutes=10))
        client.post(f"/practice/sessions/{first}/submit")
        page = client.get(f"/practice/loops/{run_id}").get_data(as_text=True)
        assert "Opens tomorrow at 09:00 your time" in page
        refused = client.post(f"/practice/loops/{run_id}/steps/1", follow_redirects=True)
        assert "Technical phone opens tomorrow at 09:00 your time" in refused.get_data(as_text=True)
        assert session_of_step(app, run_id, 1) is None

        frozen.move_to(datetime(2026, 3, 4, 8, 0, tzinfo=UTC))  # Wed 09:00 Berlin
        auth.login("looper@example.com")  # sign-ins last 12 h; a new day, a new sign-in
        started = client.post(f"/practice/loops/{run_id}/steps/1")
        second = session_of_step(app, run_id, 1)
        assert started.headers["Location"].endswith(f"/practice/sessions/{second}")
        client.post(f"/practice/sessions/{second}/submit")

        page = client.get(f"/practice/loops/{run_id}").get_data(as_text=True)
        assert "opens today at 09:30 your time" in page.lower()
        frozen.move_to(datetime(2026, 3, 4, 8, 30, tzinfo=UTC))
        client.post(f"/practice/loops/{run_id}/steps/2")
        third = session_of_step(app, run_id, 2)
        client.post(f"/practice/sessions/{third}/submit")
    with app.app_context():
        run = db.session.get(LoopRun, run_id)
        assert run.status == "finished"
        assert run.finished_at == datetime(2026, 3, 4, 8, 30, tzinfo=UTC)


def test_an_expired_loop_round_still_unlocks_the_next(app, client, login_as, plan):
    with freeze_time(TUESDAY) as frozen:
        login_as(timezone="UTC")
        client.post("/practice/loops", data={"plan_id": plan})
        run_id = latest_run(app)
        client.post(f"/practice/loops/{run_id}/steps/0")
        frozen.move_to(TUESDAY + timedelta(hours=1))  # the 15-minute screen ran out
        page = client.get(f"/practice/loops/{run_id}").get_data(as_text=True)
    assert "Done" in page
    assert "Opens tomorrow at 09:00 your time" in page  # 12 h after the 15:55 deadline


def test_starting_the_same_step_twice_goes_back_to_its_round(app, client, login_as, plan):
    login_as()
    client.post("/practice/loops", data={"plan_id": plan})
    run_id = latest_run(app)
    first = client.post(f"/practice/loops/{run_id}/steps/0")
    again = client.post(f"/practice/loops/{run_id}/steps/0")
    assert first.headers["Location"] == again.headers["Location"]


def test_one_active_loop_at_a_time(app, client, login_as, plan):
    login_as()
    client.post("/practice/loops", data={"plan_id": plan})
    run_id = latest_run(app)
    again = client.post("/practice/loops", data={"plan_id": plan}, follow_redirects=True)
    assert "already in a mock loop" in again.get_data(as_text=True)
    assert latest_run(app) == run_id


def test_leaving_a_loop(app, client, login_as, plan):
    login_as()
    client.post("/practice/loops", data={"plan_id": plan})
    run_id = latest_run(app)
    assert client.post(f"/practice/loops/{run_id}/leave").status_code == 302
    with app.app_context():
        assert db.session.get(LoopRun, run_id).status == "abandoned"
    refused = client.post(f"/practice/loops/{run_id}/steps/0", follow_redirects=True)
    assert "This loop is over" in refused.get_data(as_text=True)
    assert client.post("/practice/loops", data={"plan_id": plan}).status_code == 302


def test_index_links_the_active_loop(app, client, login_as, plan):
    login_as()
    client.post("/practice/loops", data={"plan_id": plan})
    run_id = latest_run(app)
    page = client.get("/practice/").get_data(as_text=True)
    assert f'href="/practice/loops/{run_id}"' in page


def test_another_users_loop_is_404(app, client, login_as, plan, auth, make_user):
    login_as()
    client.post("/practice/loops", data={"plan_id": plan})
    run_id = latest_run(app)
    auth.logout()
    make_user(email="nosy@example.com")
    auth.login("nosy@example.com")
    assert client.get(f"/practice/loops/{run_id}").status_code == 404
    assert client.post(f"/practice/loops/{run_id}/steps/0").status_code == 404
    assert client.post(f"/practice/loops/{run_id}/leave").status_code == 404


def test_loop_page_query_count_does_not_grow(app, client, login_as, plan):
    from sqlalchemy import event

    login_as()
    client.post("/practice/loops", data={"plan_id": plan})
    run_id = latest_run(app)
    client.post(f"/practice/loops/{run_id}/steps/0")
    with app.app_context():
        engine = db.engine
    counts = []

    def count(*_args, **_kwargs):
        counts[-1] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(2):
            counts.append(0)
            assert client.get(f"/practice/loops/{run_id}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1] and counts[0] < 25
