"""Issue 18 in real Chromium: errors beside their field, line breaks kept in the report
and the coach's log, report tables that scroll at 375 px, dark mode; with the gates."""

from __future__ import annotations

import re

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import body_background, score_every_criterion, sign_in
from tests.browser.test_round_autosave import (
    REFUSED_FETCH,
    candidate,  # noqa: F401 - fixture
    make_format,
    start_round,
)

pytestmark = pytest.mark.browser


def test_a_refused_estimate_shows_its_message_beside_the_field(app, page, candidate):  # noqa: F811
    name = make_format(app, kinds=("estimate",))
    sign_in(page, "sitter@example.com")
    start_round(page, name)
    page.get_by_label("Your working").fill("\n".join(f"step {i}" for i in range(20)))
    number = page.get_by_label("Your estimate")
    number.fill("about a lot")
    error = page.locator("#answer_number-error")
    error.wait_for()
    assert number.get_attribute("aria-invalid") == "true"
    assert "answer_number-error" in number.get_attribute("aria-describedby").split()
    assert error.is_visible() and error.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    # the message sits in the field's own box, not below the 14-row answer box
    assert error.evaluate(
        "el => el.closest('.field').contains(document.getElementById('answer_number'))"
    )
    check_page(page, allow_console=REFUSED_FETCH)
    number.fill("1.5e6")
    page.locator("[data-save-status]").filter(has_text=re.compile(r"^Saved at")).wait_for()
    assert number.get_attribute("aria-invalid") is None
    assert page.locator("#answer_number-error").count() == 0


def test_line_breaks_stay_in_the_report(app, page, candidate):  # noqa: F811
    name = make_format(app, kinds=("text",))
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    page.get_by_label("Your answer").fill("First line.\nSecond line.\nThird line.")
    page.locator("[data-save-status]").filter(has_text=re.compile(r"^Saved at")).wait_for()
    page.get_by_role("button", name="Submit round…").click()
    page.get_by_role("button", name="Submit round", exact=True).click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/score*")
    answer = page.locator(".prose.answer").first
    assert answer.inner_text().split("\n")[:3] == ["First line.", "Second line.", "Third line."]
    score_every_criterion(page)
    page.get_by_role("button", name="Finish scoring").click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/report")
    page.get_by_text("The question and your answer").click()
    shown = page.locator(".report-answer .prose.answer")
    assert shown.inner_text().split("\n")[:3] == ["First line.", "Second line.", "Third line."]
    check_page(page)


def test_report_tables_scroll_inside_their_wrapper_at_375_px(app, page, candidate):  # noqa: F811
    name = make_format(app, kinds=("text",))
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    page.get_by_label("Your answer").fill("An answer.")
    page.locator("[data-save-status]").filter(has_text=re.compile(r"^Saved at")).wait_for()
    page.get_by_role("button", name="Submit round…").click()
    page.get_by_role("button", name="Submit round", exact=True).click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/score*")
    score_every_criterion(page)
    page.get_by_role("button", name="Finish scoring").click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/report")
    page.set_viewport_size({"width": 375, "height": 800})
    broken = page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap th, .table-wrap td')]
          .filter(c => getComputedStyle(c).overflowWrap === 'anywhere'
                    || getComputedStyle(c).wordBreak === 'break-all').length"""
    )
    assert broken == 0, "cells may not break words mid-word"
    header = page.locator(".table-wrap th", has_text="Criterion").first
    # one line: the word is not split across lines
    assert header.evaluate(
        "el => el.getClientRects().length === 1 && el.scrollWidth <= el.clientWidth + 1"
    )
    wraps = page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap')].map(w =>
             [getComputedStyle(w).overflowX, w.scrollWidth > w.clientWidth])"""
    )
    assert wraps and all(overflow == "auto" for overflow, _ in wraps)
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    check_page(page)


def test_hints_open_in_place_and_the_report_counts_them(app, page, candidate):  # noqa: F811
    name = make_format(app, kinds=("text",))  # its question has two hints
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    box = page.get_by_label("Your answer")
    box.fill("Typed before the hint.")
    page.locator("[data-save-status]").filter(has_text=re.compile(r"^Saved at")).wait_for()
    status_before = page.locator("[data-save-status]").inner_text()
    page.evaluate("() => { window.__noReload = true; }")
    page.get_by_role("button", name="Show a hint (2 left)").click()
    page.get_by_text("Think about the data size.").wait_for()
    assert page.evaluate("() => window.__noReload === true"), "the page was reloaded"
    assert page.locator("[data-save-status]").inner_text() == status_before
    assert box.input_value() == "Typed before the hint."
    page.get_by_role("button", name="Show a hint (1 left)").wait_for()
    check_page(page)

    page.get_by_role("button", name="Submit round…").click()
    page.get_by_role("button", name="Submit round", exact=True).click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/score*")
    score_every_criterion(page)
    page.get_by_role("button", name="Finish scoring").click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/report")
    assert page.get_by_text("used 1 of 2 hints").is_visible()


def test_dark_mode_follows_the_system_and_the_settings_toggle_axe_clean(
    app,
    open_page,
    candidate,  # noqa: F811
):
    name = make_format(app, kinds=("estimate",))
    page = open_page("candidate", color_scheme="dark")
    sign_in(page, "sitter@example.com")
    assert body_background(page) == "rgb(21, 23, 26)"  # the system says dark
    check_page(page, allow_console=REFUSED_FETCH)  # the refused estimate above
    session_id = start_round(page, name)
    page.get_by_label("Your estimate").fill("not a number")
    page.locator("#answer_number-error").wait_for()
    check_page(page, timer=page.locator("[data-timer-clock]"), allow_console=REFUSED_FETCH)
    page.get_by_label("Your estimate").fill("2e6")
    page.locator("[data-save-status]").filter(has_text=re.compile(r"^Saved at")).wait_for()
    page.get_by_role("button", name="Submit round…").click()
    page.get_by_role("button", name="Submit round", exact=True).click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/score*")
    check_page(page, allow_console=REFUSED_FETCH)  # the refused estimate above
    score_every_criterion(page)
    page.get_by_role("button", name="Finish scoring").click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/report")
    check_page(page, allow_console=REFUSED_FETCH)  # the refused estimate above

    # Settings overrides the system: light here, and the choice is drawn from the server
    page.goto("/settings")
    page.get_by_label("Light", exact=True).check()
    page.get_by_role("button", name="Save colours").click()
    page.get_by_text("Colours saved for your account.").wait_for()
    assert page.evaluate("() => document.documentElement.classList.contains('theme-light')")
    assert body_background(page) == "rgb(247, 247, 245)"
    check_page(page, allow_console=REFUSED_FETCH)  # the refused estimate above
    page.get_by_label("Dark", exact=True).check()
    page.get_by_role("button", name="Save colours").click()
    page.get_by_text("Colours saved for your account.").wait_for()
    page.emulate_media(color_scheme="light")
    page.goto(f"/feedback/sessions/{session_id}/report")
    # the class is in the HTML the server sent, so the first paint is already dark
    html = page.request.get(f"/feedback/sessions/{session_id}/report").text()
    assert '<html lang="en" class="theme-dark">' in html
    assert body_background(page) == "rgb(21, 23, 26)"
    check_page(page, allow_console=REFUSED_FETCH)  # the refused estimate above
