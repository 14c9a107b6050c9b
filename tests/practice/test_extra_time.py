"""Extra time (issue 18): an admin or the candidate's linked coach sets a multiplier (1, 1.25,
1.5, 2; audited); every round's deadline is start + length x multiplier, pinned at start,
and the round page says "45 min + 25 % extra time"."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.domain import timing
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.practice import LoopRun
from app.models.users import User
from tests import factories
from tests.coach.builders import link
from tests.practice.conftest import START, get_session, only_session_id


def _multiplier(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).time_multiplier


def _audits(app):
    with app.app_context():
        return [
            (e.actor_id, e.target_id, e.details["old"], e.details["new"], e.details["via"])
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "user.extra_time")
            )
        ]


def test_pure_rules():
    assert timing.allowed_multiplier("1.25") == 1.25
    assert timing.allowed_multiplier(2) == 2.0
    for bad in ("1.3", "0", "-1", "nan", "inf", "", None, "2x", "1e309"):
        assert timing.allowed_multiplier(bad) is None
    assert timing.extended_minutes(45, 1.25) == 56.25
    assert timing.extended_minutes(45, 1.5) == 67.5
    assert timing.extended_minutes(45, 7.0) == 45  # not an allowed value: no change
    round_ = SimpleNamespace(
        started_at=START, deadline_at=START + timedelta(minutes=67.5), time_multiplier=1.5
    )
    assert timing.extra_time_label(round_) == "45 min + 50 % extra time"
    round_.time_multiplier = 1.0
    assert timing.extra_time_label(round_) == ""


def test_admin_sets_extra_time_and_it_is_audited(app, client, login_as, make_user):
    admin = login_as("admin")
    candidate = make_user()
    response = client.post(f"/admin/users/{candidate}/extra-time", data={"time_multiplier": "1.5"})
    assert response.status_code == 302
    assert _multiplier(app, candidate) == 1.5
    assert _audits(app) == [(admin, str(candidate), 1.0, 1.5, "admin")]
    page = client.get("/admin/users").get_data(as_text=True)
    assert '<option value="1.5" selected>1.5× (+50 %)</option>' in page


@pytest.mark.parametrize("value", ["1.3", "3", "0", "-2", "", "abc", "1" * 50])
def test_other_values_are_refused_with_a_message(app, client, login_as, make_user, value):
    login_as("admin")
    candidate = make_user()
    client.post(f"/admin/users/{candidate}/extra-time", data={"time_multiplier": value})
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Extra time is one of 1× (none), 1.25×, 1.5× or 2×; nothing was changed." in page
    assert _multiplier(app, candidate) == 1.0 and _audits(app) == []


def test_only_for_candidates_and_only_for_admins(app, client, login_as, make_user):
    login_as("admin")
    coach, candidate = make_user(role="coach"), make_user()
    nul = client.post(f"/admin/users/{candidate}/extra-time", data={"time_multiplier": "2\x00"})
    assert nul.status_code == 422 and _multiplier(app, candidate) == 1.0
    client.post(f"/admin/users/{coach}/extra-time", data={"time_multiplier": "2"})
    assert _multiplier(app, coach) == 1.0
    assert (
        client.post("/admin/users/999999/extra-time", data={"time_multiplier": "2"}).status_code
        == 404
    )


def test_a_linked_coach_sets_it_an_unlinked_one_cannot(app, client, login_as, make_user):
    coach = login_as("coach")
    linked, other = make_user(), make_user()
    with app.app_context():
        link(coach, linked)
    page = client.get(f"/coach/candidates/{linked}").get_data(as_text=True)
    assert "Set extra time" in page
    client.post(f"/coach/candidates/{linked}/extra-time", data={"time_multiplier": "1.25"})
    assert _multiplier(app, linked) == 1.25
    response = client.post(f"/coach/candidates/{other}/extra-time", data={"time_multiplier": "2"})
    assert response.status_code == 404 and _multiplier(app, other) == 1.0
    assert _audits(app) == [(coach, str(linked), 1.0, 1.25, "coach")]


def test_a_candidate_cannot_set_their_own(app, client, login_as):
    me = login_as()
    assert (
        client.post(f"/admin/users/{me}/extra-time", data={"time_multiplier": "2"}).status_code
        == 403
    )
    assert _multiplier(app, me) == 1.0


@freeze_time(START)
def test_the_deadline_honours_it_and_is_pinned_at_start(app, client, login_as, make_bank):
    me = login_as()
    bank = make_bank(minutes=45, count=1)
    with app.app_context():
        db.session.get(User, me).time_multiplier = 1.25
        db.session.commit()
    assert "45 min + 25 % extra time" in client.get("/practice/").get_data(as_text=True)
    client.post("/practice/rounds", data={"format_id": bank.format_id})
    session_id = only_session_id(app)
    session = get_session(app, session_id)
    assert session.time_multiplier == 1.25
    assert session.deadline_at == START + timedelta(minutes=56, seconds=15)
    page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert "45 min + 25 % extra time" in page
    # a later change never moves the running round
    with app.app_context():
        db.session.get(User, me).time_multiplier = 2.0
        db.session.commit()
    assert get_session(app, session_id).deadline_at == START + timedelta(minutes=56, seconds=15)
    assert "45 min + 25 % extra time" in client.get(f"/practice/sessions/{session_id}").get_data(
        as_text=True
    )


@freeze_time(START)
def test_timed_drills_and_loop_rounds_honour_it_untimed_drills_do_not(app, client, login_as):
    me = login_as(time_multiplier=2.0)
    with app.app_context():
        q = factories.question(suggested_minutes=20)
        key = q.key
    client.post("/practice/drills", data={"question": key, "mode": "timed"})
    timed = get_session(app, only_session_id(app))
    assert timed.deadline_at == START + timedelta(minutes=40)
    assert "20 min + 100 % extra time" in client.get(f"/practice/sessions/{timed.id}").get_data(
        as_text=True
    )
    client.post("/practice/drills", data={"question": key, "mode": "untimed"})
    untimed = get_session(app, only_session_id(app))
    assert untimed.untimed and untimed.time_multiplier == 1.0
    assert untimed.deadline_at == START + timedelta(hours=48)
    client.post(f"/practice/sessions/{timed.id}/submit", data={})
    with app.app_context():
        fmt = factories.round_format("technical_phone", minutes=30)
        factories.question("technical_phone")
        plan_id = factories.loop_plan([fmt]).id
    client.post("/practice/loops", data={"plan_id": plan_id})
    with app.app_context():
        run_id = db.session.scalar(select(LoopRun.id).where(LoopRun.user_id == me))
    client.post(f"/practice/loops/{run_id}/steps/0", data={})
    looped = get_session(app, only_session_id(app))
    assert looped.loop_run_id == run_id and looped.time_multiplier == 2.0
    assert looped.deadline_at == START + timedelta(minutes=60)
