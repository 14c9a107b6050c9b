"""The landing page shows what mockloop does: the funnel from the bank, a round, a report, and
the two ways in (issue 18)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.gates import check_page
from tests.browser.helpers import at
from tests.browser.test_screenshots import shoot

pytestmark = pytest.mark.browser


def test_landing_shows_the_funnel_screenshots_and_the_two_buttons(bank, page):
    page.goto("/")
    funnel = page.get_by_role("list").filter(has_text="Take-home")
    items = funnel.get_by_role("listitem")
    expect(items).to_have_count(9)  # every stage of question_bank/stages.yaml, in order
    expect(items.first).to_contain_text("15 min")
    expect(funnel).to_contain_text(re.compile(r"Take-home[^\n]*48 h"))
    for name in ("A 60-minute ML system-design round", "A feedback report after self-scoring"):
        image = page.get_by_role("img", name=re.compile(name))
        image.scroll_into_view_if_needed()
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    check_page(page)
    shoot(page, "landing", full_page=True)
    page.get_by_role("link", name="Create a free account").click()
    at(page, r"/register$")
    page.go_back()
    page.get_by_role("link", name="Sign in").first.click()
    at(page, r"/login$")


def test_landing_without_a_bank_still_explains_the_product(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("interview loop")
    expect(page.get_by_role("img", name=re.compile("feedback report"))).to_have_count(1)
    check_page(page)
