"""Follow-up questions in real Chromium (issue 13): a candidate alone answers the main
question, presses "Done — next follow-up", answers it (autosaved, still there after a
reload), gets the second follow-up when its time comes, finishes, and sees both beside
the main answer on the scoring page and in the report. Every page passes check_page (axe,
console, CSP, layout); vnu validates the collected pages in test_html_validity.py. The same
button without JavaScript (a plain form post) is tested with the Flask client in
tests/practice/test_follow_ups.py: in Chromium with JavaScript off the test hung in the
page gates, cause not found.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.practice import FollowUpAnswer, PracticeSession
from tests import factories
from tests.browser.gates import check_page
from tests.browser.helpers import at, self_score, sign_in
from tests.browser.test_round_autosave import start_round

pytestmark = pytest.mark.browser

FIRST = "How would you halve the serving cost?"
SECOND = "What breaks first at ten times the traffic?"
SAVED = re.compile(r"^\s*Saved at")


@pytest.fixture
def design_round(app):
    """A candidate and a 45-minute design format whose one question (10 suggested
    minutes) has two follow-ups in the bank; returns the format's name."""
    with app.app_context():
        factories.user(email="solo@example.com", timezone="Europe/Berlin")
        fmt = factories.round_format("system_design", minutes=45, count=1)
        factories.question(
            "system_design",
            title="Reranker at 10k QPS",
            follow_ups=[FIRST, SECOND],
            suggested_minutes=10,
        )
        return fmt.name


def rows(app, session_id):
    with app.app_context():
        return [
            (r.number, r.prompt, r.answer_text, r.reveal_reason)
            for r in db.session.scalars(select(FollowUpAnswer).order_by(FollowUpAnswer.number))
        ]


def spend_on_question(app, session_id, seconds):
    """As if `seconds` had gone by on the question on screen: every instant moves back."""
    with app.app_context():
        session = db.session.get(PracticeSession, session_id)
        delta = timedelta(seconds=seconds)
        session.started_at -= delta
        session.deadline_at -= delta
        session.position_since -= delta
        db.session.commit()


def status_of(page, form_id):
    return page.locator(f"#{form_id} [data-save-status]")


def test_a_candidate_answers_two_follow_ups_and_sees_them_in_the_report(app, page, design_round):
    sign_in(page, "solo@example.com")
    session_id = start_round(page, design_round)
    timer = page.locator("[data-timer-clock]")
    check_page(page, timer=timer)
    assert page.get_by_text(FIRST).count() == 0  # not asked yet

    page.locator("#answer_text").fill("Distil the reranker and cache the top queries.")
    page.locator("#answer-form [data-save-status]").filter(has_text=SAVED).wait_for()
    page.get_by_role("button", name="Done — next follow-up").click()
    page.get_by_text(FIRST).wait_for()
    box = page.get_by_label("Answer to follow-up 1")
    assert page.evaluate("() => document.activeElement.id") == "follow_up_1"  # focus moved
    assert page.url.endswith(f"/practice/sessions/{session_id}")  # swapped in, no reload
    box.fill("Quantise to int8 and batch requests per GPU.")
    status_of(page, "follow-up-1").filter(has_text=SAVED).wait_for()
    assert rows(app, session_id) == [
        (1, FIRST, "Quantise to int8 and batch requests per GPU.", "done")
    ]
    check_page(page, timer=timer)

    page.reload()
    assert page.get_by_label("Answer to follow-up 1").input_value() == (
        "Quantise to int8 and batch requests per GPU."
    )
    assert page.locator("#answer_text").input_value().startswith("Distil the reranker")

    # the second follow-up comes by itself once 80 % of the suggested 10 minutes has passed
    spend_on_question(app, session_id, 8 * 60)
    page.reload()
    page.get_by_text(SECOND).wait_for()
    page.get_by_label("Answer to follow-up 2").fill("The feature store's p99 latency.")
    status_of(page, "follow-up-2").filter(has_text=SAVED).wait_for()
    assert [r[3] for r in rows(app, session_id)] == ["done", "time"]
    assert page.get_by_role("button", name="Done — next follow-up").count() == 0  # all asked
    check_page(page, timer=timer)

    page.get_by_role("button", name="Submit round…").click()
    at(page, r"/submit$")
    page.get_by_role("button", name="Submit round", exact=True).click()
    at(page, rf"/feedback/sessions/{session_id}/score")
    scoring = page.locator(".question-score")
    for text in (FIRST, "Quantise to int8", SECOND, "p99 latency", "Distil the reranker"):
        assert scoring.get_by_text(text).count() >= 1, text
    check_page(page)

    self_score(page)
    report = page.locator(".report-question")
    for text in (FIRST, "Quantise to int8", SECOND, "p99 latency"):
        assert report.get_by_text(text).count() >= 1, text
    check_page(page)
    assert page.errors == []
