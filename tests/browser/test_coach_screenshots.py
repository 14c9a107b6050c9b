"""Screenshot of the coach's session log (written only by `make screenshots`).

The session it shows is a real 60-minute ML system-design round sat through the pages:
the candidate drafts, saves, moves between the two questions, submits and scores
themselves; then their coach opens the log and starts scoring. So that the timeline tells
the story of a 40-minute round rather than of a 20-second test, the app's clock (the one
`app.clock.utcnow` reads) is moved forward between the candidate's steps, as if they had
been thinking; nothing is written into the database behind the pages.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

import app.clock
from tests.browser.gates import check_page
from tests.browser.helpers import (
    answer_box,
    at,
    invite_code,
    link_coach,
    nav,
    sign_in,
    type_at_end,
    user_email,
    wait_saved,
)
from tests.browser.test_screenshots import DESKTOP, shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def app_clock(monkeypatch):
    """advance(minutes=...) moves the app's "now" forward (the browser's clock is untouched)."""
    real = datetime

    class Skewed(real):
        offset = timedelta(0)

        @classmethod
        def now(cls, tz=None):
            return real.now(tz) + cls.offset

    monkeypatch.setattr(app.clock, "datetime", Skewed)

    def advance(**delta) -> None:
        Skewed.offset += timedelta(**delta)

    return advance


# Answers that read sensibly whichever design problem or estimate the round draws.
DESIGN = [
    "**Clarify.** Peak traffic, the p99 latency budget, what a wrong answer costs the "
    "business and who gets paged when it breaks.",
    "\n\n**Design.** A cheap first stage cuts the candidates, a heavier model on GPUs "
    "handles the rest, a cache absorbs repeats; each hop gets its share of the budget.",
    "\n\n**Evaluation.** A judged offline set first, then a 5 % canary with alarms on "
    "p99 latency and on the quality metric.",
]
ESTIMATE = [
    "Peak is ~3× the daily average: 10M requests/day ≈ 115/s, so ~350/s at peak.",
    "\nOne GPU replica serves ~25 requests/s within the p99 budget: 350 / 25 ≈ 14.",
    "\nPlus 30 % headroom for failover and deploys → 18.",
]
LAST_WORDS = {
    "text": " Roll back on either alarm without a deploy.",
    "estimate": " Check: 18 × 25 = 450 requests/s of capacity.",
}


def write(page, step: int) -> str:
    """Add part `step` of the answer to the question on screen and wait for the save."""
    if page.locator("#answer_number").count():
        kind, parts = "estimate", ESTIMATE
        asked = re.search(r"Asked in (.+)\.", page.locator("#answer_unit-hint").inner_text())
        page.locator("#answer_number").fill("18")
        page.locator("#answer_unit").fill(asked.group(1) if asked else "GPUs")
    else:
        kind, parts = "text", DESIGN
    type_at_end(answer_box(page), parts[step] if step >= 0 else LAST_WORDS[kind])
    wait_saved(page)
    return kind


def test_screenshots_coach_session_log(app, bank, make_user, open_page, app_clock):
    coach_id = make_user("coach", display_name="Coach Carla")
    candidate_id = make_user("candidate", display_name="Ada Lovelace")
    coach = open_page("coach")
    sign_in(coach, user_email(app, coach_id), role="coach")
    code, _ = invite_code(coach)
    candidate = open_page("candidate")
    sign_in(candidate, user_email(app, candidate_id))
    link_coach(candidate, code, "Coach Carla")

    # the round, as a 41-minute story: draft, save, rethink, switch, estimate, submit
    nav(candidate, "Practice")
    candidate.get_by_role("button", name=re.compile(r"^Start ML system design")).click()
    at(candidate, r"/practice/sessions/\d+$")
    questions = candidate.get_by_role("navigation", name="Questions in this round")
    for step, minutes in enumerate((2, 7, 9)):
        app_clock(minutes=minutes)
        write(candidate, step)
    app_clock(minutes=4)
    questions.get_by_role("button").nth(1).click()
    at(candidate, r"\?q=1$")
    for step, minutes in enumerate((3, 6)):
        app_clock(minutes=minutes)
        write(candidate, step)
    app_clock(minutes=5)
    questions.get_by_role("button").nth(0).click()
    at(candidate, r"\?q=0$")
    app_clock(minutes=2)
    write(candidate, -1)
    app_clock(minutes=3)
    candidate.get_by_role("button", name="Submit round…").click()
    at(candidate, r"/submit$")
    candidate.get_by_role("button", name="Submit round", exact=True).click()
    at(candidate, r"/feedback/sessions/\d+/score$")
    session_id = int(re.search(r"/sessions/(\d+)/", candidate.url).group(1))
    app_clock(minutes=4)
    criteria = candidate.locator("fieldset.criterion")
    for i in range(criteria.count()):  # a confident self-assessment: 3s and 4s
        criteria.nth(i).get_by_role("radio").nth(4 - i % 2).check()
    candidate.get_by_label("Overall reflection").fill(
        "Spent too long on the design; rushed the GPU maths."
    )
    candidate.get_by_role("button", name="Finish scoring").click()
    at(candidate, r"/feedback/sessions/\d+/report$")

    # the coach opens the log from the queue and starts scoring beside the candidate
    app_clock(hours=2)
    nav(coach, "Coaching")
    coach.get_by_role("link", name="Open the review queue").click()
    at(coach, r"/coach/queue$")
    coach.get_by_role("link", name=re.compile(r"^Review Ada Lovelace")).click()
    at(coach, rf"/coach/sessions/{session_id}$")
    first = coach.locator("article.question").first
    for i, select in enumerate(first.get_by_role("combobox").all()):
        select.select_option(str(3 - i % 2))
    first.get_by_role("textbox").first.fill("Good scoping; say which numbers you assumed.")
    coach.locator("#review-status").filter(has_text="Draft saved at").wait_for()
    check_page(coach)
    # tall enough for the summary, the timeline and the first answer with both scores
    coach.set_viewport_size({"width": DESKTOP["width"], "height": 1400})
    coach.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
    shoot(coach, "coach-session-log")
