"""A newcomer's first minutes: the public pages, a refused sign-up, a sign-up, the dashboard.

Every page passes the gates (axe, console/CSP, 375/1440 px); the HTML goes to vnu.
"""

import pytest

from tests.browser.gates import assert_no_console_errors, check_page
from tests.browser.helpers import SIGNUP_PASSWORD, at, nav, sign_up

pytestmark = pytest.mark.browser


def test_newcomer_browses_public_pages_and_signs_up(page):
    page.goto("/")
    assert page.get_by_role("heading", level=1).is_visible()
    check_page(page)

    page.get_by_role("link", name="Sign in").first.click()
    at(page, r"/login$")
    check_page(page)

    page.get_by_role("link", name="Create account").first.click()
    at(page, r"/register$")
    check_page(page)

    # a refused sign-up keeps what was typed and says why, next to the field
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Display name").fill("Nia Newcomer")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat password").fill("short")
    page.get_by_role("button", name="Create account").click()
    page.locator(".field-error").first.wait_for()
    assert page.get_by_label("Email").input_value() == "newcomer@example.com"
    assert page.get_by_label("Display name").input_value() == "Nia Newcomer"
    check_page(page, allow_console=(r"status of 4\d\d",))

    sign_up(page, "newcomer@example.com", "Nia Newcomer", SIGNUP_PASSWORD)
    assert page.get_by_role("heading", name="Hello, Nia Newcomer").is_visible()
    check_page(page, allow_console=(r"status of 4\d\d",))

    for name in ("Practice", "Question bank", "Progress"):
        nav(page, name)
        assert page.get_by_role("heading", level=1).is_visible()
        check_page(page, allow_console=(r"status of 4\d\d",))

    page.get_by_role("link", name="Nia Newcomer").click()
    at(page, r"/settings$")
    check_page(page, allow_console=(r"status of 4\d\d",))

    page.get_by_role("button", name="Sign out").click()
    at(page, r"/login$")
    assert_no_console_errors(page, allow=(r"status of 4\d\d",))
