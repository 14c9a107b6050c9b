"""Screenshots of the main pages for the README, taken by the suite itself.

`make screenshots` sets MOCKLOOP_SCREENSHOTS=docs/screenshots and runs these tests, which
then write PNGs there. In a normal `make test` the same page flows run (and must pass the
gates) but nothing is written.
"""

import os
import re
from pathlib import Path

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import (
    answer_box,
    at,
    nav,
    sign_in,
    user_email,
    wait_saved,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def shoot(page, name: str, full_page: bool = False) -> None:
    """Save `name`.png into $MOCKLOOP_SCREENSHOTS when set; otherwise only render it."""
    target = os.environ.get("MOCKLOOP_SCREENSHOTS")
    page.wait_for_load_state("load")
    if not target:
        return
    directory = Path(target) if os.path.isabs(target) else ROOT / target
    directory.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(directory / f"{name}.png"), full_page=full_page, animations="disabled")


def test_screenshots_round_and_report(page, app, bank, make_user):
    sign_in(page, user_email(app, make_user(display_name="Ada")))
    page.set_viewport_size(DESKTOP)
    nav(page, "Practice")
    shoot(page, "practice")
    page.get_by_role("button", name=re.compile(r"^Start ML system design")).click()
    at(page, r"/practice/sessions/\d+$")
    if page.locator("#answer_number").count():  # show the design problem, not the estimate
        questions = page.get_by_role("navigation", name="Questions in this round")
        questions.get_by_role("button").nth(1).click()
        at(page, r"\?q=1$")
    answer_box(page).fill(
        "Clarify first: traffic, latency budget, what a regression costs, who signs off.\n\n"
        "1. Offline: a golden set per feature plus an LLM judge calibrated on 200 labels.\n"
        "2. Online: shadow traffic and a canary at 5 %, rolled back on a metric breach.\n"
        "3. Cost: judge calls capped per change; cache scores of unchanged prompts."
    )
    wait_saved(page)
    check_page(page, timer=page.locator("[data-timer-clock]"))
    shoot(page, "round")
    page.set_viewport_size(PHONE)
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    shoot(page, "round-phone")
    page.set_viewport_size(DESKTOP)
    page.evaluate("() => window.scrollTo(0, 0)")

    page.get_by_role("button", name="Submit round…").click()
    at(page, r"/submit$")
    page.get_by_role("button", name="Submit round", exact=True).click()
    at(page, r"/feedback/sessions/\d+/score$")
    questions = page.locator("section.question-score")
    for q in range(questions.count()):  # a mixed self-assessment: strengths and gaps
        criteria = questions.nth(q).locator("fieldset.criterion")
        for i in range(criteria.count()):
            criteria.nth(i).get_by_role("radio").nth((-1, 2, 1)[i % 3]).check()
    page.get_by_role("button", name="Finish scoring").click()
    at(page, r"/feedback/sessions/\d+/report$")
    check_page(page)  # report.png comes from test_feedback_screenshots (with a history)


def test_screenshots_admin_question_editor(page, app, bank, make_user):
    sign_in(page, user_email(app, make_user(role="admin", display_name="Ana Admin")), role="admin")
    page.set_viewport_size(DESKTOP)
    nav(page, "Admin")
    page.goto("/admin/bank/questions")
    page.locator("main table a[href*='/admin/bank/questions/']").first.click()
    at(page, r"/admin/bank/questions/\d+$")
    page.get_by_role("link", name="Edit", exact=True).click()
    at(page, r"/admin/bank/questions/\d+/edit$")
    check_page(page)
    shoot(page, "admin-question-editor")
