"""Forgot password in Chromium: ask for a link, read it from the SMTP server, set a new
password, sign in with it; the link then shows a clear page and the old password fails."""

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import at, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

EMAIL = "forgetful@example.com"
NEW_PASSWORD = "remembered at last, 2026"


def test_forgotten_password_back_in_through_an_email(open_page, make_user, mailbox):
    make_user(email=EMAIL, display_name="Forgetful")
    other_device = open_page("candidate")
    sign_in(other_device, EMAIL)

    page = open_page("anonymous")
    page.goto("/login")
    page.get_by_role("link", name="Forgot password?").click()
    at(page, r"/password/forgot$")
    check_page(page)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Email me a link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    check_page(page)

    link = mailbox.wait_for(EMAIL).link("/password/reset/")
    page.goto(link)
    page.get_by_role("heading", name="Set a new password").wait_for()
    check_page(page)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Repeat new password").fill("short")
    page.get_by_role("button", name="Set new password").click()
    page.get_by_text("Field must be between 12 and 128 characters long.").wait_for()
    check_page(page, allow_console=(r"status of 422",))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    at(page, r"/login$")
    page.get_by_text("Your password is set.").wait_for()

    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Email or password is not right.").wait_for()
    sign_in(page, EMAIL, NEW_PASSWORD)
    check_page(page, allow_console=(r"status of 401", r"status of 422"))

    other_device.goto("/dashboard")
    at(other_device, r"/login\?next=")  # the other session was ended

    page.goto(link)
    page.get_by_role("heading", name="This link cannot be used").wait_for()
    expected = (r"status of 410", r"status of 401", r"status of 422")  # the refusals above
    check_page(page, allow_console=expected)
    assert len(page.errors) == 3 and other_device.errors == []
