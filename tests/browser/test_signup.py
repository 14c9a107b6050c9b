"""Sign up, sign out and sign in again through the real pages in Chromium."""

import pytest

pytestmark = pytest.mark.browser


def test_signup_signin_signout(page):
    page.goto("/register")
    page.get_by_label("Email").fill("browser@example.com")
    page.get_by_label("Display name").fill("Browser User")
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Repeat password").fill("a long enough passphrase")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/dashboard")
    assert page.get_by_role("heading", name="Hello, Browser User").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.get_by_label("Email").fill("BROWSER@example.com")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")
    assert page.errors == []
