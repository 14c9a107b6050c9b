"""Journeys of issue 18 (practise what you need) in real Chromium, every page through the
gates (axe, console, CSP; vnu collects them): search the bank and drill a question from it,
drill from practise-next untimed, extra time set by an admin and shown and honoured on the
round page, and a back-to-back loop whose submit offers the next round at once."""

import re

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import (
    answer_current_question,
    at,
    nav,
    self_score,
    session_id_from,
    sign_in,
    user_email,
)

pytestmark = pytest.mark.browser


def _submit(page, session_id: int) -> None:
    page.get_by_role("button", name="Submit round…").click()
    at(page, r"/submit$")
    page.get_by_role("button", name="Submit round", exact=True).click()


def test_search_the_bank_drill_a_question_then_its_rubric_opens(page, app, bank, make_user):
    sign_in(page, user_email(app, make_user()))
    nav(page, "Question bank")
    page.get_by_label("Search titles, prompts and tags").fill('GPU "cost*')
    page.get_by_role("button", name="Show").click()
    at(page, r"/questions/search\?q=")
    page.get_by_text(re.compile(r"questions? matching")).wait_for()
    check_page(page)
    first = page.locator("ul.question-list > li").first
    title = first.get_by_role("heading").inner_text().strip()
    first.get_by_role("link").click()
    at(page, r"/questions/[\w-]+$")
    question_url = page.url
    assert page.get_by_role("heading", name="Follow-up questions").count() == 0  # not tried yet
    check_page(page)

    page.get_by_role("button", name=re.compile(r"^Practise this question")).click()
    at(page, r"/practice/sessions/\d+$")
    session_id = session_id_from(page.url)
    assert page.get_by_role("heading", name="Single-question drill", level=1).is_visible()
    assert page.get_by_text(f"Question 1 of 1: {title}").is_visible()
    check_page(page, timer=page.locator("[data-timer-clock]"))
    answer_current_question(page, "Drilled answer with numbers and units.")
    _submit(page, session_id)
    at(page, rf"/feedback/sessions/{session_id}/score")
    self_score(page, level_index=1)  # the lowest level (0 is "Not scored"): all gaps
    assert page.get_by_role("button", name=re.compile(r"^Practise this question")).count()
    check_page(page)

    page.goto(question_url)
    page.get_by_role("heading", name="Follow-up questions").wait_for()
    assert page.get_by_role("heading", name=re.compile(r"^How it is scored")).is_visible()
    check_page(page)


def test_drill_from_practise_next_untimed(page, app, bank, make_user):
    sign_in(page, user_email(app, make_user()))
    nav(page, "Practice")
    page.get_by_role("button", name="Start Recruiter screen (15 min)").click()
    at(page, r"/practice/sessions/\d+$")
    first = session_id_from(page.url)
    answer_current_question(page, "A short screening answer.")
    _submit(page, first)
    at(page, rf"/feedback/sessions/{first}/score")
    self_score(page, level_index=1)

    nav(page, "Dashboard")
    panel = page.locator("section.practise-next")
    panel.get_by_role("button", name=re.compile(r"^Untimed")).first.click()
    at(page, r"/practice/sessions/\d+$")
    assert session_id_from(page.url) != first
    page.get_by_text("Untimed drill: take as long as you need.").wait_for()
    check_page(page, timer=page.locator("[data-timer-clock]"))


def test_extra_time_set_by_an_admin_is_shown_and_honoured(open_page, app, bank, make_user):
    make_user(role="admin", email="chief@example.com")
    candidate_id = make_user(email="ada@example.com")
    admin, ada = open_page("admin"), open_page("candidate")
    sign_in(admin, "chief@example.com", role="admin")
    admin.goto("/admin/users?q=ada")
    row = admin.locator('tr[data-user="ada@example.com"]')
    row.get_by_label("Extra time of ada@example.com").select_option("1.5")
    row.get_by_role("button", name="Set extra time of ada@example.com").click()
    admin.get_by_text("ada@example.com now has 1.5× round time.").wait_for()
    check_page(admin)

    sign_in(ada, user_email(app, candidate_id))
    nav(ada, "Practice")
    ada.get_by_role("button", name="Start Recruiter screen (15 min)").click()
    at(ada, r"/practice/sessions/\d+$")
    ada.get_by_text("15 min + 50 % extra time").wait_for()
    remaining = int(ada.locator("[data-round]").get_attribute("data-seconds-remaining"))
    assert 22 * 60 < remaining <= 22 * 60 + 30  # 15 min x 1.5 = 22 min 30 s, to the second
    check_page(ada, timer=ada.locator("[data-timer-clock]"))


def test_back_to_back_loop_offers_the_next_round_on_submit(page, app, bank, make_user):
    sign_in(page, user_email(app, make_user()))
    nav(page, "Practice")
    loop = "AI-first startup, one intensive day"
    form = page.locator("form", has=page.get_by_role("button", name=f"Start loop: {loop}"))
    form.get_by_label(re.compile(r"^Pace")).select_option("back_to_back")
    check_page(page)
    form.get_by_role("button", name=f"Start loop: {loop}").click()
    at(page, r"/practice/loops/\d+$")
    page.get_by_text("Pace: back to back").wait_for()
    page.locator("ol.funnel form button").first.click()
    at(page, r"/practice/sessions/\d+$")
    first = session_id_from(page.url)
    questions = page.get_by_role("navigation", name="Questions in this round").get_by_role("button")
    for i in range(max(questions.count(), 1)):
        answer_current_question(page, f"Answer {i + 1}.")
        if i + 1 < questions.count():
            questions.nth(i + 1).click()
            at(page, rf"\?q={i + 1}$")
    _submit(page, first)
    at(page, r"/practice/loops/\d+$")
    page.get_by_text("Your next round is open").wait_for()
    start_next = page.get_by_role("button", name=re.compile(r"^Start next round: "))
    assert start_next.is_visible()
    check_page(page)
    start_next.click()
    at(page, r"/practice/sessions/\d+$")
    assert session_id_from(page.url) != first
