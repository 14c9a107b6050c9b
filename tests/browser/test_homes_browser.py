"""Each role's home in Chromium (issue 18): a coach signs in to the coach overview, the
header's brand and first link take them back there, and the landing page and /dashboard
send them there too; a candidate still lands on the dashboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.gates import check_page
from tests.browser.helpers import at, sign_in, user_email

pytestmark = pytest.mark.browser


def test_a_coach_signs_in_to_the_coach_overview_and_every_home_link_leads_there(
    app, make_user, open_page
):
    coach_id = make_user("coach", display_name="Coach Carla")
    page = open_page("coach")
    sign_in(page, user_email(app, coach_id), role="coach")  # waits for /coach/
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Dashboard")).to_have_count(0)
    expect(nav.get_by_role("link", name="Coaching")).to_have_attribute("aria-current", "page")
    check_page(page)

    page.get_by_role("link", name="Question bank").click()
    at(page, r"/questions/?$")
    nav.get_by_role("link", name="mockloop").click()  # the brand is the coach's home
    at(page, r"/coach/$")
    check_page(page)

    for path in ("/", "/dashboard"):
        page.goto(path)
        at(page, r"/coach/$")
        expect(page.get_by_role("heading", level=1)).to_have_text("Coaching")
    check_page(page)


def test_a_candidate_still_signs_in_to_the_dashboard(app, make_user, open_page):
    candidate_id = make_user("candidate", display_name="Cand Dee")
    page = open_page("candidate")
    sign_in(page, user_email(app, candidate_id))  # waits for /dashboard
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Coaching")).to_have_count(0)
    nav.get_by_role("link", name="mockloop").click()
    at(page, r"/dashboard$")
    page.goto("/")
    at(page, r"/dashboard$")
    check_page(page)
