"""'What the answer mentions' in Chromium: the scoring page, the report and the coach's log.

A finished round on a question with talking points is made in the database; the candidate
signs in through the real page, sees what the answer covered and missed beside the
scoring form, finishes scoring and sees the same on the report; a linked coach sees it in
the session log. Every page passes the gates (axe, console, CSP, both widths; vnu at the
end of the run).
"""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models.practice import PracticeSession
from tests import factories
from tests.browser.gates import check_page
from tests.browser.helpers import sign_in, user_email
from tests.coach.builders import link
from tests.learning import helpers as feedback_helpers
from tests.learning.test_insights_display import ANSWER, COVERING, POINTS

pytestmark = pytest.mark.browser


def _finished_round(app, user_id: int) -> int:
    with app.app_context():
        skill = factories.skill("ml_system_design", "ML system design")
        skill.glossary = ["online store", "Parquet", "KV cache"]
        db.session.commit()
        question = factories.question(
            title="Design a feature store",
            prompt_md="Design a feature store for online and offline features.",
            talking_points=POINTS,
            good_answer_md="A dual store with point-in-time joins.",
        )
        session = feedback_helpers.practice_session(
            user_id, [question], answers=[{"text": ANSWER}], time_spent=[120]
        )
        session.shared_with_coaches = True
        db.session.commit()
        return session.id


def _panel_checks(panel) -> None:
    assert panel.get_by_text("Talking points mentioned:").is_visible()
    assert "2 of 3" in panel.inner_text()
    covered = panel.locator("li.insight-covered")
    assert covered.count() == 2
    assert COVERING in covered.nth(1).inner_text()
    assert "backfilled" in panel.locator("li.insight-missed").inner_text()
    assert "KV cache" in panel.inner_text()  # a glossary term the answer did not use


def test_insights_on_the_scoring_page_the_report_and_the_coach_log(app, make_user, open_page):
    user_id = make_user()
    session_id = _finished_round(app, user_id)
    page = open_page("candidate")
    sign_in(page, user_email(app, user_id))
    page.goto(f"/feedback/sessions/{session_id}/score")
    check_page(page)
    panel = page.get_by_role("region", name="What the answer mentions")
    _panel_checks(panel)
    # beside the self-score: the criterion groups are still there and work
    group = page.get_by_role("group", name=re.compile("^Latency budgeting"))
    group.get_by_role("radio", name=re.compile("^Solid")).check()
    page.locator("#save-status").get_by_text("Saved at").wait_for()

    page.get_by_role("button", name="Finish scoring").click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/report")
    check_page(page)
    _panel_checks(page.get_by_role("region", name="What the answer mentions"))
    assert "Solid" in page.locator(".report-question table").inner_text()

    coach_id = make_user(role="coach")
    with app.app_context():
        link(coach_id, db.session.get(PracticeSession, session_id).user_id)
    coach = open_page("coach")
    sign_in(coach, user_email(app, coach_id), role="coach")
    coach.goto(f"/coach/sessions/{session_id}")
    check_page(coach)
    _panel_checks(coach.get_by_role("region", name="What the answer mentions"))
