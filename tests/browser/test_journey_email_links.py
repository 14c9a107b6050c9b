"""Address confirmation in Chromium: an account whose address was never confirmed (made
before sign-up needed the link) asks for the link again and confirms it; then it moves to
a new address through the link sent there."""

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import at, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_confirm_the_address_then_change_it(open_page, make_user, mailbox):
    make_user(email="newcomer.mail@example.com", email_verified_at=None)
    page = open_page("candidate")
    sign_in(page, "newcomer.mail@example.com")
    page.goto("/settings")
    page.get_by_text("not confirmed yet").wait_for()
    check_page(page)
    page.get_by_role("button", name="Send the link again").click()
    page.get_by_text("We sent a link to newcomer.mail@example.com").wait_for()

    page.goto(mailbox.wait_for("newcomer.mail@example.com").link("/verify/"))
    page.get_by_role("heading", name="Confirm your address").wait_for()
    check_page(page)
    page.get_by_role("button", name="Confirm").click()
    at(page, r"/settings$")
    page.get_by_text("Your email address is confirmed.").wait_for()
    page.get_by_text("confirmed", exact=True).wait_for()

    page.get_by_label("New email address").fill("moved.mail@example.com")
    page.get_by_label("Your password, to confirm it is you").fill(PASSWORD)
    page.get_by_role("button", name="Send confirmation").click()
    page.get_by_text("We sent a link to moved.mail@example.com").wait_for()
    page.get_by_text("Waiting for you to open the link sent to moved.mail@example.com.").wait_for()
    check_page(page)

    page.goto(mailbox.wait_for("moved.mail@example.com").link("/email/confirm/"))
    page.get_by_role("heading", name="Confirm your new address").wait_for()
    check_page(page)
    page.get_by_role("button", name="Confirm").click()
    at(page, r"/settings$")
    page.get_by_text("Signed in as moved.mail@example.com").wait_for()

    page.get_by_label("Email me when a coach publishes a review").check()
    page.get_by_role("button", name="Save email choice").click()
    page.get_by_text("Notification emails are on.").wait_for()
    check_page(page)
    assert page.errors == []


def test_the_unsubscribe_link_stops_notification_emails(app, open_page, make_user):
    from app.accounts import recovery
    from app.extensions import db
    from app.models.users import User

    user_id = make_user(email="subscribed@example.com", email_notifications=True)
    with app.test_request_context():
        token = recovery.unsubscribe_token(user_id)
    page = open_page("anonymous")  # opened from the mail client, signed in or not
    page.goto(f"/email/unsubscribe/{token}")
    page.get_by_role("heading", name="Stop notification emails").wait_for()
    check_page(page)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Notification emails stopped").wait_for()
    check_page(page)
    with app.app_context():
        assert db.session.get(User, user_id).email_notifications is False
    assert page.errors == []
