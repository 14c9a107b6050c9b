"""Forgot password: a single-use, one-hour link by email, over a real SMTP server."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.users import User
from tests.conftest import PASSWORD
from tests.mailbox import free_port

NEW_PASSWORD = "a brand new passphrase 77"
NOW = "2026-03-02 08:00:00"


def ask_reset(client, email: str, ip: str = "198.51.100.7"):
    return client.post("/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": ip})


def reset_path(mailbox, email: str, count: int = 1) -> str:
    return urlsplit(mailbox.wait_for(email, count).link("/password/reset/")).path


def set_new(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


def test_sign_in_page_links_to_forgot_password(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)


def test_same_answer_whether_or_not_the_account_exists(client, make_user, mailbox):
    make_user(email="known@example.com")
    known = ask_reset(client, "Known@Example.com ")
    unknown = ask_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200

    def body(response, email):
        html = response.get_data(as_text=True).replace(email, "EMAIL")
        return re.sub(r'name="csrf-token" content="[^"]+"', "", html)  # signed per second

    assert body(known, "Known@Example.com") == body(unknown, "nobody@example.com")
    assert len(mailbox.messages("known@example.com")) == 1
    # one email either way: an unknown address hears there is nothing to reset
    notice = mailbox.wait_for("nobody@example.com")
    assert notice.subject == "A password reset was asked for at mockloop"
    assert "/password/reset/" not in notice.text and "/register" in notice.text


def test_the_email_has_text_and_html_and_a_link(client, make_user, mailbox):
    make_user(email="parts@example.com")
    ask_reset(client, "parts@example.com")
    message = mailbox.wait_for("parts@example.com")
    assert message.subject == "Set a new mockloop password"
    assert "within 60 minutes" in message.text
    link = message.link("/password/reset/")
    assert link.startswith("http://localhost/password/reset/")
    assert f'href="{link}"' in message.html


def test_public_url_is_used_for_links_when_set(other_app, make_user, mailbox):
    make_user(email="public@example.com")
    app = other_app(PUBLIC_URL="https://mock.example.org")
    app.test_client().post(
        "/password/forgot", data={"email": "public@example.com"}, headers={"Host": "evil.example"}
    )
    link = mailbox.wait_for("public@example.com").link("/password/reset/")
    assert link.startswith("https://mock.example.org/password/reset/")


def test_reset_sets_the_password_ends_other_sessions_and_the_link_dies(
    app, client, make_user, mailbox, auth
):
    make_user(email="forgot@example.com")
    other_device = app.test_client()
    assert (
        other_device.post(
            "/login", data={"email": "forgot@example.com", "password": PASSWORD}
        ).status_code
        == 302
    )
    assert other_device.get("/dashboard").status_code == 200

    ask_reset(client, "forgot@example.com")
    path = reset_path(mailbox, "forgot@example.com")
    page = client.get(path)
    assert page.status_code == 200 and "forgot@example.com" in page.get_data(as_text=True)
    done = set_new(client, path)
    assert done.status_code == 302 and done.location == "/login"

    assert other_device.get("/dashboard").status_code == 302  # signed out
    assert auth.login("forgot@example.com", PASSWORD).status_code == 401
    assert auth.login("forgot@example.com", NEW_PASSWORD).status_code == 302
    again = client.get(path)
    assert again.status_code == 410
    assert "not valid, or it was already used" in again.get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "password.reset" in actions and "password.reset_requested" in actions


def test_new_password_follows_the_sign_up_rules(app, client, make_user, mailbox):
    make_user(email="rules@example.com")
    ask_reset(client, "rules@example.com")
    path = reset_path(mailbox, "rules@example.com")
    with app.app_context():
        before = db.session.scalar(select(User.password_hash))
    for password, confirm, message in (
        ("short", "short", "between 12 and 128"),
        ("password1234", "password1234", "too common"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "Passwords differ"),
        (PASSWORD, PASSWORD, "different from the current one"),
    ):
        response = set_new(client, path, password, confirm)
        assert response.status_code == 422, password
        assert message in response.get_data(as_text=True), message
    with app.app_context():
        assert db.session.scalar(select(User.password_hash)) == before
    assert set_new(client, path).status_code == 302  # the link still works after refusals


def test_the_link_expires_after_an_hour(app, client, make_user, mailbox, auth):
    with freeze_time(NOW) as frozen:
        make_user(email="late@example.com")
        ask_reset(client, "late@example.com")
        path = reset_path(mailbox, "late@example.com")
        frozen.tick(timedelta(minutes=59))
        assert client.get(path).status_code == 200
        frozen.tick(timedelta(minutes=1, seconds=1))
        expired = set_new(client, path)
        assert expired.status_code == 410
        assert "This link has expired" in expired.get_data(as_text=True)
        assert auth.login("late@example.com", PASSWORD).status_code == 302  # unchanged


def test_tampered_and_foreign_links_are_refused(app, client, make_user, mailbox, auth):
    make_user(email="tamper@example.com")
    ask_reset(client, "tamper@example.com")
    path = reset_path(mailbox, "tamper@example.com")
    token = path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (f"/password/reset/{tampered}", "/password/reset/not-a-token"):
        response = set_new(client, bad)
        assert response.status_code == 410
        assert "Nothing was changed" in response.get_data(as_text=True)
    # a valid verification link for the same user is not a reset link
    with app.test_request_context():
        from app.accounts import recovery
        from app.accounts.services import user_by_email

        user = user_by_email("tamper@example.com")
        user.email_verified_at = None
        db.session.commit()
        foreign = recovery.verification_for(user.id).token
    assert set_new(client, f"/password/reset/{foreign}").status_code == 410
    assert auth.login("tamper@example.com", PASSWORD).status_code == 302


def test_a_changed_password_kills_an_older_link(app, client, make_user, mailbox):
    make_user(email="twice@example.com")
    ask_reset(client, "twice@example.com")
    ask_reset(client, "twice@example.com")
    first = reset_path(mailbox, "twice@example.com", 1)
    second = reset_path(mailbox, "twice@example.com", 2)
    assert set_new(client, second).status_code == 302
    assert set_new(client, first, "yet another passphrase 99").status_code == 410


def test_a_failed_send_says_so_the_same_for_any_address(other_app, make_user, mailbox):
    """Unknown addresses get an email too, so a failed send is a 503 for them as well: the
    failure tells nothing about who has an account."""
    make_user(email="nosmtp@example.com")
    app = other_app(MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    for email in ("nosmtp@example.com", "nobody.nosmtp@example.com"):
        response = app.test_client().post("/password/forgot", data={"email": email})
        assert response.status_code == 503
        assert "We could not send the email, try again" in response.get_data(as_text=True)
    assert mailbox.messages() == []


def test_requests_are_limited_per_address_and_per_client(app, client, make_user, mailbox):
    make_user(email="flood@example.com")
    per_address = int(app.config["PASSWORD_RESET_LIMIT_PER_ADDRESS"].split()[0])
    for n in range(per_address):
        assert ask_reset(client, "flood@example.com", ip=f"198.51.100.{n + 1}").status_code == 200
    assert ask_reset(client, "FLOOD@example.com", ip="198.51.100.99").status_code == 429
    assert len(mailbox.messages("flood@example.com")) == per_address
    # the client limit: many addresses from one address
    per_ip = int(app.config["PASSWORD_RESET_LIMIT_PER_IP"].split()[0])
    for n in range(per_ip):
        assert ask_reset(client, f"x{n}@example.com", ip="203.0.113.5").status_code == 200
    assert ask_reset(client, "another@example.com", ip="203.0.113.5").status_code == 429
    assert ask_reset(client, "another@example.com", ip="203.0.113.6").status_code == 200


def test_deactivated_accounts_get_no_link(client, make_user, mailbox):
    make_user(email="inactive@example.com", active=False)
    assert ask_reset(client, "inactive@example.com").status_code == 200
    assert "/password/reset/" not in mailbox.wait_for("inactive@example.com").text


def test_bad_input_on_the_form_is_a_clear_422(client, mailbox):
    response = client.post("/password/forgot", data={"email": "not an address"})
    assert response.status_code == 422
    assert mailbox.messages() == []
