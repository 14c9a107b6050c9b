"""Sharing all or selected sessions, and in-app notifications."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.models.practice import PracticeSession
from app.models.review import Notification
from app.models.users import User
from app.practice import lifecycle
from tests.coach import builders
from tests.coach.conftest import login


def notes(app, user_id):
    with app.app_context():
        return [
            (n.kind, n.link)
            for n in db.session.scalars(
                select(Notification)
                .where(Notification.user_id == user_id)
                .order_by(Notification.id)
            )
        ]


def test_default_is_all_and_the_badge_says_so(app, client, as_candidate):
    html = client.get("/coaching/").get_data(as_text=True)
    assert re.search(r'<input checked id="mode-0"[^>]*value="all"', html)
    assert "Visible to your coaches" in html


def test_selected_sharing_hides_until_shared(app, client, auth, world):
    login(app, auth, world.candidate_id)
    assert client.post("/coaching/sharing", data={"mode": "selected"}).status_code == 302
    html = client.get("/coaching/").get_data(as_text=True)
    assert "Private" in html and "Share with coaches" in html
    auth.logout()
    login(app, auth, world.coach_id)
    assert client.get(f"/coach/sessions/{world.session_id}").status_code == 404
    auth.logout()
    login(app, auth, world.candidate_id)
    response = client.post(
        f"/coaching/sessions/{world.session_id}/share", data={"shared": "1", "next": "/coaching/"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/coaching/")
    assert "Shared with your coaches" in client.get("/coaching/").get_data(as_text=True)
    assert notes(app, world.coach_id) == [
        ("session_to_review", f"/coach/sessions/{world.session_id}")
    ]
    auth.logout()
    login(app, auth, world.coach_id)
    assert client.get(f"/coach/sessions/{world.session_id}").status_code == 200
    auth.logout()
    login(app, auth, world.candidate_id)
    client.post(f"/coaching/sessions/{world.session_id}/share", data={"shared": "0"})
    auth.logout()
    login(app, auth, world.coach_id)
    assert client.get(f"/coach/sessions/{world.session_id}").status_code == 404


def test_bad_sharing_input_changes_nothing(app, client, as_candidate):
    w = as_candidate
    assert client.post("/coaching/sharing", data={"mode": "everyone"}).status_code == 422
    assert (
        client.post(f"/coaching/sessions/{w.session_id}/share", data={"shared": "x"}).status_code
        == 422
    )
    with app.app_context():
        assert db.session.get(User, w.candidate_id).coach_sharing == "all"
        assert db.session.get(PracticeSession, w.session_id).shared_with_coaches is False


def test_finishing_a_session_notifies_linked_coaches(app, make_user, world):
    other_coach = make_user("coach")  # not linked: no notification
    with app.app_context():
        sid = builders.session(world.candidate_id, status="in_progress").id
        assert lifecycle.finalise_overdue(sid, now=utcnow(), by="sweep")  # auto-submitted
    assert notes(app, world.coach_id) == [("session_to_review", f"/coach/sessions/{sid}")]
    assert notes(app, other_coach) == []


def test_finishing_an_unshared_session_notifies_nobody(app, world):
    with app.app_context():
        db.session.get(User, world.candidate_id).coach_sharing = "selected"
        sid = builders.session(world.candidate_id, status="in_progress").id
        session = lifecycle.submit_round(world.candidate_id, sid, now=utcnow())
        session.shared_with_coaches = False  # an unrelated later edit: no new notification
        db.session.commit()
    assert notes(app, world.coach_id) == []


def test_dashboard_panel_open_and_mark_all_read(app, client, as_coach):
    w = as_coach
    with app.app_context():
        sid = builders.session(w.candidate_id, status="in_progress").id
        lifecycle.submit_round(w.candidate_id, sid, now=utcnow())
        sid2 = builders.session(w.candidate_id, status="in_progress").id
        lifecycle.submit_round(w.candidate_id, sid2, now=utcnow())
    # a coach's home is the coach overview: /dashboard sends them there
    assert client.get("/dashboard").headers["Location"] == "/coach/"
    html = client.get("/coach/").get_data(as_text=True)
    assert "New session to review: Cand Dee, System Design." in html and "2 new" in html
    with app.app_context():
        first = db.session.scalar(select(Notification).order_by(Notification.id))
        first_id = first.id
    response = client.post(f"/coaching/notifications/{first_id}/open")
    assert response.headers["Location"].endswith(f"/coach/sessions/{sid}")
    assert "1 new" in client.get("/coach/").get_data(as_text=True)
    client.post("/coaching/notifications/read", data={"next": "/coach/"})
    html = client.get("/coach/").get_data(as_text=True)
    assert " new</span>" not in html and "Mark all as read" not in html


def test_nav_shows_coaches_to_candidates_only(client, app, auth, world):
    login(app, auth, world.candidate_id)
    assert 'href="/coaching/"' in client.get("/dashboard").get_data(as_text=True)
    auth.logout()
    login(app, auth, world.coach_id)
    html = client.get("/coach/").get_data(as_text=True)
    assert 'href="/coaching/"' not in html and 'href="/coach/"' in html
    assert 'href="/dashboard"' not in html  # the coach's home link is the coach overview


def test_sharing_is_shown_and_toggled_on_the_session_and_report_pages(app, client, as_candidate):
    """The choice is visible on each session: the finished round and its report say
    whether the coaches see it, and a shared-only candidate can share from there."""
    w = as_candidate
    with app.app_context():
        builders.self_score(w.session_id, {0: [3]})
    round_url = f"/practice/sessions/{w.session_id}"
    report_url = f"/feedback/sessions/{w.session_id}/report"
    for url in (round_url, report_url):
        html = client.get(url).get_data(as_text=True)
        assert "Visible to your coaches" in html, url
    client.post("/coaching/sharing", data={"mode": "selected"})
    for url in (round_url, report_url):
        html = client.get(url).get_data(as_text=True)
        assert "Private" in html and "Share with coaches" in html, url
    response = client.post(
        f"/coaching/sessions/{w.session_id}/share", data={"shared": "1", "next": report_url}
    )
    assert response.status_code == 302 and response.headers["Location"] == report_url
    html = client.get(report_url).get_data(as_text=True)
    assert "Shared with your coaches" in html and "Stop sharing" in html


def test_session_pages_say_so_when_no_coach_is_linked(app, client, make_user, login_as):
    candidate = login_as("candidate")
    with app.app_context():
        session_id = builders.session(candidate).id
    html = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert "You have no coach linked" in html and "Share with coaches" not in html
