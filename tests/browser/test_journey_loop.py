"""Journey: a candidate takes a whole mock loop ("AI-first startup, one intensive day")
through the pages: technical phone, then (30 minutes later) ML system design, then (30
minutes later) the take-home sprint with its links and write-up; the loop page shows each
gap while it runs and the loop as finished at the end.

The one database shortcut: each finished round's times are moved 31 minutes into the
past instead of waiting for the gap between rounds.
"""

import pytest

from tests.browser.gates import assert_no_console_errors, check_page
from tests.browser.helpers import (
    answer_current_question,
    at,
    ensure_stage_questions,
    move_times_back,
    nav,
    session_id_from,
    sign_in,
    user_email,
)

pytestmark = pytest.mark.browser

LOOP = "AI-first startup, one intensive day"


def sit_round(page, label: str) -> int:
    """Answer every question of the round on screen and submit it; return its session id."""
    at(page, r"/practice/sessions/\d+$")
    session_id = session_id_from(page.url)
    check_page(page, timer=page.locator("[data-timer-clock]"))
    questions = page.get_by_role("navigation", name="Questions in this round").get_by_role("button")
    total = max(questions.count(), 1)
    for i in range(total):
        answer_current_question(page, f"{label}, answer {i + 1}.")
        if i + 1 < total:
            questions.nth(i + 1).click()
            at(page, rf"\?q={i + 1}$")
    page.get_by_role("button", name="Submit round…").click()
    at(page, r"/submit$")
    page.get_by_role("button", name="Submit round", exact=True).click()
    at(page, rf"/feedback/sessions/{session_id}/score")
    return session_id


def open_loop(page) -> None:
    nav(page, "Practice")
    page.get_by_role("link", name="Open the loop").click()
    at(page, r"/practice/loops/\d+$")


def test_a_whole_mock_loop_through_the_pages(page, app, bank, make_user):
    ensure_stage_questions(app, "system_design")
    sign_in(page, user_email(app, make_user()))
    nav(page, "Practice")
    page.get_by_role("button", name=f"Start loop: {LOOP}").click()
    at(page, r"/practice/loops/\d+$")
    assert page.get_by_role("heading", name=LOOP, level=1).is_visible()
    steps = page.locator("ol.funnel > li")
    assert steps.count() == 3
    check_page(page)

    page.get_by_role("button", name="Start Technical phone").click()
    first = sit_round(page, "Technical phone")

    open_loop(page)
    assert "Done" in steps.nth(0).inner_text()
    assert "Open now" not in steps.nth(1).inner_text(), "the next round opened before its gap"
    check_page(page)

    move_times_back(app, first, 31 * 60)
    page.reload()
    assert "Open now" in steps.nth(1).inner_text()
    page.get_by_role("button", name="Start ML system design").click()
    second = sit_round(page, "ML system design")
    assert second != first

    open_loop(page)
    loop_url = page.url
    assert "Done" in steps.nth(0).inner_text()
    assert "Done" in steps.nth(1).inner_text()
    assert "Open now" not in steps.nth(2).inner_text(), "the sprint opened before its gap"
    assert "30 min" in steps.nth(2).inner_text(), "the gap is shown"
    check_page(page)

    move_times_back(app, second, 31 * 60)
    page.reload()
    assert "Open now" in steps.nth(2).inner_text()
    page.get_by_role("button", name="Start Take-home sprint").click()
    at(page, r"/practice/sessions/\d+$")
    assert page.locator("#answer_links").count() == 1, "a take-home asks for links"
    third = sit_round(page, "Take-home sprint")
    assert third not in (first, second)

    page.goto(loop_url)
    at(page, r"/practice/loops/\d+$")
    assert all("Done" in steps.nth(i).inner_text() for i in range(3))
    assert "Finished" in page.locator("main").inner_text()
    check_page(page)
    assert_no_console_errors(page)
