"""The queue's candidate filter as a search box (a coach with many linked candidates)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests import factories
from tests.browser.gates import check_page
from tests.browser.helpers import at, sign_in
from tests.coach import builders


def test_queue_search_box_filters_through_htmx(app, live_app, open_page):
    live_app.config["COACH_FILTER_SELECT_MAX"] = 1  # two linked candidates: a search box
    with app.app_context():
        coach = factories.user("coach", email="coach-q@example.com")
        coach_id = coach.id
        for name in ("Ada Lovelace", "Grace Hopper"):
            candidate = factories.user("candidate", display_name=name).id
            builders.link(coach_id, candidate)
            builders.session(candidate, events=False)
    page = open_page("coach")
    sign_in(page, "coach-q@example.com", role="coach")
    page.goto("/coach/queue")
    status = page.locator("#queue-table > p").first
    expect(status).to_have_text(re.compile(r"^2 sessions to review"))
    assert page.get_by_label("Candidate", exact=True).count() == 0
    check_page(page)
    page.evaluate("window.notReloaded = true")  # a full page load would lose this
    search = page.get_by_label("Candidate name or email")
    search.fill("hopp")
    search.press("Enter")
    at(page, r"/coach/queue\?.*q=hopp")
    expect(status).to_have_text(re.compile(r"^1 session to review \(filtered\)"))
    expect(page.locator("#queue-table tbody")).to_contain_text("Grace Hopper")
    expect(page.locator("#queue-table tbody")).not_to_contain_text("Ada Lovelace")
    assert page.evaluate("window.notReloaded === true")  # htmx swapped the table in
    search.fill("nobody")
    search.press("Enter")
    expect(page.locator("#queue-table")).to_contain_text(
        "Nothing to review for candidates whose name or email contains “nobody”"
    )
    check_page(page)
