"""Sign-up says "check your inbox" for every address; the account is made from the link.

A new address gets a link that makes the account (address confirmed, signed in, then on
to `next`); an address that already has an account gets "someone tried to sign up" and
nothing changes. Page, status and timing are the same, so the form reveals no accounts.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from freezegun import freeze_time
from sqlalchemy import func, select

from app.clock import utcnow
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.signups import SignUpRequest
from app.models.users import User
from app.privacy import retention
from tests.conftest import PASSWORD

OTHER_PASSWORD = "another long passphrase for this"


def sign_up(client, email: str, password: str = PASSWORD, **extra):
    data = {"email": email, "display_name": "Fresh", "password": password, "confirm": password}
    return client.post("/register", data={**data, **extra})


def account(app, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def pending_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SignUpRequest))


def finish_path(mailbox, email: str) -> str:
    return urlsplit(mailbox.wait_for(email).link("/register/finish/")).path


def test_a_new_address_gets_a_link_that_makes_the_account_and_signs_in(app, client, mailbox):
    response = sign_up(client, "Fresh@Example.com")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Check your inbox</h1>" in page and "fresh@example.com" in page
    assert account(app, "fresh@example.com") is None  # nothing until the link is opened
    message = mailbox.wait_for("fresh@example.com")
    assert message.subject == "Finish signing up for mockloop"
    assert PASSWORD not in message.text and PASSWORD not in message.html
    path = finish_path(mailbox, "fresh@example.com")
    assert client.get("/practice/").status_code == 302  # not signed in yet
    shown = client.get(path)
    assert shown.status_code == 200 and "fresh@example.com" in shown.get_data(as_text=True)
    assert account(app, "fresh@example.com") is None  # no change on GET
    finished = client.post(path)
    assert finished.status_code == 302 and finished.headers["Location"] == "/dashboard"
    made = account(app, "fresh@example.com")
    assert made.email_verified_at is not None and made.display_name == "Fresh"
    assert client.get("/practice/").status_code == 200  # signed in
    assert pending_count(app) == 0
    again = client.post(path)
    assert again.status_code == 410 and "Nothing was changed" in again.get_data(as_text=True)


def test_the_account_signs_in_with_the_password_typed_at_sign_up(app, client, mailbox, auth):
    sign_up(client, "fresh@example.com")
    client.post(finish_path(mailbox, "fresh@example.com"))
    auth.logout()
    assert auth.login("fresh@example.com", "not the password at all").status_code == 401
    assert auth.login("fresh@example.com").status_code == 302


def same_page(page: str, email: str) -> str:
    """The page with its CSRF token and the typed address taken out."""
    page = re.sub(r'name="csrf-token" content="[^"]+"', "", page)
    return page.replace(email, "ADDRESS")


def test_an_existing_address_gets_the_same_page_and_its_owner_a_notice(
    app, client, make_user, mailbox, auth
):
    make_user(email="taken@example.com", display_name="Tara")
    new = sign_up(app.test_client(), "new@example.com")
    existing = sign_up(client, "taken@example.com", OTHER_PASSWORD)
    assert existing.status_code == new.status_code == 200
    assert same_page(existing.get_data(as_text=True), "taken@example.com") == same_page(
        new.get_data(as_text=True), "new@example.com"
    )
    notice = mailbox.wait_for("taken@example.com")
    assert notice.subject == "Someone tried to sign up to mockloop with your address"
    assert (
        "Hello Tara" in notice.text
        and "/login" in notice.text
        and "/password/forgot" in notice.text
    )
    assert "/register/finish/" not in notice.text
    assert pending_count(app) == 1  # only the new address's
    assert auth.login("taken@example.com", OTHER_PASSWORD).status_code == 401  # unchanged
    assert auth.login("taken@example.com").status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "account.register_existing" in actions and "account.register_requested" in actions


def test_each_try_keeps_its_own_password_and_the_first_link_opened_wins(app, client, mailbox, auth):
    """Someone signing up with another person's address never picks that account's
    password: the owner's own link carries the owner's password."""
    sign_up(app.test_client(), "owner@example.com", OTHER_PASSWORD)  # the intruder's try
    first = finish_path(mailbox, "owner@example.com")
    mailbox.clear()
    sign_up(client, "owner@example.com")  # the owner's
    owners = finish_path(mailbox, "owner@example.com")
    assert owners != first
    assert client.post(owners).status_code == 302
    late = app.test_client().post(first)
    assert late.status_code == 410  # every other try died with it
    auth.logout()
    assert auth.login("owner@example.com", OTHER_PASSWORD).status_code == 401
    assert auth.login("owner@example.com").status_code == 302


def test_a_link_for_an_address_that_got_an_account_meanwhile_makes_nothing(
    app, client, make_user, mailbox
):
    sign_up(client, "late@example.com")
    path = finish_path(mailbox, "late@example.com")
    make_user(email="late@example.com")  # e.g. an operator created it
    refused = client.post(path)
    assert refused.status_code == 410
    assert "already has a mockloop account" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_links_expire_cannot_be_forged_and_expired_ones_are_pruned(app, client, mailbox):
    with freeze_time("2026-03-02 08:00:00") as frozen:
        sign_up(client, "slow@example.com")
        path = finish_path(mailbox, "slow@example.com")
        for forged in (path[:-3] + "xyz", "/register/finish/" + "a" * 65):
            assert client.get(forged).status_code == 410
            assert client.post(forged).status_code == 410
        frozen.tick(timedelta(hours=72, seconds=1))
        expired = client.post(path)
        assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
        assert account(app, "slow@example.com") is None
        with app.app_context():
            pruned = retention.prune(utcnow(), notification_days=365, audit_days=365)
        assert pruned.sign_up_requests == 1 and pending_count(app) == 0


def test_finishing_goes_on_to_next_but_never_off_site(app, client, mailbox):
    sign_up(client, "invited@example.com", next="/coaching/join/ABCD-2345")
    response = client.post(finish_path(mailbox, "invited@example.com"))
    assert response.headers["Location"] == "/coaching/join/ABCD-2345"
    other = app.test_client()
    sign_up(other, "lured@example.com", next="//evil.example.com/")
    response = other.post(finish_path(mailbox, "lured@example.com"))
    assert response.headers["Location"] == "/dashboard"


def test_a_bad_password_changes_nothing_and_sends_nothing(app, client, mailbox):
    response = sign_up(client, "weak@example.com", "password")
    assert response.status_code == 422
    assert pending_count(app) == 0 and mailbox.messages("weak@example.com") == []


def test_sign_up_emails_to_one_address_are_limited(app, make_user):
    """Each try sends an email, so one address gets at most three an hour, whether or not
    it has an account (the limit's answer tells nothing either)."""
    make_user(email="taken@example.com")
    limit = int(app.config["SIGNUP_LIMIT_PER_ADDRESS"].split()[0])
    for email in ("taken@example.com", "new@example.com"):
        for n in range(limit):
            client = app.test_client()
            response = client.post(
                "/register",
                data={
                    "email": email,
                    "display_name": "X",
                    "password": PASSWORD,
                    "confirm": PASSWORD,
                },
                environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"},
            )
            assert response.status_code == 200
        refused = app.test_client().post(
            "/register",
            data={"email": email, "display_name": "X", "password": PASSWORD, "confirm": PASSWORD},
            environ_base={"REMOTE_ADDR": "198.51.100.99"},
        )
        assert refused.status_code == 429 and "Try again in" in refused.get_data(as_text=True)
