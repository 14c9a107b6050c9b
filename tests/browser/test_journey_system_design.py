"""Journey: a candidate sits an ML system-design round, reloads mid-round (timer and answer
carry on), loses the network for a moment (the page warns, then saves when it is back) and
runs out of time (auto-submitted with the last text typed).

The one database shortcut: the deadline is moved into the past instead of waiting an hour.
"""

import re

import pytest

from tests.browser.gates import assert_no_console_errors, check_page
from tests.browser.helpers import (
    answer_box,
    at,
    ensure_stage_questions,
    go_on_after_time_up,
    move_times_back,
    nav,
    session_id_from,
    sign_in,
    type_at_end,
    user_email,
    wait_saved,
)

pytestmark = pytest.mark.browser

OFFLINE = (r"ERR_INTERNET_DISCONNECTED", r"status of 409")


def clock_seconds(page) -> int:
    total = 0
    for part in page.locator("[data-timer-clock]").inner_text().split(":"):
        total = total * 60 + int(part)
    return total


def test_system_design_reload_offline_and_time_out(page, app, bank, make_user):
    ensure_stage_questions(app, "system_design")
    sign_in(page, user_email(app, make_user()))
    nav(page, "Practice")
    page.get_by_role("button", name=re.compile(r"^Start ML system design")).click()
    at(page, r"/practice/sessions/\d+$")
    session_id = session_id_from(page.url)
    clock = page.locator("[data-timer-clock]")
    assert 58 * 60 < clock_seconds(page) <= 60 * 60
    check_page(page, timer=clock)

    # type, autosave, reload: the answer and the countdown carry on
    answer_box(page).fill("Two-tower retrieval, then a ranker.")
    wait_saved(page)
    before = clock_seconds(page)
    page.reload()
    assert answer_box(page).input_value() == "Two-tower retrieval, then a ranker."
    after = clock_seconds(page)
    assert 58 * 60 < after <= before, f"the timer restarted: {before} s before, {after} s after"

    # a moment offline: the page says it is not saved, keeps the text, saves when back
    page.context.set_offline(True)
    type_at_end(answer_box(page), " Cache embeddings.")
    problem = page.locator("[data-save-problem]")
    problem.wait_for(state="visible")
    assert "Not saved" in problem.inner_text()
    assert problem.get_attribute("role") == "alert"
    check_page(page, timer=clock, allow_console=OFFLINE)
    page.context.set_offline(False)
    page.locator("[data-save-status]").filter(has_text=re.compile(r"^\s*Saved at")).wait_for(
        timeout=15_000
    )
    assert problem.is_hidden()
    page.reload()
    assert answer_box(page).input_value().endswith("Cache embeddings.")

    # time runs out: the last typed text is submitted automatically
    move_times_back(app, session_id, 60 * 60 + 1, deadline_only=True)
    type_at_end(answer_box(page), " FINAL: shadow-deploy first.")
    go_on_after_time_up(page)
    at(page, rf"/feedback/sessions/{session_id}/score", timeout=20_000)
    assert page.get_by_text("ended when time ran out").is_visible()
    assert page.get_by_text("FINAL: shadow-deploy first.").first.is_visible()
    check_page(page, allow_console=OFFLINE)
    assert_no_console_errors(page, allow=OFFLINE)
