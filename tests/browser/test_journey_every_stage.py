"""Journey: one candidate sits a round of every round format of the real bank through the
pages (each stage at its own length, with the answer field its questions need), submits
it and lands on self-scoring; every answer typed is in the database afterwards."""

import pytest
from sqlalchemy import select

from tests.browser.gates import assert_no_console_errors, check_page
from tests.browser.helpers import (
    answer_current_question,
    at,
    nav,
    session_id_from,
    sign_in,
    user_email,
)

pytestmark = pytest.mark.browser


def formats(app):
    from app.extensions import db
    from app.models.bank import RoundFormat

    with app.app_context():
        return [
            (f.key, f.name, f.stage_key)
            for f in db.session.scalars(select(RoundFormat).order_by(RoundFormat.id))
        ]


def items_of(app, session_id: int):
    from app.extensions import db
    from app.models.practice import PracticeSession

    with app.app_context():
        session = db.session.get(PracticeSession, session_id)
        return session.status, [
            (i.question_version.answer_kind, i.answer_text, i.answer_number, i.answer_links)
            for i in session.items
        ]


def test_every_stage_round_can_be_sat_through_the_pages(page, app, bank, make_user):
    sign_in(page, user_email(app, make_user()))
    sat = set()
    for key, name, stage in formats(app):
        nav(page, "Practice")
        page.get_by_role("button", name=f"Start {name}", exact=True).click()
        at(page, r"/practice/sessions/\d+$")
        session_id = session_id_from(page.url)
        check_page(page, timer=page.locator("[data-timer-clock]"))
        questions = page.get_by_role("navigation", name="Questions in this round")
        total = max(questions.get_by_role("button").count(), 1)
        for i in range(total):
            answer_current_question(page, f"{key}: answer {i + 1}.")
            if i + 1 < total:
                questions.get_by_role("button").nth(i + 1).click()
                at(page, rf"\?q={i + 1}$")
        page.get_by_role("button", name="Submit round…").click()
        at(page, r"/submit$")
        page.get_by_role("button", name="Submit round", exact=True).click()
        at(page, rf"/feedback/sessions/{session_id}/score")
        check_page(page)

        status, items = items_of(app, session_id)
        assert status == "submitted", key
        for i, (kind, text, number, links) in enumerate(items):
            assert text == f"{key}: answer {i + 1}.", (key, i)
            if kind == "estimate":
                assert number == 1.5e6, (key, i)
            if kind == "deliverable":
                assert links == ["https://example.com/my-take-home"], (key, i)
        sat.add(stage)
    assert sat >= {
        "recruiter_screen",
        "technical_phone",
        "system_design",
        "take_home",
        "onsite_coding",
        "onsite_deep_dive",
        "onsite_culture",
        "ethics_sprint",
        "bias_audit",
    }
    assert_no_console_errors(page)
