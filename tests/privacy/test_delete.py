"""Delete my account: the person's data goes, published coach reviews and the audit stay."""

from __future__ import annotations

from sqlalchemy import func, select

from app.clock import utcnow
from app.coach import services as coach_services
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.practice import PracticeSession, SessionEvent, SessionQuestion
from app.models.review import CoachLink, Notification, Review, ReviewRevision
from app.models.scoring import SelfAssessment, SelfScore
from app.models.users import User
from tests.coach import builders
from tests.conftest import PASSWORD


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def reviewed_candidate(app, coach_id: int, candidate_id: int) -> tuple[int, int]:
    """A scored session of the candidate with a published review by the coach."""
    with app.app_context():
        builders.link(coach_id, candidate_id)
        session = builders.session(candidate_id, shared=True)
        builders.self_score(session.id, {0: [3, 2], 1: [2, 2]})
        session = db.session.get(PracticeSession, session.id)
        coach_services.publish(
            coach_id,
            session,
            coach_services.ReviewInput(strengths_md="Solid structure."),
            now=utcnow(),
        )
        review_id = db.session.scalar(select(Review.id).where(Review.session_id == session.id))
        return session.id, review_id


def test_a_candidate_deletes_everything_they_own(app, client, login_as, make_user, auth):
    me = login_as(email="leaving@example.com", display_name="Leaving Person")
    coach_id = make_user(role="coach")
    session_id, _ = reviewed_candidate(app, coach_id, me)
    page = client.get("/settings/data/").get_data(as_text=True)
    assert "This cannot be undone" in page and "every round" in page

    wrong = client.post("/settings/data/delete", data={"password": "not my password at all"})
    assert wrong.status_code == 422
    assert "nothing was deleted" in wrong.get_data(as_text=True)
    with app.app_context():
        assert count(PracticeSession, PracticeSession.user_id == me) == 1

    done = client.post("/settings/data/delete", data={"password": PASSWORD})
    assert done.status_code == 302 and done.location == "/login"
    assert client.get("/dashboard").status_code == 302  # signed out
    assert auth.login("leaving@example.com").status_code == 401
    with app.app_context():
        user = db.session.get(User, me)
        assert user.deleted_at is not None and not user.active
        assert "leaving" not in user.email and user.display_name == "a deleted account"
        assert count(PracticeSession, PracticeSession.user_id == me) == 0
        assert count(SessionQuestion, SessionQuestion.session_id == session_id) == 0
        assert count(SessionEvent, SessionEvent.session_id == session_id) == 0
        assert count(SelfAssessment, SelfAssessment.user_id == me) == 0
        assert count(SelfScore) == 0
        assert count(Review) == 0 and count(ReviewRevision) == 0  # reviews of my rounds
        assert count(CoachLink) == 0
        assert count(Notification, Notification.user_id == me) == 0
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == me)).all()
        assert "account.delete" in {e.action for e in events}
        assert all(e.ip is None for e in events)
        assert not any("leaving@example.com" in str(e.details) for e in events)


def test_reviews_a_deleted_coach_wrote_stay_signed_a_former_coach(
    app, client, login_as, make_user, auth
):
    coach_id = login_as(role="coach", email="retiring.coach@example.com", display_name="Coach Ret")
    candidate = make_user(email="kept.candidate@example.com")
    session_id, review_id = reviewed_candidate(app, coach_id, candidate)
    assert client.post("/settings/data/delete", data={"password": PASSWORD}).status_code == 302
    auth.login("kept.candidate@example.com")
    page = client.get(f"/coaching/reviews/{review_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Solid structure." in html and "a former coach" in html
    assert "Coach Ret" not in html
    report = client.get(f"/feedback/sessions/{session_id}/report").get_data(as_text=True)
    assert "a former coach" in report
    with app.app_context():
        assert count(CoachLink) == 0  # the coach no longer sees the candidate


def test_the_last_active_admin_cannot_delete_themself(app, client, login_as, make_user):
    me = login_as(role="admin")
    refused = client.post("/settings/data/delete", data={"password": PASSWORD})
    assert refused.status_code == 422
    assert "last active admin" in refused.get_data(as_text=True)
    via_admin = client.post(f"/admin/users/{me}/delete", data={"password": PASSWORD})
    assert via_admin.status_code == 422
    with app.app_context():
        assert db.session.get(User, me).deleted_at is None
    make_user(role="admin")
    assert client.post("/settings/data/delete", data={"password": PASSWORD}).status_code == 302


def test_an_admin_deletes_an_account_from_the_users_page(app, client, login_as, make_user, auth):
    admin = login_as(role="admin")
    victim = make_user(email="removed@example.com")
    users = client.get("/admin/users").get_data(as_text=True)
    assert f'href="/admin/users/{victim}/delete"' in users
    page = client.get(f"/admin/users/{victim}/delete")
    assert page.status_code == 200 and "removed@example.com" in page.get_data(as_text=True)
    assert (
        client.post(
            f"/admin/users/{victim}/delete", data={"password": "wrong wrong wrong"}
        ).status_code
        == 422
    )
    done = client.post(f"/admin/users/{victim}/delete", data={"password": PASSWORD})
    assert done.status_code == 302
    assert "removed@example.com" not in client.get("/admin/users").get_data(as_text=True)
    assert client.get(f"/admin/users/{victim}/delete").status_code == 404  # gone
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.delete"))
        assert event.actor_id == admin and event.target_id == str(victim)
    auth.logout()
    assert auth.login("removed@example.com").status_code == 401


def test_unknown_accounts_and_non_admins_are_refused(app, client, login_as, make_user):
    login_as(role="admin")
    assert client.get("/admin/users/999999/delete").status_code == 404
    other = app.test_client()
    make_user(email="plain@example.com")
    other.post("/login", data={"email": "plain@example.com", "password": PASSWORD})
    target = make_user()
    assert (
        other.post(f"/admin/users/{target}/delete", data={"password": PASSWORD}).status_code == 403
    )
