"""Issue 18 in real Chromium: in a format whose hints cost time, the hint button says what
it costs, opening a hint drops the countdown at once (no reload), the deadline line
follows, and the report says "used 1 of 2 hints (−2 min)"; with the gates."""

from __future__ import annotations

import re

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import score_every_criterion, sign_in
from tests.browser.test_round_autosave import (
    candidate,  # noqa: F401 - fixture
    make_format,
    seconds_shown,
    start_round,
)

pytestmark = pytest.mark.browser


def test_a_costed_hint_drops_the_timer_in_place(app, page, candidate):  # noqa: F811
    name = make_format(app, kinds=("text",), hint_cost_minutes=2)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    before = seconds_shown(page)
    assert before > 44 * 60
    deadline_before = page.locator("[data-deadline]").inner_text()
    page.evaluate("() => { window.__noReload = true; }")
    button = page.get_by_role("button", name="Show a hint (2 left, costs 2 min)")
    check_page(page, timer=page.locator("[data-timer-clock]"))
    button.click()
    page.get_by_text("Think about the data size.").wait_for()
    page.get_by_role("button", name="Show a hint (1 left, costs 2 min)").wait_for()
    assert page.evaluate("() => window.__noReload === true"), "the page was reloaded"
    after = seconds_shown(page)
    assert before - after >= 120 and before - after < 140, (before, after)
    assert page.locator("[data-deadline]").inner_text() != deadline_before
    assert (
        page.locator("[data-round-announce]").inner_text().endswith("It took 2 min off your time.")
    )
    # the progress bar counts the cost as time used
    used = page.evaluate("() => document.querySelector('[data-timer-progress]').value")
    assert used >= 120
    check_page(page, timer=page.locator("[data-timer-clock]"))
    # a reload reads the same moved deadline from the server
    page.reload()
    assert abs(seconds_shown(page) - after) < 15

    page.get_by_label("Your answer").fill("An answer after the hint.")
    page.locator("[data-save-status]").filter(has_text=re.compile(r"^Saved at")).wait_for()
    page.get_by_role("button", name="Submit round…").click()
    page.get_by_role("button", name="Submit round", exact=True).click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/score*")
    score_every_criterion(page)
    page.get_by_role("button", name="Finish scoring").click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/report")
    assert page.get_by_text("used 1 of 2 hints (\u22122 min)").is_visible()
    check_page(page)
