"""Account settings in a real browser: the CSRF token travels in the htmx header."""

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

EMAIL = "two.devices@example.com"


def test_end_other_sessions_by_htmx_with_the_header_token(open_page, make_user):
    make_user(email=EMAIL, display_name="Two Devices")
    laptop, phone = open_page("candidate"), open_page("candidate")
    sign_in(laptop, EMAIL)
    sign_in(phone, EMAIL)

    laptop.goto("/settings")
    check_page(laptop)
    form = laptop.locator("form[data-devices-form]")
    # Remove the form's own token: the request can only pass CSRF through the header
    # that static/js/app.js adds to every htmx request.
    form.locator('input[name="csrf_token"]').evaluate("input => input.remove()")
    assert form.locator('input[name="csrf_token"]').count() == 0
    laptop.evaluate("() => { window.__stillTheSamePage = true; }")

    with laptop.expect_response("**/settings/sign-out-everywhere") as info:
        laptop.get_by_role("button", name="End all other sessions").click()
    response = info.value
    assert response.status == 200
    headers = response.request.headers
    assert headers.get("hx-request") == "true"
    assert headers.get("x-csrftoken")
    status = laptop.locator("#devices-status")
    status.get_by_text("Every other device has been signed out.").wait_for()
    assert status.get_attribute("aria-live") == "polite"
    assert laptop.evaluate("() => window.__stillTheSamePage === true")  # no page load

    phone.goto("/dashboard")
    phone.wait_for_url("**/login?next=/dashboard")
    laptop.goto("/dashboard")
    assert laptop.get_by_role("heading", name="Hello, Two Devices").is_visible()
    assert laptop.errors == [] and phone.errors == []


def test_change_password_and_time_zone_through_the_page(open_page, make_user):
    make_user(email="settings@example.com", display_name="Set Tings")
    page = open_page("candidate")
    sign_in(page, "settings@example.com")
    page.goto("/settings")
    page.get_by_label("Current password").fill("not my password at all")
    page.get_by_label("New password", exact=True).fill("a fresh passphrase for 2026")
    page.get_by_label("Repeat new password").fill("a fresh passphrase for 2026")
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("Your current password is not right.").wait_for()
    assert page.get_by_label("New password", exact=True).input_value() == ""  # never echoed
    check_page(page, allow_console=(r"status of 422",))

    page.get_by_role("combobox", name="Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save time zone").click()
    page.get_by_text("Time zone set to Asia/Tokyo.").wait_for()
    assert page.get_by_role("combobox", name="Time zone").input_value() == "Asia/Tokyo"
