"""The round page in real Chromium: autosave, reload, two tabs, warnings, expiry, keyboard.

Deadlines are moved in the database instead of waiting: the page re-syncs its countdown
from the server on `visibilitychange`, which the tests dispatch.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from app.clock import utcnow
from app.extensions import db
from app.models.practice import PracticeSession, SessionEvent, SessionQuestion
from tests import factories
from tests.browser.gates import check_page, watch_page
from tests.browser.helpers import go_on_after_time_up, sign_in

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^Saved at \d\d:\d\d:\d\d$")
REFUSED_FETCH = (r"status of 409", r"status of 422")


@pytest.fixture
def candidate(app):
    with app.app_context():
        return factories.user(email="sitter@example.com", timezone="Europe/Berlin").id


def make_format(app, minutes=45, kinds=("text",), stage="technical_phone", **fields):
    with app.app_context():
        fmt = factories.round_format(stage, minutes=minutes, count=len(kinds), **fields)
        for kind in kinds:
            factories.question(
                stage,
                answer_kind=kind,
                code_language="python" if kind == "code" else None,
                hints=["Think about the data size.", "Consider a heap."],
            )
        return fmt.name


def start_round(page, name) -> int:
    page.goto("/practice/")
    page.get_by_role("button", name=f"Start {name}").click()
    page.wait_for_url(re.compile(r".*/practice/sessions/\d+$"))
    wait_until_round_is_set_up(page)
    return int(page.url.rsplit("/", 1)[1])


def wait_until_round_is_set_up(page) -> None:
    """After a boosted navigation the URL changes before htmx has run the round's script:
    typing or events sent before it is set up (it then has `mockloopSync`) go unheard."""
    page.wait_for_function(
        "() => { const r = document.querySelector('[data-round]');"
        " return !window.mockloop || !r || r.mockloopSync; }"  # no JS: nothing to wait for
    )


def seconds_shown(page) -> int:
    total = 0
    for part in page.locator("[data-timer-clock]").inner_text().split(":"):
        total = total * 60 + int(part)
    return total


def move_deadline(app, session_id, seconds_from_now: float):
    """Move the round's clock in the database, keeping its length."""
    with app.app_context():
        session = db.session.get(PracticeSession, session_id)
        length = session.deadline_at - session.started_at
        deadline = utcnow() + timedelta(seconds=seconds_from_now)
        db.session.execute(
            update(PracticeSession)
            .where(PracticeSession.id == session_id)
            .values(deadline_at=deadline, started_at=deadline - length)
        )
        db.session.commit()
        return deadline


def resync(page):
    """Ask the page to re-sync its clock, as a tab coming back into view does.

    After a boosted navigation the URL changes before htmx has run the round's script,
    so wait until the round is set up (it then has `mockloopSync`): an event sent before
    its listener exists would be lost and the page would only re-sync on its next poll.
    """
    wait_until_round_is_set_up(page)
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")


def saved_answer(app, session_id, position=0) -> SessionQuestion:
    with app.app_context():
        return db.session.scalar(
            select(SessionQuestion).where(
                SessionQuestion.session_id == session_id, SessionQuestion.position == position
            )
        )


def test_type_autosave_reload_keeps_text_and_clock(app, page, candidate):
    name = make_format(app, minutes=45)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    check_page(page, timer=page.locator("[data-timer-clock]"))
    first = seconds_shown(page)
    assert 44 * 60 < first <= 45 * 60

    with page.expect_request(re.compile(r".*/autosave$")) as sent:
        page.get_by_label("Your answer").fill("Use a min-heap of size k.\nThen pop.")
    # urlencoded, as the bench sends it (multipart costs the server ~1.8x as much)
    assert sent.value.headers["content-type"].startswith("application/x-www-form-urlencoded")
    page.get_by_text(SAVED).wait_for()
    assert saved_answer(app, session_id).answer_text == "Use a min-heap of size k.\nThen pop."

    page.wait_for_timeout(1100)
    page.reload()
    assert page.get_by_label("Your answer").input_value() == "Use a min-heap of size k.\nThen pop."
    assert seconds_shown(page) < first, "the countdown continued; it did not reset"
    assert page.get_by_text(SAVED).is_visible()
    assert page.errors == []


def test_a_second_tab_gets_the_409_message_and_overwrites_nothing(app, page, candidate):
    name = make_format(app)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    other = watch_page(page.context.new_page(), role="candidate")
    other.goto(page.url)

    page.get_by_label("Your answer").fill("Written in the first tab")
    page.get_by_text(SAVED).wait_for()

    other.get_by_label("Your answer").fill("Written in the second tab")
    problem = other.locator("[data-save-problem]")
    problem.get_by_text("This answer was changed in another tab").wait_for()
    assert other.get_by_label("Your answer").input_value() == "Written in the second tab"
    assert saved_answer(app, session_id).answer_text == "Written in the first tab"
    check_page(other, allow_console=REFUSED_FETCH)

    other.get_by_role("button", name="Reload to see the saved version").click()
    other.wait_for_load_state("load")
    other.get_by_label("Your answer").wait_for()
    assert other.get_by_label("Your answer").input_value() == "Written in the first tab"
    # the browser kept the second tab's text and offers it back; the candidate declines
    offer = other.locator("[data-save-problem]")
    offer.get_by_text("never reached the server").wait_for()
    offer.get_by_role("button", name="Keep the saved version").click()
    assert offer.is_hidden()
    other.reload()
    assert other.locator("[data-save-problem]").is_hidden()
    assert other.get_by_label("Your answer").input_value() == "Written in the first tab"


def test_warnings_are_announced_and_logged(app, page, candidate):
    name = make_format(app, minutes=45)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    announce = page.locator("[data-round-announce]")
    assert announce.get_attribute("aria-live") == "polite"
    move_deadline(app, session_id, 290)
    resync(page)
    page.wait_for_function(
        "() => document.querySelector('[data-round-announce]').textContent.includes('5 minutes')"
    )
    move_deadline(app, session_id, 50)
    resync(page)
    page.wait_for_function(
        "() => document.querySelector('[data-round-announce]').textContent.includes('1 minute')"
    )
    page.wait_for_timeout(500)
    with app.app_context():
        logged = db.session.scalars(
            select(SessionEvent.data).where(
                SessionEvent.session_id == session_id, SessionEvent.kind == "warning_shown"
            )
        ).all()
    assert sorted(d["seconds_left"] for d in logged) == [60, 300]


def test_round_expires_while_open_and_lands_on_self_scoring(app, page, candidate):
    name = make_format(app, minutes=1, grace_seconds=60)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    answer = page.get_by_label("Your answer")
    answer.fill("Saved before the end.")
    page.get_by_text(SAVED).wait_for()

    deadline = move_deadline(app, session_id, -1)  # time ran out a second ago (in grace)
    answer.type(" Typed in the last second.")
    resync(page)  # the page learns the time is up: flush, then finalise
    # a clear notice before the scoring page, read out (role=alert) and focused (issue 18)
    notice = page.get_by_role("alert").filter(has_text="Time's up")
    notice.wait_for()
    with app.app_context():
        session = db.session.get(PracticeSession, session_id)
        assert session.status == "auto_submitted"
        assert abs((session.finished_at - deadline).total_seconds()) < 0.01
        saved_at = max(i.saved_at for i in session.items)
    local = saved_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))
    assert notice.inner_text().startswith(
        f"Time's up — your last saved answers were submitted at {local:%H:%M}."
    )
    assert page.evaluate("() => document.activeElement.matches('[data-time-up]')")
    assert "/practice/sessions/" in page.url  # no navigation until the candidate goes on
    check_page(page)
    notice.get_by_role("link", name="Go to self-scoring").click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/score")
    assert saved_answer(app, session_id).answer_text == (
        "Saved before the end. Typed in the last second."
    )


def test_a_refused_late_save_keeps_the_text_on_the_page(app, page, candidate):
    name = make_format(app, minutes=30, grace_seconds=0)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    move_deadline(app, session_id, -120)  # over, and past its grace: the laptop slept
    page.get_by_label("Your answer").fill("Words the server can no longer take")
    page.locator("[data-save-problem]").get_by_text("this answer was not saved").wait_for()
    assert page.get_by_label("Your answer").input_value() == "Words the server can no longer take"
    assert "/practice/sessions/" in page.url  # no navigation away from unsaved text
    assert page.get_by_role("link", name="Go to self-scoring").is_visible()
    assert saved_answer(app, session_id).answer_text == ""


def test_code_editor_keeps_tab_and_escape_tab_leaves(app, page, candidate):
    # The code editor is CodeMirror (static/vendor/codemirror-*): Enter auto-indents by
    # 4 spaces and Tab indents the line once more; the form field it keeps in sync is the
    # hidden textarea named answer_text.
    name = make_format(app, kinds=("code",))
    sign_in(page, "sitter@example.com")
    start_round(page, name)
    page.locator(".cm-editor").wait_for()  # its script arrives just after a boosted swap
    editor = page.get_by_label("Your code (python)")
    field = page.locator("textarea[name=answer_text]")
    editor.click()
    page.keyboard.type("def top_k(xs, k):")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("return sorted(xs)[-k:]")
    assert field.input_value() == "def top_k(xs, k):\n        return sorted(xs)[-k:]"
    assert page.evaluate("() => document.activeElement.id") == "answer_text"
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") != "answer_text"
    assert field.input_value().count("    ") == 2  # the Tab after Escape indented nothing


def test_without_javascript_save_and_submit_still_work(app, open_page, candidate):
    name = make_format(app, kinds=("text", "text"))
    page = open_page("candidate", java_script_enabled=False)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    page.get_by_label("Your answer").fill("No script needed")
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.get_by_text(re.compile(r"Saved at \d\d:\d\d:\d\d\.")).is_visible()
    assert page.get_by_label("Your answer").input_value() == "No script needed"
    page.get_by_role("button", name="Submit round…").click()
    page.wait_for_url(f"**/practice/sessions/{session_id}/submit")
    assert page.get_by_text("1 question not answered").is_visible()
    page.get_by_role("button", name="Submit round").click()
    page.wait_for_url(f"**/feedback/sessions/{session_id}/score")
    assert saved_answer(app, session_id).answer_text == "No script needed"


def test_practice_pages_pass_the_gates(app, page, candidate):
    make_format(app, minutes=45, kinds=("estimate", "deliverable"))
    with app.app_context():
        screen = factories.round_format("recruiter_screen", 15, count=1)
        factories.question("recruiter_screen")
        factories.loop_plan([screen])
    sign_in(page, "sitter@example.com")
    page.goto("/practice/")
    check_page(page)
    page.get_by_role("button", name="Start loop: Test loop").click()
    page.wait_for_url(re.compile(r".*/practice/loops/\d+$"))
    check_page(page)
    page.get_by_role("button", name=re.compile("^Start ")).click()
    page.wait_for_url(re.compile(r".*/practice/sessions/\d+$"))
    check_page(page, timer=page.locator("[data-timer-clock]"))
    page.goto("/practice/history")
    check_page(page)


def test_failed_saves_stay_visible_and_retry_until_saved(app, page, candidate):
    name = make_format(app)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    page.route("**/autosave", lambda route: route.abort("internetdisconnected"))
    page.get_by_label("Your answer").fill("Written while offline")
    problem = page.locator("[data-save-problem]")
    problem.get_by_text(re.compile(r"^Not saved: the connection dropped")).wait_for()
    page.wait_for_timeout(2500)  # the first retry fails too; the warning stays up
    assert problem.is_visible() and "retrying in" in problem.inner_text()
    assert saved_answer(app, session_id).answer_text == ""
    page.unroute("**/autosave")
    page.get_by_text(SAVED).wait_for(timeout=15_000)  # the next retry gets through
    assert problem.is_hidden()
    assert saved_answer(app, session_id).answer_text == "Written while offline"


def test_leaving_the_page_saves_what_was_typed(app, page, candidate):
    name = make_format(app)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    page.evaluate(  # note what the beacon carries (urlencoded fields, as every save)
        "() => { const send = navigator.sendBeacon.bind(navigator);"
        " navigator.sendBeacon = (url, data) => {"
        " localStorage.setItem('beacon-body', data.constructor.name); return send(url, data); }; }"
    )
    page.get_by_label("Your answer").fill("Typed just before leaving")
    page.goto("/practice/history")  # within the 1.5 s debounce: pagehide sends a beacon
    assert page.evaluate("() => localStorage.getItem('beacon-body')") == "URLSearchParams"
    for _ in range(50):
        if saved_answer(app, session_id).answer_text:
            break
        page.wait_for_timeout(100)
    assert saved_answer(app, session_id).answer_text == "Typed just before leaving"


def test_text_typed_before_the_script_ran_is_saved_once_it_runs(app, page, candidate):
    """On a slow connection the answer box is on screen before round.js: what is typed
    meanwhile raised no event the script heard, and is saved as soon as the script runs."""
    name = make_format(app)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    held = []
    page.route(re.compile(r"/static/js/round\.js"), lambda route: held.append(route))
    page.goto(page.url, wait_until="commit")
    page.get_by_label("Your answer").fill("Typed while the script was on its way.")
    while not held:
        page.wait_for_timeout(50)
    held[0].continue_()
    page.get_by_text(SAVED).wait_for()
    assert saved_answer(app, session_id).answer_text == "Typed while the script was on its way."
    assert page.errors == []


def test_signing_out_and_in_elsewhere_does_not_stop_autosave(app, page, candidate):
    name = make_format(app)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    clock_before = seconds_shown(page)
    other = watch_page(page.context.new_page(), role="candidate")
    other.goto("/dashboard")
    other.get_by_role("button", name="Sign out").click()
    other.wait_for_url("**/login")
    sign_in(other, "sitter@example.com")  # a new sign-in: the old page's CSRF token is stale

    page.get_by_label("Your answer").fill("Still saving after a new sign-in")
    page.get_by_text(SAVED).wait_for(timeout=15_000)
    assert saved_answer(app, session_id).answer_text == "Still saving after a new sign-in"
    assert seconds_shown(page) <= clock_before


def test_grace_then_close_counts_the_grace_down_then_closes(app, page, candidate):
    name = make_format(
        app,
        minutes=180,
        stage="take_home",
        kinds=("deliverable",),
        expiry_policy="grace_then_close",
        grace_seconds=120,
    )
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    move_deadline(app, session_id, -100)  # 20 s of grace left
    resync(page)
    page.locator("[data-round-announce]").get_by_text("seconds of grace to finish").wait_for()
    assert 15 <= seconds_shown(page) <= 20
    page.get_by_label("Your write-up").fill("Finished in the grace period")
    page.get_by_text(SAVED).wait_for()
    move_deadline(app, session_id, -118)  # grace ends in 2 s, while the page is open
    resync(page)
    go_on_after_time_up(page)
    page.wait_for_url(f"**/feedback/sessions/{session_id}/score")
    with app.app_context():
        assert db.session.get(PracticeSession, session_id).status == "closed"
    assert saved_answer(app, session_id).answer_text == "Finished in the grace period"


def test_text_typed_offline_survives_closing_the_tab(app, page, candidate):
    """The network drops, the candidate types on and closes the tab: nothing is lost."""
    name = make_format(app)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    url = page.url
    page.get_by_label("Your answer").fill("Saved part.")
    page.get_by_text(SAVED).wait_for()

    page.context.set_offline(True)
    page.get_by_label("Your answer").press_sequentially(" Typed offline.")
    page.locator("[data-save-problem]").get_by_text("Not saved").wait_for()
    page.close()  # the tab is gone; the server never got the last words
    assert saved_answer(app, session_id).answer_text == "Saved part."

    page.context.set_offline(False)
    again = watch_page(page.context.new_page(), role="candidate")
    again.goto(url)
    assert again.get_by_label("Your answer").input_value() == "Saved part. Typed offline."
    again.get_by_text(SAVED).wait_for()
    assert saved_answer(app, session_id).answer_text == "Saved part. Typed offline."
    again.reload()
    assert again.get_by_label("Your answer").input_value() == "Saved part. Typed offline."
    stored = again.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('mockloop:unsaved:'))"
    )
    assert stored == [], "a saved answer leaves no copy behind in the browser"
    check_page(again)


def test_offline_text_and_a_newer_save_elsewhere_the_candidate_chooses(app, page, candidate):
    name = make_format(app)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    url = page.url
    page.context.set_offline(True)
    page.get_by_label("Your answer").fill("Laptop draft, never sent.")
    page.locator("[data-save-problem]").get_by_text("Not saved").wait_for()
    page.close()
    page.context.set_offline(False)

    with app.app_context():  # meanwhile the candidate answered on another device
        item = db.session.scalar(
            select(SessionQuestion).where(SessionQuestion.session_id == session_id)
        )
        item.answer_text, item.revision = "Phone answer.", item.revision + 1
        db.session.commit()

    again = watch_page(page.context.new_page(), role="candidate")
    again.goto(url)
    assert again.get_by_label("Your answer").input_value() == "Phone answer."
    offer = again.locator("[data-save-problem]")
    offer.get_by_text("saved from another tab or device").wait_for()
    check_page(again)
    offer.get_by_role("button", name="Use the text from this browser").click()
    again.get_by_text(SAVED).wait_for()
    assert again.get_by_label("Your answer").input_value() == "Laptop draft, never sent."
    assert saved_answer(app, session_id).answer_text == "Laptop draft, never sent."


def test_without_javascript_a_stale_form_comes_back_with_the_typed_answer(
    app, open_page, candidate
):
    """Signed in again in another tab, then Save: the round returns with the text, unsaved."""
    name = make_format(app, kinds=("text",))
    page = open_page("candidate", java_script_enabled=False)
    sign_in(page, "sitter@example.com")
    session_id = start_round(page, name)
    other = watch_page(page.context.new_page(), role="candidate")
    other.goto("/dashboard")
    other.get_by_role("button", name="Sign out").click()
    other.wait_for_url("**/login")
    sign_in(other, "sitter@example.com")  # this page's CSRF token is now stale

    typed = "Two-tower retrieval, then a ranker.\nCache <embeddings> & batch."
    page.get_by_label("Your answer").fill(typed)
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("alert").get_by_text("not saved yet").wait_for()
    assert page.get_by_label("Your answer").input_value() == typed
    assert saved_answer(app, session_id).answer_text == ""
    # (check_page injects axe, which needs JavaScript: the copy page below is gated with it)

    page.get_by_role("button", name="Save", exact=True).click()
    assert page.get_by_text(re.compile(r"Saved at \d\d:\d\d:\d\d\.")).is_visible()
    assert saved_answer(app, session_id).answer_text == typed


def test_a_stale_form_elsewhere_gives_the_text_back_to_copy(app, open_page, candidate):
    """Any other form (here: sign-up) shows what was typed, read-only, and no way to resend."""
    page = open_page("anonymous")
    page.goto("/register")
    other = watch_page(page.context.new_page(), role="anonymous")
    sign_in(other, "sitter@example.com")  # the shared session is cleared: token stale
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Display name").fill("Ada <Lovelace>")
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Repeat password").fill("a long enough passphrase")
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("This page had expired, so nothing was saved.").wait_for()
    assert page.get_by_label("Display name").input_value() == "Ada <Lovelace>"
    assert page.get_by_label("Display name").get_attribute("readonly") is not None
    assert "a long enough passphrase" not in page.content()
    assert page.locator("main form, main button").count() == 0
    check_page(page, allow_console=(r"status of 400",))
    page.get_by_role("link", name="Back to the page").click()
    page.wait_for_url("**/register")
