"""The optional model's suggestions in Chromium: beside each self-score on the scoring
page, the self-vs-model lines of the report, and self/model/coach side by side with the
prompt and replies in the coach's session log. A finished round's answer is graded by a
real worker run against a real chat-completions HTTP server (fixed JSON replies); every
page passes the gates (axe, console, CSP, both widths; vnu at the end of the run).
"""

from __future__ import annotations

import re

import pytest

from app import jobs
from tests.browser.gates import check_page
from tests.browser.helpers import sign_in, user_email
from tests.chat_server import ChatServer
from tests.coach.builders import link
from tests.learning.model_helpers import finish_round, session_of, valid_reply

pytestmark = pytest.mark.browser


def test_suggestions_beside_the_self_scores_report_and_coach_log(app, make_user, open_page):
    user_id = make_user()
    with ChatServer([valid_reply()]) as server:
        app.config.update(LLM_BASE_URL=server.base_url, LLM_MODEL="test-model")
        (item_id,) = finish_round(app, user_id)
        with app.app_context():
            assert jobs.run_due("browser-test").done == 1
    session_id = session_of(app, item_id)

    page = open_page("candidate")
    sign_in(page, user_email(app, user_id))
    page.goto(f"/feedback/sessions/{session_id}/score")
    check_page(page)
    group = page.get_by_role("group", name=re.compile("^Latency budgeting"))
    line = group.locator(".model-suggestion")
    assert line.is_visible()
    assert "Model suggests: Solid (3)" in " ".join(line.inner_text().split())
    assert line.locator("q").inner_text() == "p99 budget is 80 ms per hop"
    # the candidate's own choice is untouched by the suggestion
    assert not group.get_by_role("radio", name=re.compile("^Solid")).is_checked()
    group.get_by_role("radio", name=re.compile("^Partial")).check()
    page.locator("#save-status").get_by_text("Saved at").wait_for()
    page.get_by_role("button", name="Finish scoring").click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/report")
    check_page(page)
    section = page.get_by_role("region", name="You and the model")
    assert "Latency budgeting" in section.inner_text()
    assert "model Solid (3)" in section.inner_text() and "you Partial (2)" in section.inner_text()

    coach_id = make_user(role="coach")
    with app.app_context():
        link(coach_id, user_id)
    coach = open_page("coach")
    sign_in(coach, user_email(app, coach_id), role="coach")
    coach.goto(f"/coach/sessions/{session_id}")
    check_page(coach)
    criterion = coach.locator("fieldset.criterion").first
    assert "Candidate: 2 · Partial" in " ".join(criterion.inner_text().split())
    assert criterion.locator(".model-suggestion").is_visible()
    coach.get_by_text("What the model (test-model) was sent and replied").click()
    assert coach.locator(".model-exchange pre").first.is_visible()
    check_page(coach)

    admin_id = make_user(role="admin")
    admin = open_page("admin")
    sign_in(admin, user_email(app, admin_id), role="admin")
    admin.goto("/admin/model-suggestions")
    check_page(admin)
    admin.get_by_role("link", name=re.compile(r"\d{4}-\d\d-\d\d")).first.click()
    admin.get_by_role("heading", name=re.compile("^Model suggestion #")).wait_for()
    admin.get_by_text("What the model (test-model) was sent and replied").click()
    assert "Reply 1" in admin.locator(".model-exchange").inner_text()
    check_page(admin)
