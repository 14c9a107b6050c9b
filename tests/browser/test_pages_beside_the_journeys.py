"""Pages the journeys pass by: a second round refused, the report of a running round,
a finished round's page, and a coach's candidate overview. Each passes the gates, so
every page template has been through axe, the CSP watch, both widths and vnu
(test_html_validity checks that none is left out)."""

import re

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import (
    answer_current_question,
    at,
    invite_code,
    link_coach,
    nav,
    session_id_from,
    sign_in,
    user_email,
    wait_saved,
)

pytestmark = pytest.mark.browser
REFUSED = (r"status of 409",)


def test_refusals_and_a_finished_round_pass_the_gates(app, bank, make_user, open_page):
    page = open_page("candidate")
    sign_in(page, user_email(app, make_user()))
    nav(page, "Practice")
    page.get_by_role(
        "button", name=re.compile(r"^Start Recruiter screen|^Start Resume")
    ).first.click()
    at(page, r"/practice/sessions/\d+$")
    session_id = session_id_from(page.url)
    answer_current_question(page, "Shipped a RAG assistant to 2,000 support agents.")
    wait_saved(page)

    # a second timed round is refused, with a way back to the running one
    nav(page, "Practice")
    page.get_by_role("button", name=re.compile(r"^Start ML system design")).click()
    page.get_by_role(
        "link", name=re.compile("running round|Back to|Continue", re.I)
    ).first.wait_for()
    check_page(page, allow_console=REFUSED)

    # the report of a round still running says so and leads back to it
    page.goto(f"/feedback/sessions/{session_id}/report")
    page.get_by_role("link", name=re.compile("round", re.I)).first.wait_for()
    check_page(page, allow_console=REFUSED)

    # submitted: the round's own page is now its finished page
    page.goto(f"/practice/sessions/{session_id}")
    page.get_by_role("button", name="Submit round…").click()
    at(page, r"/submit$")
    page.get_by_role("button", name="Submit round", exact=True).click()
    at(page, rf"/feedback/sessions/{session_id}/score")
    page.goto(f"/practice/sessions/{session_id}")
    page.get_by_role("heading", level=1).wait_for()
    check_page(page, allow_console=REFUSED)  # the two refusals above stay in the log


def test_the_coach_candidate_overview_passes_the_gates(app, bank, make_user, open_page):
    coach = open_page("coach")
    sign_in(
        coach, user_email(app, make_user(role="coach", display_name="Coach Cleo")), role="coach"
    )
    code, _ = invite_code(coach)
    candidate = open_page("candidate")
    sign_in(candidate, user_email(app, make_user(display_name="Cand Cy")))
    link_coach(candidate, code, "Coach Cleo")

    coach.goto("/coach/candidates")
    coach.get_by_role("link", name=re.compile("Cand Cy")).first.click()
    at(coach, r"/coach/candidates/\d+$")
    coach.get_by_role("heading", name=re.compile("Cand Cy")).first.wait_for()
    check_page(coach)
