"""Sign-in: one message for every failure, normalised emails, fresh sessions, safe next=."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.users import User
from tests.conftest import PASSWORD

FAILURE = "Email or password is not right."


def events(app, action):
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_unknown_email_wrong_password_and_inactive_look_the_same(app, client, auth, make_user):
    make_user(email="known@example.com")
    make_user(email="gone@example.com", active=False)
    unknown = auth.login("nobody@example.com")
    wrong = auth.login("known@example.com", "not the right password at all")
    inactive = auth.login("gone@example.com")
    for response in (unknown, wrong, inactive):
        assert response.status_code == 401
        assert FAILURE in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    reasons = sorted(e.details["reason"] for e in events(app, "login.failed"))
    assert reasons == ["inactive", "unknown email", "wrong password"]


def test_email_is_case_and_whitespace_insensitive(app, client, auth, make_user):
    make_user(email="mixed.case@example.com")
    response = auth.login("  Mixed.CASE@Example.COM ")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    [login] = events(app, "login")
    assert login.actor_id is not None


def test_registering_the_same_email_in_other_case_makes_no_second_account(
    app, client, make_user, mailbox
):
    """Sign-up answers "check your inbox" as for a new address (so it reveals no account);
    the owner of the address gets the notice, and no second account appears."""
    make_user(email="taken@example.com")
    response = client.post(
        "/register",
        data={
            "email": " TAKEN@example.com",
            "display_name": "Someone",
            "password": "a long enough passphrase",
            "confirm": "a long enough passphrase",
        },
    )
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(as_text=True)
    notice = mailbox.wait_for("taken@example.com")
    assert notice.subject == "Someone tried to sign up to mockloop with your address"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_session_is_cleared_before_sign_in(client, auth, make_user):
    make_user(email="fixation@example.com")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert auth.login("fixation@example.com").status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.permanent


def test_login_id_is_the_server_side_sign_in_key(app, client, auth, make_user):
    """The cookie names a sign-in row (tests/accounts/test_signins.py), not the user."""
    from app.models.signins import SignIn

    user_id = make_user(email="token@example.com")
    auth.login("token@example.com")
    with app.app_context():
        key = db.session.scalar(db.select(SignIn.key).where(SignIn.user_id == user_id))
    with client.session_transaction() as session:
        assert session["_user_id"] == key


def test_successful_login_is_audited_and_stamped(app, auth, make_user):
    from app.models.users import User

    user_id = make_user(email="stamp@example.com")
    auth.login("stamp@example.com", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    with app.app_context():
        assert db.session.get(User, user_id).last_login_at is not None
    [event] = events(app, "login")
    assert event.actor_id == user_id


@pytest.mark.parametrize(
    "hostile",
    [
        "//evil.com",
        "https://evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "javascript:alert(1)",
        "/\t/evil.com",
        "http:/evil.com",
        "evil.com",
    ],
)
def test_hostile_next_goes_to_dashboard(client, make_user, hostile):
    make_user(email="next@example.com")
    response = client.post(
        "/login", data={"email": "next@example.com", "password": PASSWORD, "next": hostile}
    )
    assert response.status_code == 302
    assert response.location == "/dashboard"


def test_local_next_is_followed(client, make_user):
    make_user(email="local@example.com")
    response = client.get("/settings")
    assert response.location == "/login?next=/settings"
    page = client.get(response.location).get_data(as_text=True)
    assert 'value="/settings"' in page
    response = client.post(
        "/login", data={"email": "local@example.com", "password": PASSWORD, "next": "/settings"}
    )
    assert response.location == "/settings"


def test_logout_needs_post_and_ends_the_session(client, auth, make_user):
    make_user(email="bye@example.com")
    auth.login("bye@example.com")
    assert client.get("/logout").status_code == 405
    assert client.get("/dashboard").status_code == 200
    assert auth.logout().location == "/login"
    assert client.get("/dashboard").status_code == 302
