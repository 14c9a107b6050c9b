"""Sign up (through the emailed link), sign out and sign in again in Chromium."""

import pytest

from tests.browser.gates import check_page

pytestmark = pytest.mark.browser


def fill_sign_up(page, email: str, name: str) -> None:
    """Send the sign-up form; it answers "check your inbox" whatever the address."""
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Repeat password").fill("a long enough passphrase")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    assert page.get_by_text(f"We sent an email to {email}").is_visible()


def test_signup_signin_signout(page, mailbox):
    fill_sign_up(page, "browser@example.com", "Browser User")
    check_page(page)
    page.goto(mailbox.wait_for("browser@example.com").link("/register/finish/"))
    page.get_by_role("heading", name="Finish signing up").wait_for()
    check_page(page)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/dashboard")
    assert page.get_by_role("heading", name="Hello, Browser User").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.get_by_label("Email").fill("BROWSER@example.com")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")
    assert page.errors == []


def test_signing_up_with_a_taken_address_looks_the_same(page, make_user, mailbox):
    make_user(email="taken.browser@example.com", display_name="Taken")
    fill_sign_up(page, "taken.browser@example.com", "Someone Else")
    check_page(page)
    notice = mailbox.wait_for("taken.browser@example.com")
    assert notice.subject == "Someone tried to sign up to mockloop with your address"
