"""Settings -> Signed-in devices in a real browser: each browser listed, one signed out.

The phone's cookie, copied into a third browser context before the sign-out, stops working
with it: the sign-in ended on the server, not just in one browser.
"""

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

EMAIL = "devices.browser@example.com"


def test_sign_out_one_device_from_settings(open_page, make_user):
    make_user(email=EMAIL, display_name="Many Devices")
    laptop, phone, thief = open_page("candidate"), open_page("candidate"), open_page("anonymous")
    sign_in(laptop, EMAIL)
    sign_in(phone, EMAIL)
    thief.context.add_cookies(
        [c for c in phone.context.cookies() if c["name"] == "mockloop_session"]
    )
    thief.goto("/dashboard")
    assert thief.get_by_role("heading", name="Hello, Many Devices").is_visible()

    laptop.goto("/settings")
    check_page(laptop)
    devices = laptop.locator("[data-sign-in]")
    assert devices.count() == 2
    this = devices.filter(has=laptop.locator(".badge", has_text="This device"))
    assert this.count() == 1 and this.get_by_role("button").count() == 0
    other = devices.filter(has_not=laptop.locator(".badge"))
    other.get_by_role("button", name="Sign out this device").click()
    laptop.get_by_text("That device has been signed out.").wait_for()
    assert laptop.locator("[data-sign-in]").count() == 1
    check_page(laptop)

    for browser in (phone, thief):
        browser.goto("/dashboard")
        browser.wait_for_url("**/login?next=/dashboard")
    laptop.goto("/dashboard")
    assert laptop.get_by_role("heading", name="Hello, Many Devices").is_visible()
    assert laptop.errors == [] and phone.errors == [] and thief.errors == []
