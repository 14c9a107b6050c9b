"""A coach links by invite code, reviews a session log and publishes; the candidate reads it.

Set-up goes through the database (roles, a finished and self-scored round); everything
the coach and the candidate do happens in real Chromium through the pages, with the
quality gates (axe, console/CSP, 375/1440 px) on each page they visit.
"""

from __future__ import annotations

import re

import pytest

from app.coach import services
from tests.browser.gates import check_page
from tests.browser.helpers import sign_in, user_email
from tests.coach import builders

pytestmark = pytest.mark.browser


def test_coach_links_reviews_publishes_and_candidate_reads(app, make_user, open_page):
    coach_id = make_user("coach", display_name="Coach Carla")
    candidate_id = make_user("candidate", display_name="Cand Dee")
    with app.app_context():
        code = services.rotate_invite_code(coach_id)
        session_id = builders.session(candidate_id).id
        builders.self_score(session_id, {0: [4, 3, 1], 1: [2, 2, 2]}, reflection="Too slow on Q1.")

    # The candidate links the coach with the code.
    candidate = open_page("candidate")
    sign_in(candidate, user_email(app, candidate_id))
    candidate.get_by_role("link", name="Coaches").click()
    candidate.wait_for_url("**/coaching/")
    candidate.get_by_label("Coach invite code").fill(code.lower())
    candidate.get_by_role("button", name="Link coach").click()
    candidate.get_by_text("Coach Carla is now your coach.").wait_for()
    check_page(candidate)

    # The coach finds the session in the queue and opens its log.
    coach = open_page("coach")
    sign_in(coach, user_email(app, coach_id), role="coach")
    coach.goto("/coach/")
    assert coach.get_by_text("awaiting review").is_visible()
    check_page(coach)
    coach.get_by_role("link", name="Open the review queue").click()
    coach.wait_for_url("**/coach/queue")
    check_page(coach)
    coach.get_by_role("link", name=re.compile("^Review Cand Dee")).click()
    coach.wait_for_url(f"**/coach/sessions/{session_id}")
    assert coach.get_by_text("Submitted by the candidate").first.is_visible()
    assert coach.get_by_text("Candidate: 4 · Excellent").is_visible()
    check_page(coach)

    # Scores and comments save as the coach goes (htmx), then publish.
    coach.get_by_label("Your level for Latency budgeting").first.select_option("2")
    coach.get_by_text(re.compile("Draft saved at")).wait_for()
    coach.get_by_label("Comment on Latency budgeting").first.fill("Budget each **hop**.")
    coach.get_by_label("Strengths").fill("Clear structure and trade-offs.")
    coach.get_by_label("Next steps").fill("Redo the cost model with $/M queries.")
    coach.wait_for_timeout(1500)  # the debounced autosave of the typing
    coach.get_by_role("button", name="Publish review").click()
    coach.get_by_text("Review published (revision 1).").wait_for()
    check_page(coach)

    # The candidate sees the notification, reads the review and the calibration.
    candidate.goto("/dashboard")
    candidate.get_by_role("button", name=re.compile("New review from Coach Carla")).click()
    candidate.wait_for_url("**/coaching/reviews/*")
    assert candidate.get_by_text("Clear structure and trade-offs.").is_visible()
    assert candidate.locator("strong", has_text="hop").first.is_visible()
    calibration = candidate.locator("table.calibration").first
    assert re.search(r"Latency budgeting\s+4\s+2\s+\+2", calibration.inner_text())
    check_page(candidate)
    candidate.get_by_role("link", name="Your report").click()
    candidate.get_by_role("heading", name="Coach review").wait_for()
    check_page(candidate)
