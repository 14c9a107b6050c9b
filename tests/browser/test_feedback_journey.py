"""Score a finished round in Chromium (htmx autosave, then Finish) and open its report.

The round is created in the database (the practice area's pages are not needed); the
candidate signs in through the real page. The same flow also works with JavaScript off.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.scoring import SelfAssessment, SelfScore
from tests import factories
from tests.browser.gates import check_page
from tests.browser.helpers import sign_in, user_email
from tests.learning import helpers as feedback_helpers

pytestmark = pytest.mark.browser


def _finished_round(app, user_id: int) -> int:
    with app.app_context():
        estimate = factories.question(
            title="Index memory",
            answer_kind="estimate",
            estimate_value=200.0,
            estimate_unit="GB",
            estimate_tolerance_pct=25.0,
            good_answer_md="Counts vectors x dims x bytes.",
        )
        design = factories.question(title="Reranker at scale", good_answer_md="Budgets p99.")
        session = feedback_helpers.practice_session(
            user_id,
            [estimate, design],
            answers=[{"text": "1e9 x 768 x 4 / 16", "number": 190.0, "unit": "GB"}, {}],
            time_spent=[400, 2400],
        )
        return session.id


def _stored_levels(app, session_id: int) -> dict[str, int | None]:
    with app.app_context():
        rows = db.session.scalars(
            select(SelfScore).join(SelfAssessment).where(SelfAssessment.session_id == session_id)
        )
        return {f"{r.session_question_id}:{r.criterion_key}": r.level for r in rows}


def test_score_a_finished_round_with_autosave_and_open_the_report(app, make_user, page):
    user_id = make_user()
    session_id = _finished_round(app, user_id)
    sign_in(page, user_email(app, user_id))
    page.goto(f"/feedback/sessions/{session_id}/score")
    check_page(page)
    assert page.get_by_text("within tolerance").is_visible()

    first = page.get_by_role("group", name=re.compile("^Latency budgeting")).first
    first.get_by_role("radio", name=re.compile("^Excellent")).check()
    status = page.locator("#save-status")
    status.get_by_text("Saved at").wait_for()
    assert 4 in _stored_levels(app, session_id).values()

    cost = page.get_by_role("group", name=re.compile("^Cost modeling")).nth(1)
    cost.get_by_role("radio", name=re.compile("^Missing")).check()
    cost.get_by_label("Note on Cost modeling (optional)").fill("Forgot GPU price entirely.")
    with page.expect_response(
        lambda r: r.url.endswith("/autosave") and "costs+weak" in (r.request.post_data or "")
    ) as saved:
        page.get_by_label("Overall reflection").fill("Estimate fine; costs weak.")
    assert saved.value.status == 200
    # reloading keeps everything autosaved
    page.reload()
    assert cost.get_by_role("radio", name=re.compile("^Missing")).is_checked()
    assert page.get_by_label("Overall reflection").input_value() == "Estimate fine; costs weak."

    page.get_by_role("button", name="Finish scoring").click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/report")
    check_page(page)
    assert page.get_by_role("heading", name=re.compile("^Report")).is_visible()
    gaps = page.locator("section.gaps")
    assert "Cost modeling" in gaps.inner_text()
    assert "Forgot GPU price" not in gaps.inner_text()
    assert "Latency budgeting" in page.locator("section.strengths").inner_text()
    assert page.get_by_role("link", name="CSV").get_attribute("href").endswith("report.csv")
    with app.app_context():
        assessment = db.session.scalar(select(SelfAssessment))
        assert assessment.completed_at is not None

    # progress: charts with their tables, and the report linked from the rounds list
    page.get_by_role("link", name="Your progress").click()
    page.wait_for_url("**/feedback/")
    check_page(page)
    chart = page.get_by_role("img", name="Score per skill area over time")
    assert chart.is_visible()
    page.get_by_text("Show the numbers as a table").first.click()
    assert page.get_by_role("table").filter(has_text="Score per skill area and round").is_visible()
    assert page.get_by_role("link", name=re.compile("^Report")).count() == 1
    # the dashboard shows what to practise next
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/dashboard")
    check_page(page)
    assert "Cost modeling" in page.locator("section.practise-next").inner_text()


def test_scoring_works_without_javascript(app, make_user, open_page):
    user_id = make_user()
    session_id = _finished_round(app, user_id)
    page = open_page("candidate", java_script_enabled=False)
    sign_in(page, user_email(app, user_id))
    page.goto(f"/feedback/sessions/{session_id}/score")
    failure = page.get_by_role("group", name=re.compile("^Failure-mode")).first
    failure.get_by_role("radio", name=re.compile("^Solid")).check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Scores saved").wait_for()
    assert 3 in _stored_levels(app, session_id).values()
    page.get_by_role("button", name="Finish scoring").click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/report")
    assert page.get_by_role("heading", name="Strengths").is_visible()


def test_quick_changes_all_reach_the_server_last_one_wins(app, make_user, page):
    user_id = make_user()
    session_id = _finished_round(app, user_id)
    sign_in(page, user_email(app, user_id))
    page.goto(f"/feedback/sessions/{session_id}/score")
    group = page.get_by_role("group", name=re.compile("^Cost modeling")).first
    for label in ("^Missing", "^Partial", "^Solid", "^Excellent", "^Partial"):
        group.get_by_role("radio", name=re.compile(label)).check()
    page.wait_for_timeout(1500)  # let the queued autosave run
    page.reload()
    group = page.get_by_role("group", name=re.compile("^Cost modeling")).first
    assert group.get_by_role("radio", name=re.compile("^Partial")).is_checked()
    assert page.errors == []
