"""Issue 18, the main navigation in real Chromium: for every role, at every width from
320 to 1400 px (20 px steps) the header is one line (either the full links or the brand
and the Menu button) and nothing scrolls sideways, also with the longest display name the
form allows; the phone Menu closes on Escape (focus back on its button) and when focus or
a click leaves it. The gates run on the pages seen, in light and dark theme."""

from __future__ import annotations

import pytest

from app.models.users import DISPLAY_NAME_MAX
from tests import factories
from tests.browser.gates import check_page, horizontal_overflow
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

# a real-looking long name, as long as Settings accepts
LONG_NAME = ("Maximiliane Alexandra Konstantinopoulou-Wittelsbach " * 2)[:DISPLAY_NAME_MAX]
WIDTHS = range(320, 1401, 20)

# the header's visible boxes: the brand, each shown link and button, the Menu button
HEADER_TOPS = """() => {
  const nav = document.querySelector('nav.nav');
  const shown = [...nav.querySelectorAll([':scope > .brand', ':scope > .nav-links > li',
      ':scope > .nav-account > a', ':scope > .nav-account button',
      ':scope > .nav-menu > summary'].join(','))]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .map(el => { const r = el.getBoundingClientRect();
                 return {text: el.textContent.trim().slice(0, 20), top: r.top, bottom: r.bottom,
                         right: r.right}; });
  return {boxes: shown, width: document.documentElement.clientWidth};
}"""


@pytest.fixture(params=["candidate", "coach", "admin"])
def role(request, app):
    with app.app_context():
        factories.user(role=request.param, email="nav@example.com", display_name=LONG_NAME)
    return request.param


def _assert_one_line(page, width: int) -> None:
    seen = page.evaluate(HEADER_TOPS)
    boxes = seen["boxes"]
    assert len(boxes) >= 2, (width, boxes)
    # one line: every box's vertical middle lies inside every other box's span
    lowest_top = max(b["top"] for b in boxes)
    highest_bottom = min(b["bottom"] for b in boxes)
    assert lowest_top < highest_bottom, f"the header wraps at {width} px: {boxes}"
    assert max(b["right"] for b in boxes) <= seen["width"] + 0.5, (width, boxes)
    assert horizontal_overflow(page) <= 0, f"scrolls sideways at {width} px"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_header_is_one_line_at_every_width_for_every_role(page, live_server, role, theme):
    page.context.add_cookies([{"name": "theme", "value": theme, "url": live_server.url}])
    sign_in(page, "nav@example.com", role=role)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        _assert_one_line(page, width)
    assert f"theme-{theme}" in page.evaluate("() => document.documentElement.className")
    check_page(page)


def test_the_phone_menu_closes_on_escape_and_when_focus_or_a_click_leaves(page, role):
    sign_in(page, "nav@example.com", role=role)
    page.set_viewport_size({"width": 375, "height": 800})
    menu = page.locator("details.nav-menu")
    summary = menu.locator("summary")
    is_open = "el => el.open"
    # Escape: closed, focus back on the Menu button
    summary.focus()
    page.keyboard.press("Enter")
    assert menu.evaluate(is_open)
    page.keyboard.press("Tab")  # into the panel's first link
    assert menu.evaluate("el => el.contains(document.activeElement)")
    page.keyboard.press("Escape")
    assert not menu.evaluate(is_open)
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    # focus leaving: Shift+Tab from the Menu button goes back to the brand and closes it
    page.keyboard.press("Enter")
    assert menu.evaluate(is_open)
    page.keyboard.press("Shift+Tab")
    assert not menu.evaluate(is_open)
    # a click outside closes it
    summary.click()
    assert menu.evaluate(is_open)
    page.locator(".site-footer").click()
    assert not menu.evaluate(is_open)
    # a click inside does not: the menu's links still work
    summary.click()
    menu.get_by_role("link", name="Practice", exact=True).click()
    page.wait_for_url("**/practice/")
    page.wait_for_load_state("load")
    # after a boosted navigation (a new body) Escape still closes the menu
    page.locator("details.nav-menu summary").click()
    page.keyboard.press("Escape")
    assert not page.locator("details.nav-menu").evaluate(is_open)
    check_page(page)


def test_without_script_the_phone_menu_still_opens(browser, live_server, role):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        sign_in(page, "nav@example.com", role=role)
        page.set_viewport_size({"width": 375, "height": 800})
        page.locator("details.nav-menu summary").click()
        link = page.locator(".nav-menu").get_by_role("link", name="Practice", exact=True)
        assert link.is_visible()
        page.keyboard.press("Escape")  # nothing to close it without script: it stays usable
        link.click()
        page.wait_for_url("**/practice/")
    finally:
        context.close()
