"""Journey: a newcomer signs up, browses the bank, sits a 15-minute recruiter screen,
submits, scores themselves, reads the report and exports it. Every page passes the gates.
"""

import json
import re
from pathlib import Path

import pytest

from tests.browser.gates import assert_no_console_errors, check_page
from tests.browser.helpers import (
    answer_current_question,
    at,
    nav,
    score_every_criterion,
    sign_up,
    wait_saved,
)

pytestmark = pytest.mark.browser

REFUSALS = (r"status of 4\d\d",)


def test_newcomer_recruiter_screen_to_exported_report(page, bank):
    sign_up(page, "nia@example.com", "Nia")
    check_page(page)

    # the bank: the list, then one question
    nav(page, "Question bank")
    check_page(page)
    question_links = page.locator("main a[href*='/questions/']")
    if question_links.count():
        question_links.first.click()
        at(page, r"/questions/.+")
        assert page.get_by_role("heading", level=1).is_visible()
        check_page(page)

    # a 15-minute recruiter screen
    nav(page, "Practice")
    check_page(page)
    page.get_by_role("button", name=re.compile(r"^Start Recruiter screen")).click()
    at(page, r"/practice/sessions/\d+")
    clock = page.locator("[data-timer-clock]")
    assert re.fullmatch(r"1[45]:\d\d", clock.inner_text()), clock.inner_text()
    assert page.get_by_role("progressbar").count() == 1
    check_page(page, timer=clock)
    # the countdown and the save status are announced politely
    assert page.locator("[data-round-announce]").get_attribute("aria-live") == "polite"
    save_status = page.locator("[data-save-status]")
    assert (save_status.get_attribute("aria-live") == "polite") or (
        save_status.get_attribute("role") == "status"
    ), "the save status is not announced to screen readers (no aria-live/role=status)"

    questions = page.get_by_role("navigation", name="Questions in this round").get_by_role("button")
    total = max(questions.count(), 1)
    for i in range(total):
        answer_current_question(page, f"Answer {i + 1}: shipped a RAG assistant to 40k users.")
        wait_saved(page)
        if i + 1 < total:
            questions.nth(i + 1).click()
            at(page, rf"\?q={i + 1}$")
            check_page(page, timer=clock)

    page.get_by_role("button", name="Submit round…").click()
    at(page, r"/submit$")
    assert page.get_by_text("Every question has a saved answer.").is_visible()
    check_page(page)
    page.get_by_role("button", name="Submit round", exact=True).click()

    # self-scoring
    at(page, r"/feedback/sessions/\d+/score")
    check_page(page)
    assert page.get_by_text("Answer 1: shipped a RAG assistant").first.is_visible()
    scored = score_every_criterion(page, level_index=2)
    assert scored >= total
    page.get_by_label("Overall reflection").first.fill("Talk about cost earlier.")
    page.get_by_role("button", name="Finish scoring").click()

    # the report
    at(page, r"/feedback/sessions/\d+/report$")
    assert page.get_by_role("heading", name=re.compile(r"^Report: Recruiter screen")).is_visible()
    for section in ("Overall", "Strengths", "Gaps", "Scores by criterion", "Time"):
        assert page.get_by_role("heading", name=section, exact=True).is_visible(), section
    check_page(page)

    # the exports: Markdown and JSON downloads of the same report
    with page.expect_download() as download:
        page.get_by_role("link", name="Markdown").click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Recruiter screen" in markdown
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON").click()
    report = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert report, "the JSON export is empty"
    assert_no_console_errors(page, allow=REFUSALS)
