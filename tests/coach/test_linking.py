"""Linking: invite codes and links, unlinking, a coach removing a candidate."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.coach import services
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.review import CoachLink, Notification
from app.models.users import User
from tests.coach import builders
from tests.coach.conftest import login
from tests.factories import PASSWORD


def login_with_csrf(app, client, user_id):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    with app.app_context():
        email = db.session.get(User, user_id).email
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def code_of(app, coach_id):
    with app.app_context():
        return db.session.get(User, coach_id).invite_code


def links(app):
    with app.app_context():
        return [(lk.coach_id, lk.candidate_id) for lk in db.session.scalars(select(CoachLink))]


def test_coach_creates_and_rotates_invite_code(app, client, login_as):
    coach_id = login_as("coach")
    page = client.get("/coach/").get_data(as_text=True)
    assert "Create invite code" in page
    assert client.post("/coach/invite-code").status_code == 302
    first = code_of(app, coach_id)
    assert first and len(first) == 9 and first[4] == "-"
    page = client.get("/coach/").get_data(as_text=True)
    assert first in page and f"/coaching/join/{first}" in page
    client.post("/coach/invite-code")
    second = code_of(app, coach_id)
    assert second != first
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "coach.invite_create" in actions and "coach.invite_rotate" in actions


def test_candidate_links_with_code_typed_loosely(app, client, make_user, login_as):
    coach_id = make_user("coach", display_name="Coach Carla")
    with app.app_context():
        code = services.rotate_invite_code(coach_id)
    candidate_id = login_as("candidate")
    typed = " " + code.lower().replace("-", " ") + " "
    response = client.post("/coaching/link", data={"code": typed})
    assert response.status_code == 302
    assert links(app) == [(coach_id, candidate_id)]
    page = client.get("/coaching/").get_data(as_text=True)
    assert "Coach Carla" in page and "Unlink" in page
    with app.app_context():
        note = db.session.scalar(select(Notification).where(Notification.user_id == coach_id))
    assert note.kind == "candidate_linked" and f"/coach/candidates/{candidate_id}" == note.link
    # linking again is harmless
    client.post("/coaching/link", data={"code": code})
    assert len(links(app)) == 1


def test_wrong_code_is_refused_next_to_the_field_and_kept(app, client, make_user, login_as):
    coach_id = make_user("coach")
    with app.app_context():
        services.rotate_invite_code(coach_id)
    login_as("candidate")
    response = client.post("/coaching/link", data={"code": "ZZZZ-9999"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "No coach has this invite code" in page
    assert 'value="ZZZZ-9999"' in page and 'aria-invalid="true"' in page
    assert links(app) == []


def test_empty_code_gets_a_message(client, login_as):
    login_as("candidate")
    response = client.post("/coaching/link", data={"code": "  "})
    assert response.status_code == 422
    assert "Enter the code your coach gave you." in response.get_data(as_text=True)


def test_a_rotated_code_no_longer_links(app, client, make_user, login_as):
    coach_id = make_user("coach")
    with app.app_context():
        old = services.rotate_invite_code(coach_id)
        services.rotate_invite_code(coach_id)
    login_as("candidate")
    assert client.post("/coaching/link", data={"code": old}).status_code == 422
    assert client.get(f"/coaching/join/{old}").status_code == 404
    assert links(app) == []


def test_code_of_a_non_coach_or_inactive_coach_does_not_link(app, make_user):
    candidate_id = make_user("candidate")
    admin_id = make_user("admin", invite_code="ABCD-2345")
    inactive = make_user("coach", invite_code="WXYZ-6789", active=False)
    with app.app_context():
        for code in ("ABCD-2345", "WXYZ-6789"):
            with pytest.raises(services.CoachError):
                services.link_coach(candidate_id, code, now=utcnow())
    assert admin_id and inactive and links(app) == []


def test_a_coach_cannot_link_themselves(app, make_user):
    coach_id = make_user("coach")
    with app.app_context():
        code = services.rotate_invite_code(coach_id)
        with pytest.raises(services.CoachError, match="your own invite code"):
            services.link_coach(coach_id, code, now=utcnow())


def test_invite_link_get_confirms_and_only_post_links(app, client, make_user, login_as):
    coach_id = make_user("coach", display_name="Coach Carla")
    with app.app_context():
        code = services.rotate_invite_code(coach_id)
    login_as("candidate")
    page = client.get(f"/coaching/join/{code}")
    assert page.status_code == 200
    assert "Coach Carla" in page.get_data(as_text=True)
    assert links(app) == []  # never link on GET
    assert client.post(f"/coaching/join/{code}").status_code == 302
    assert len(links(app)) == 1
    assert "already your coach" in client.get(f"/coaching/join/{code}").get_data(as_text=True)


def test_invite_link_when_signed_out_goes_to_sign_in_and_back(app, client, make_user):
    coach_id = make_user("coach")
    with app.app_context():
        code = services.rotate_invite_code(coach_id)
    response = client.get(f"/coaching/join/{code}")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"] and code in response.headers["Location"]


def test_invite_link_for_someone_without_an_account_survives_sign_up(
    app, client, make_user, mailbox
):
    """A new candidate opens the invite link, signs up from the sign-in page, opens the
    emailed link (which confirms the address) and lands back on the invite, which links."""
    from urllib.parse import unquote

    coach_id = make_user("coach", display_name="Coach Carla")
    with app.app_context():
        code = services.rotate_invite_code(coach_id)
    login_url = client.get(f"/coaching/join/{code}").headers["Location"]
    login_page = client.get(login_url).get_data(as_text=True)
    register_url = re.search(r'href="(/register\?next=[^"]+)"', login_page).group(1)
    assert code in unquote(register_url)
    register_page = client.get(register_url.replace("&amp;", "&")).get_data(as_text=True)
    assert f'value="/coaching/join/{code}"' in register_page  # the hidden next field
    response = client.post(
        "/register",
        data={
            "email": "new.candidate@example.com",
            "display_name": "New Candidate",
            "password": "a long enough passphrase here",
            "confirm": "a long enough passphrase here",
            "next": f"/coaching/join/{code}",
        },
    )
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    finish = mailbox.wait_for("new.candidate@example.com").link("/register/finish/")
    response = client.post(finish.replace("http://localhost", ""))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/coaching/join/{code}"
    assert "Coach Carla" in client.get(f"/coaching/join/{code}").get_data(as_text=True)
    assert links(app) == []
    assert client.post(f"/coaching/join/{code}").status_code == 302
    assert len(links(app)) == 1


def test_sign_up_does_not_follow_an_offsite_next(client, mailbox):
    client.post(
        "/register",
        data={
            "email": "someone@example.com",
            "display_name": "Someone",
            "password": "a long enough passphrase here",
            "confirm": "a long enough passphrase here",
            "next": "//evil.example.com/",
        },
    )
    finish = mailbox.wait_for("someone@example.com").link("/register/finish/")
    response = client.post(finish.replace("http://localhost", ""))
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"


def test_unlinking_removes_access_at_once(app, client, auth, world):
    login(app, auth, world.coach_id)
    assert client.get(f"/coach/sessions/{world.session_id}").status_code == 200
    auth.logout()
    login(app, auth, world.candidate_id)
    response = client.post(f"/coaching/coaches/{world.coach_id}/unlink")
    assert response.status_code == 302
    assert links(app) == []
    auth.logout()
    login(app, auth, world.coach_id)
    assert client.get(f"/coach/sessions/{world.session_id}").status_code == 404
    assert client.get(f"/coach/candidates/{world.candidate_id}").status_code == 404
    with app.app_context():
        assert "coach.unlink" in db.session.scalars(select(AuditEvent.action)).all()


def test_unlinking_a_coach_you_do_not_have_is_404(client, world, make_user, login_as):
    login_as("candidate")
    assert client.post(f"/coaching/coaches/{world.coach_id}/unlink").status_code == 404
    assert len(world.__dict__) == 3


def test_coach_removes_candidate(app, client, as_coach):
    world = as_coach
    page = client.get("/coach/candidates").get_data(as_text=True)
    assert "Cand Dee" in page
    response = client.post(f"/coach/candidates/{world.candidate_id}/remove")
    assert response.status_code == 302
    assert links(app) == []
    assert client.get(f"/coach/sessions/{world.session_id}").status_code == 404
    assert "Cand Dee" not in client.get("/coach/candidates").get_data(as_text=True)
    assert client.post(f"/coach/candidates/{world.candidate_id}/remove").status_code == 404


def test_candidate_sees_their_coaches_only(app, client, make_user, login_as):
    coach_a = make_user("coach", display_name="Coach Alpha")
    coach_b = make_user("coach", display_name="Coach Beta")
    other = make_user("candidate")
    with app.app_context():
        builders.link(coach_b, other)
    me = login_as("candidate")
    with app.app_context():
        builders.link(coach_a, me)
    page = client.get("/coaching/").get_data(as_text=True)
    assert "Coach Alpha" in page and "Coach Beta" not in page


@pytest.mark.csrf
def test_linking_needs_csrf(app, client, make_user):
    coach_id = make_user("coach")
    candidate_id = make_user("candidate")
    with app.app_context():
        code = services.rotate_invite_code(coach_id)
    login_with_csrf(app, client, candidate_id)
    assert client.post("/coaching/link", data={"code": code}).status_code == 400
    assert client.post(f"/coaching/join/{code}").status_code == 400
    assert links(app) == []
