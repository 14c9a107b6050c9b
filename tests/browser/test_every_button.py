"""Every visible button of the round, scoring, report, review and editor pages is pressed
once, with the console and CSP gates checked after each press (issue 18).

The journeys press the buttons on their own path only; a control they never touch (the
scoring page's Save, say) could break CSP or log errors unseen. Here each page is loaded
afresh before each press (state a press changed, such as a revealed hint, stays), the
button is found again by its accessible name, pressed, and the page left to settle.
Buttons that end the page's state (Submit, Finish, Publish) are pressed last.
"""

from __future__ import annotations

import re

import pytest

from tests.bank.bankdata import load_fixture_bank
from tests.browser.gates import assert_no_console_errors, check_page
from tests.browser.helpers import (
    answer_current_question,
    at,
    invite_code,
    link_coach,
    nav,
    score_every_criterion,
    sign_in,
    user_email,
)

pytestmark = pytest.mark.browser

# what a person can press: hidden default-submit buttons (aria-hidden) are not controls
BUTTONS = ", ".join(
    f"{kind}:visible:not([aria-hidden=true])"
    for kind in ("button", "input[type=submit]", "input[type=button]", "[role=button]", "summary")
)
# refusals a press may provoke on purpose (an empty required field answers 422)
REFUSED = (r"status of 4\d\d",)
ENDS_THE_PAGE = re.compile(r"^(Submit|Finish|Publish|Delete|Remove|Sign out|Archive)", re.I)


def _names(page) -> list[str]:
    names = []
    for el in page.locator(BUTTONS).all():
        name = (el.get_attribute("aria-label") or el.inner_text() or "").strip()
        if not name:
            name = (el.get_attribute("value") or "").strip()
        names.append(" ".join(name.split()))
    return names


def press_every_button(page, url: str, prepare=None, skip: tuple[str, ...] = ()) -> list[str]:
    """Press each visible button of the page at `url` once (reloading in between); return
    the names pressed. `prepare(page)` runs after each load (e.g. choose levels first)."""
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(url)
    skip = (*skip, r"^Sign out$")  # it ends the test's session, not the page's state
    names = [n for n in _names(page) if n and not any(re.search(s, n) for s in skip)]
    ordered = [n for n in names if not ENDS_THE_PAGE.search(n)]
    ordered += [n for n in names if ENDS_THE_PAGE.search(n)]
    pressed = []
    for occurrence, name in _numbered(ordered):
        page.goto(url)
        if prepare:
            prepare(page)
        matches = [el for el in page.locator(BUTTONS).all() if _name_of(el) == name]
        if len(matches) <= occurrence:
            continue  # an earlier press changed the page (a hint shown stays shown)
        matches[occurrence].click()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        assert_no_console_errors(page, allow=REFUSED)
        pressed.append(name)
    return pressed


def _name_of(el) -> str:
    name = (el.get_attribute("aria-label") or el.inner_text() or "").strip()
    if not name:
        name = (el.get_attribute("value") or "").strip()
    return " ".join(name.split())


def _numbered(names: list[str]) -> list[tuple[int, str]]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        out.append((seen.get(name, 0), name))
        seen[name] = seen.get(name, 0) + 1
    return out


def test_every_button_of_round_scoring_report_and_review_keeps_the_console_clean(
    app, bank, make_user, open_page
):
    coach_id = make_user("coach", display_name="Coach Carla")
    candidate_id = make_user("candidate", display_name="Ada Lovelace")
    coach = open_page("coach")
    sign_in(coach, user_email(app, coach_id), role="coach")
    code, _ = invite_code(coach)
    page = open_page("candidate")
    sign_in(page, user_email(app, candidate_id))
    link_coach(page, code, "Coach Carla")

    nav(page, "Practice")
    page.get_by_role("button", name=re.compile(r"^Start ML system design")).click()
    at(page, r"/practice/sessions/\d+$")
    round_url = page.url
    answer_current_question(page, "First line.\nSecond line.")
    page.locator("[data-save-status]").filter(has_text=re.compile(r"^\s*Saved")).wait_for()
    pressed = press_every_button(page, round_url)
    assert "Save" in pressed or any(n.startswith("Save") for n in pressed), pressed
    assert any(n.startswith("Submit round") for n in pressed), pressed

    # the last press (Submit round…) opened the confirmation; submit for real
    page.goto(round_url + "/submit")
    page.get_by_role("button", name="Submit round", exact=True).click()
    at(page, r"/feedback/sessions/\d+/score")
    score_url = page.url
    # the boosted Save straight after choosing levels (the press the journeys never made)
    score_every_criterion(page)
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Scores saved").wait_for()
    check_page(page)
    pressed = press_every_button(page, score_url, prepare=score_every_criterion)
    assert {"Save", "Finish scoring"} <= set(pressed), pressed

    at(page, r"/feedback/sessions/\d+/report$")
    report_url = page.url
    pressed = press_every_button(page, report_url)
    assert pressed, "the report has buttons"
    # its "Practise this question" buttons each start a drill: the first opens one, the
    # others answer 409 with a link to it (one round at a time), as designed
    check_page(page, allow_console=REFUSED)

    session_id = re.search(r"/sessions/(\d+)/", report_url).group(1)
    review_url = f"/coach/sessions/{session_id}"
    coach.goto(review_url)
    check_page(coach)
    pressed = press_every_button(coach, review_url)
    assert pressed, "the review page has buttons"


@pytest.fixture
def fixture_bank(app):
    with app.app_context():
        load_fixture_bank()


def test_every_button_of_the_bank_editor_keeps_the_console_clean(
    app, fixture_bank, make_user, open_page
):
    page = open_page("admin")
    sign_in(page, user_email(app, make_user(role="admin")), role="admin")
    page.goto("/admin/bank/questions?q=feature")
    page.get_by_role("link", name="Design a feature store").click()
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_role("button", name="Save question").first.wait_for()
    edit_url = page.url
    pressed = press_every_button(page, edit_url)
    assert any(n.startswith("Save question") for n in pressed), pressed
    page.goto("/admin/bank/rubrics")
    page.get_by_role("link", name="Coding").click()
    page.get_by_role("link", name="Edit criteria and levels").click()
    page.get_by_role("button", name="Add a level to criterion 1").wait_for()
    rubric_url = page.url
    pressed = press_every_button(page, rubric_url)
    assert any(n.startswith("Add a level") for n in pressed), pressed
