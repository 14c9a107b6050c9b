"""Address verification at sign-up, change of address, and `flask users set-password`."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.users import User
from tests.conftest import PASSWORD
from tests.mailbox import free_port

NEW = "new.address@example.com"


def user(app, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def sign_up(client, email: str = "fresh@example.com"):
    return client.post(
        "/register",
        data={"email": email, "display_name": "Fresh", "password": PASSWORD, "confirm": PASSWORD},
    )


def path_of(link: str) -> str:
    return urlsplit(link).path


def unverified(login_as, email: str = "fresh@example.com") -> int:
    """An account whose address was never confirmed (made before sign-up needed the link)."""
    return login_as(email=email, email_verified_at=None)


def test_an_unconfirmed_address_is_confirmed_by_the_settings_link_on_a_click(
    app, client, login_as, mailbox
):
    unverified(login_as)
    assert client.post("/settings/verify").status_code == 302
    message = mailbox.wait_for("fresh@example.com")
    assert message.subject == "Confirm your email address for mockloop"
    path = path_of(message.link("/verify/"))
    page = client.get(path)
    assert page.status_code == 200 and "Confirm your address" in page.get_data(as_text=True)
    assert user(app, "fresh@example.com").email_verified_at is None  # no change on GET
    assert client.post(path).status_code == 302
    assert user(app, "fresh@example.com").email_verified_at is not None
    again = client.post(path)
    assert again.status_code == 410 and "Nothing was changed" in again.get_data(as_text=True)


def test_unverified_can_practise_but_not_link_a_coach(app, client, mailbox, make_user, login_as):
    coach_id = make_user(role="coach", invite_code="ABCD-2345")
    unverified(login_as)
    assert client.get("/practice/").status_code == 200
    refused = client.post("/coaching/link", data={"code": "ABCD-2345"})
    assert refused.status_code == 422
    assert "Confirm your email address first" in refused.get_data(as_text=True)
    client.post("/settings/verify")
    client.post(path_of(mailbox.wait_for("fresh@example.com").link("/verify/")))
    assert client.post("/coaching/link", data={"code": "ABCD-2345"}).status_code == 302
    with app.app_context():
        from app.models.review import CoachLink

        assert db.session.scalar(select(CoachLink.coach_id)) == coach_id


def test_settings_can_send_the_link_again_and_a_failed_send_says_so(
    other_app, client, mailbox, login_as
):
    unverified(login_as)
    assert "not confirmed yet" in client.get("/settings").get_data(as_text=True)
    client.post("/settings/verify")
    client.post("/settings/verify")
    assert len(mailbox.messages("fresh@example.com")) == 2
    broken = other_app(MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    other = broken.test_client()
    response = sign_up(other, "second@example.com")
    assert response.status_code == 503  # sign-up's email could not go: nothing to open
    assert "We could not send the email, try again" in response.get_data(as_text=True)


def test_verification_links_expire_and_cannot_be_forged(app, client, mailbox, login_as):
    with freeze_time("2026-03-02 08:00:00") as frozen:
        unverified(login_as)
        client.post("/settings/verify")
        path = path_of(mailbox.wait_for("fresh@example.com").link("/verify/"))
        frozen.tick(timedelta(days=3, seconds=1))
        response = client.post(path)
        assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
        assert client.post(path[:-3] + "xyz").status_code == 410
        assert user(app, "fresh@example.com").email_verified_at is None


def test_change_of_address_waits_for_the_link_sent_to_the_new_address(
    app, client, login_as, mailbox, auth
):
    login_as(email="old.address@example.com")
    wrong = client.post("/settings/email", data={"email": NEW, "password": "wrong wrong wrong"})
    assert wrong.status_code == 422 and "current password is not right" in wrong.get_data(
        as_text=True
    )
    assert (
        client.post("/settings/email", data={"email": NEW, "password": PASSWORD}).status_code == 302
    )
    assert user(app, "old.address@example.com").pending_email == NEW
    assert mailbox.messages("old.address@example.com") == []
    message = mailbox.wait_for(NEW)
    path = path_of(message.link("/email/confirm/"))
    assert client.post(path).status_code == 302
    assert user(app, "old.address@example.com") is None
    moved = user(app, NEW)
    assert moved.pending_email is None and moved.email_verified_at is not None
    assert client.get("/settings").status_code == 200  # this browser stays signed in
    assert client.post(path).status_code == 410  # used
    auth.logout()
    assert auth.login("old.address@example.com").status_code == 401
    assert auth.login(NEW).status_code == 302


def test_change_of_address_refuses_a_taken_address(app, client, login_as, make_user, mailbox):
    make_user(email="taken@example.com")
    login_as(email="mine@example.com")
    response = client.post(
        "/settings/email", data={"email": "Taken@example.com", "password": PASSWORD}
    )
    assert response.status_code == 422
    assert "Another account uses this address" in response.get_data(as_text=True)
    assert mailbox.messages() == []


def test_set_password_from_the_command_line_is_audited_and_ends_sessions(
    app, runner, client, make_user, auth
):
    make_user(email="locked.out@example.com")
    assert auth.login("locked.out@example.com").status_code == 302
    result = runner.invoke(
        args=["users", "set-password", "Locked.Out@example.com", "--password-stdin"],
        input="an operator's new passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert client.get("/dashboard").status_code == 302  # signed out
    assert auth.login("locked.out@example.com").status_code == 401
    assert auth.login("locked.out@example.com", "an operator's new passphrase").status_code == 302
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "password.set_by_operator")
        )
        assert event.details == {"via": "cli"}


def test_set_password_prompts_and_refuses_bad_input(app, runner, make_user):
    make_user(email="prompt@example.com")
    prompted = runner.invoke(
        args=["users", "set-password", "prompt@example.com"],
        input="an operator's new passphrase\nan operator's new passphrase\n",
    )
    assert prompted.exit_code == 0, prompted.output
    unknown = runner.invoke(
        args=["users", "set-password", "ghost@example.com", "--password-stdin"],
        input="an operator's new passphrase\n",
    )
    assert unknown.exit_code != 0 and "No account has the email ghost@example.com" in unknown.output
    weak = runner.invoke(
        args=["users", "set-password", "prompt@example.com", "--password-stdin"], input="short\n"
    )
    assert weak.exit_code != 0 and "at least 12" in weak.output


def test_emails_an_account_can_trigger_are_limited(app, client, login_as, mailbox):
    login_as(email_verified_at=None)
    limit = int(app.config["ACCOUNT_EMAIL_LIMIT"].split()[0])
    for _ in range(limit):
        assert client.post("/settings/verify").status_code == 302
    assert client.post("/settings/verify").status_code == 429
    refused = client.post(
        "/settings/email", data={"email": "victim@example.com", "password": PASSWORD}
    )
    assert refused.status_code == 429
    assert mailbox.messages("victim@example.com") == []
