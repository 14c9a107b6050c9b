"""Journey: keyboard only. A candidate starts a recruiter screen, answers every question,
submits and scores it, and reaches the report without the mouse: Tab, Shift+Tab, Enter,
Space, arrows and typing. At every stop the focus is visible and not hidden under the
sticky round header.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.gates import (
    assert_no_console_errors,
    check_page,
    describe_focus,
    focus_is_unobscured,
    focus_is_visible,
)
from tests.browser.helpers import sign_in, user_email

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const el = document.activeElement;
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "", id: el.id || "",
    text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim(),
    checked: !!el.checked,
  };
}"""


def tab_until(page, wanted, limit: int = 120, key: str = "Tab") -> dict:
    """Press Tab until `wanted(focused)` holds, checking the focus at every stop."""
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "body":
            continue
        assert focus_is_visible(page), f"no visible focus on {describe_focus(page)}"
        assert focus_is_unobscured(page), f"focus hidden or off screen: {describe_focus(page)}"
        if wanted(focused):
            return focused
    raise AssertionError(f"{limit} presses of {key} never reached the element")


def test_keyboard_only_round_and_self_scoring(page, app, bank, make_user):
    sign_in(page, user_email(app, make_user()))
    page.goto("/practice/")
    tab_until(page, lambda f: f["tag"] == "button" and f["text"].startswith("Start Recruiter"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/practice/sessions/\d+$"))
    check_page(page, timer=page.locator("[data-timer-clock]"))

    total = page.locator("nav[aria-label='Questions in this round'] button").count() or 1
    for i in range(total):
        tab_until(page, lambda f: f["id"] == "answer_text")
        page.keyboard.type(f"Keyboard answer {i + 1}: measured latency before cost.")
        if i + 1 < total:
            # back up to the question list and open the next question
            tab_until(
                page, lambda f, n=i + 2: f["text"].startswith(f"Question {n}"), key="Shift+Tab"
            )
            page.keyboard.press("Enter")
            expect(page).to_have_url(re.compile(rf"\?q={i + 1}$"))
    tab_until(page, lambda f: f["text"] == "Submit round…")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/submit$"))
    expect(page.get_by_text("Every question has a saved answer.")).to_be_visible()
    tab_until(page, lambda f: f["text"] == "Submit round")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/feedback/sessions/\d+/score$"))

    # self-score: Tab into each criterion's radio group, Space picks, arrows move
    groups = page.locator("fieldset.criterion").count()
    scored = set()
    while len(scored) < groups:
        focused = tab_until(
            page, lambda f: f["type"] == "radio" and f["name"] not in scored, limit=60
        )
        page.keyboard.press("Space")
        page.keyboard.press("ArrowRight")  # one level up from the first
        assert page.evaluate(FOCUSED)["checked"]
        scored.add(focused["name"])
    tab_until(page, lambda f: f["text"] == "Finish scoring")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/feedback/sessions/\d+/report$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report")
    check_page(page)
    assert_no_console_errors(page)
