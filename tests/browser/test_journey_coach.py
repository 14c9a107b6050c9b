"""Journey: a coach links with an invite code, opens the queue, reads a session log, scores
and publishes; the candidate sees the review and the calibration.

Only the roles come from the database (a coach and a second, unlinked coach); everything
else happens in real Chromium through the pages: the coach creates an invite code on
their own page, the candidate signs up, links the coach with it, sits two rounds and
self-scores one, the coach reviews it (autosaved draft, then publish, then a revision 2),
and the candidate reads it. Every page both roles visit passes the gates.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

import pytest
from playwright.sync_api import expect

from tests.browser.gates import assert_no_console_errors, check_page
from tests.browser.helpers import (
    answer_box,
    at,
    nav,
    session_id_from,
    sign_in,
    sign_up,
    sit_short_round,
    type_at_end,
    user_email,
    wait_saved,
)

pytestmark = pytest.mark.browser

REFUSALS = (r"status of 404",)  # the unlinked coach's 404, provoked on purpose
STAGE = "Resume and recruiter screen"

# The screening rubric's criteria, with the levels each side gives on every question.
SELF = {
    "Verifiable evidence": 4,
    "Concrete numbers and scope": 3,
    "Personal ownership": 3,
    "Concise delivery": 2,
}
COACH = {
    "Verifiable evidence": 2,
    "Concrete numbers and scope": 3,
    "Personal ownership": 2,
    "Concise delivery": 3,
}
ANSWERS = (
    "Shipped a RAG assistant for support agents: 40k weekly users.",
    "Cut p95 latency from 900 to 300 ms by caching retrieval results.",
    "I chose applied AI because I like measuring what a model changes for users.",
)


def posted(response) -> str:
    """The form body of the request a response answers, decoded."""
    return unquote_plus(response.request.post_data or "")


def calibration_row(title: str, self_level: str, coach_level: str, delta: str) -> re.Pattern:
    """A calibration table row: criterion, self, coach, self minus coach."""
    return re.compile(
        rf"{re.escape(title)}\s+{self_level}\s+{coach_level}\s+{re.escape(delta)}(\s|$)"
    )


def test_coach_links_reviews_publishes_and_candidate_reads(
    app, bank, make_user, open_page, mailbox
):
    coach_id = make_user("coach", display_name="Coach Carla")
    other_coach_id = make_user("coach", display_name="Coach Otto")

    # --- the coach creates an invite code on their own coaching page and reads it there
    coach = open_page("coach")
    sign_in(coach, user_email(app, coach_id), role="coach")
    nav(coach, "Coaching")
    assert coach.get_by_text("You have no invite code yet.").is_visible()
    check_page(coach)
    coach.get_by_role("button", name="Create invite code").click()
    coach.get_by_text(re.compile(r"^Your invite code is now ")).wait_for()
    code = coach.locator("#invite-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    invite_link = coach.get_by_label("Invite link").input_value()
    assert invite_link.endswith(f"/coaching/join/{code}"), invite_link
    check_page(coach)

    # --- a candidate signs up and links the coach: the code (typed in lower case), then
    # the invite link, which knows they are linked already
    candidate = open_page("candidate")
    # the sign-up link confirms the address (linking a coach needs a confirmed one)
    sign_up(candidate, "dee@example.com", "Cand Dee")
    nav(candidate, "Coaches")
    assert candidate.get_by_text("No coach yet.").is_visible()
    check_page(candidate)
    candidate.get_by_label("Coach invite code").fill(code.lower())
    candidate.get_by_role("button", name="Link coach").click()
    candidate.get_by_text("Coach Carla is now your coach.").wait_for()
    assert candidate.get_by_role("listitem").filter(has_text="Coach Carla").is_visible()
    check_page(candidate)
    candidate.goto(invite_link)
    assert candidate.get_by_text("Coach Carla is already your coach.").is_visible()
    check_page(candidate)

    # --- two rounds: a 10-minute ethics sprint left unscored, then the recruiter screen
    nav(candidate, "Practice")
    check_page(candidate)
    sit_short_round(candidate, "Start Ethics sprint", "Red-team the feature before launch.")
    check_page(candidate)  # the scoring page; this round stays unscored
    nav(candidate, "Practice")
    candidate.get_by_role("button", name=re.compile(r"^Start Recruiter screen")).click()
    at(candidate, r"/practice/sessions/\d+$")
    session_id = session_id_from(candidate.url)
    clock = candidate.locator("[data-timer-clock]")
    check_page(candidate, timer=clock)
    questions = candidate.get_by_role("navigation", name="Questions in this round")
    for i, text in enumerate(ANSWERS):
        if i:
            questions.get_by_role("button").nth(i).click()
            at(candidate, rf"\?q={i}$")
        answer_box(candidate).fill(text)
        wait_saved(candidate)
        if i == 0:  # a second thought on the first answer: a second save
            type_at_end(answer_box(candidate), " I owned the retrieval layer.")
            wait_saved(candidate)
    candidate.get_by_role("button", name="Submit round…").click()
    at(candidate, r"/submit$")
    assert candidate.get_by_text("Every question has a saved answer.").is_visible()
    check_page(candidate)
    candidate.get_by_role("button", name="Submit round", exact=True).click()

    # --- self-scoring: a level on every criterion of every question, and a reflection
    at(candidate, rf"/feedback/sessions/{session_id}/score$")
    check_page(candidate)
    fieldsets = candidate.locator("fieldset.criterion")
    assert fieldsets.count() == len(ANSWERS) * len(SELF)
    for i in range(fieldsets.count()):
        fieldset = fieldsets.nth(i)
        title = fieldset.locator("legend").inner_text().split(" (weight")[0]
        fieldset.get_by_role("radio").nth(SELF[title]).check()  # radio 0 is "Not scored"
    reflection = "Too slow on Q1: lead with *numbers*."
    with candidate.expect_response(
        lambda r: r.url.endswith("/score/autosave") and reflection in posted(r)
    ):  # finish once the page has saved what was typed, as a person seeing "Saved" would
        candidate.get_by_label("Overall reflection").fill(reflection)
    expect(candidate.locator("#save-status")).to_contain_text("Saved at")
    candidate.get_by_role("button", name="Finish scoring").click()
    at(candidate, rf"/feedback/sessions/{session_id}/report$")
    assert candidate.get_by_role("heading", name="Coach review").count() == 0
    check_page(candidate)

    # --- the coach is told on their home, the overview, which counts both rounds
    coach.reload()  # the coach is already on the overview: read the new notifications
    nav(coach, "Coaching")
    notifications = coach.locator(".notification-list")
    told = notifications.get_by_role("button", name=re.compile(r"^New session to review"))
    expect(told).to_have_count(2)
    expect(told.first).to_have_text(f"New session to review: Cand Dee, {STAGE}.")
    counts = coach.locator(".stat-strip")
    assert re.search(r"2\s+awaiting review", counts.inner_text()), counts.inner_text()
    check_page(coach)

    # ... and narrows the queue to the recruiter screen by stage, then by candidate
    coach.get_by_role("link", name="Open the review queue").click()
    at(coach, r"/coach/queue$")
    queue_status = coach.locator("#queue-table > p").first
    expect(queue_status).to_have_text(re.compile(r"^2 sessions to review"))
    check_page(coach)
    coach.get_by_label("Stage").select_option(label=STAGE)
    at(coach, r"/coach/queue\?.*stage=recruiter_screen")
    expect(queue_status).to_have_text(re.compile(r"^1 session to review \(filtered\)"))
    coach.get_by_label("Candidate").select_option(label="Cand Dee")
    at(coach, r"candidate=\d+")
    expect(queue_status).to_have_text(re.compile(r"^1 session to review \(filtered\)"))
    check_page(coach)
    coach.get_by_role("link", name=re.compile(r"^Review Cand Dee")).click()
    at(coach, rf"/coach/sessions/{session_id}$")
    log_url = coach.url

    # --- the session log tells the story: timeline, answers, self-scores, reflection
    timeline = coach.locator("ol.timeline").inner_text()
    story = [
        r"Started the round",
        r"2 saves on question 1, \d+ → \d+ characters",
        r"Moved to question 2",
        r"1 save on question 2",
        r"Moved to question 3",
        r"Submitted",
        r"Finished self-scoring \(overall \d+/100\)",
    ]
    assert re.search(r"[\s\S]*".join(story), timeline), timeline
    summary = coach.locator(".summary-strip").inner_text()
    assert re.search(r"Ended\s+Submitted by the candidate", summary, re.I), summary
    assert re.search(r"Answered\s+3 of 3", summary, re.I), summary
    assert re.search(r"Self-score\s+\d+ / 100", summary, re.I), summary
    for text in ANSWERS:
        assert coach.locator("article.question").filter(has_text=text).count() == 1, text
    first = coach.locator("article.question").first
    # the answer's paragraph (the insights panel also quotes this sentence, in a blockquote)
    assert first.locator("p", has_text="I owned the retrieval layer.").is_visible()
    assert first.get_by_text("Candidate: 4 · Strong").is_visible()
    assert first.get_by_text("Candidate: 2 · Partial").is_visible()
    reflection = coach.get_by_role("region", name="The candidate's reflection")
    assert reflection.locator("em", has_text="numbers").is_visible()
    check_page(coach)

    # --- the coach scores every criterion with a comment, comments on an answer and
    # writes the summary; the draft autosaves as they go
    status = coach.locator("#review-status")
    expect(status).to_have_text("Not saved yet.")
    for article in coach.locator("article.question").all():
        for title, level in COACH.items():
            article.get_by_label(f"Your level for {title}", exact=True).select_option(str(level))
            article.get_by_label(f"Comment on {title}", exact=True).fill(f"{title}: see **hop** 1.")
    expect(status).to_contain_text("Draft saved at")
    coach.get_by_label("Comment on the answer to question 1").fill("Lead with the **40k users**.")
    coach.get_by_label("Strengths").fill("Clear *before/after* numbers.")
    coach.get_by_label("Gaps").fill("Your own part gets lost in the team's.")
    last_words = "Rehearse the ownership answer aloud."
    with coach.expect_response(
        lambda r: (
            r.request.method == "POST"
            and r.url.endswith(f"/coach/sessions/{session_id}/review")
            and last_words in posted(r)
        )
    ) as saved:
        coach.get_by_label("Next steps").fill(last_words)
    assert saved.value.ok
    expect(status).to_contain_text("Draft saved at")

    # the draft survives a reload (nothing typed is lost) and is still a draft
    coach.reload()
    assert coach.get_by_label("Next steps").input_value() == last_words
    level = coach.locator("article.question").nth(2).get_by_label("Your level for Concise delivery")
    assert level.input_value() == "3"
    check_page(coach)
    coach.get_by_role("button", name="Publish review").click()
    coach.get_by_text("Review published (revision 1).").wait_for()
    calibration = coach.get_by_role("region", name="Calibration").inner_text()
    assert calibration_row("Verifiable evidence", "4", "2", "+2").search(calibration), calibration
    check_page(coach)

    # --- the candidate is told, reads the review (Markdown rendered) and the calibration
    nav(candidate, "Dashboard")
    check_page(candidate)
    candidate.get_by_role(
        "button", name=f"New review from Coach Carla on your {STAGE} round."
    ).click()
    at(candidate, r"/coaching/reviews/\d+")
    review_url = candidate.url
    assert candidate.get_by_role("heading", name="Review from Coach Carla").is_visible()
    assert candidate.locator("em", has_text="before/after").is_visible()
    assert candidate.get_by_text("Rehearse the ownership answer aloud.").is_visible()
    assert candidate.locator(".coach-comment strong", has_text="40k users").is_visible()
    assert candidate.locator("td strong", has_text="hop").first.is_visible()
    calibration = candidate.locator("table.calibration").first.inner_text()
    for title in SELF:
        delta = SELF[title] - COACH[title]
        sign = f"+{delta}" if delta > 0 else str(delta)
        row = calibration_row(title, str(SELF[title]), str(COACH[title]), sign)
        assert row.search(calibration), (title, calibration)
    check_page(candidate)
    candidate.get_by_role("link", name="Your report").click()
    at(candidate, rf"/feedback/sessions/{session_id}/report$")
    section = candidate.locator("section.coach-section")
    assert section.get_by_role("heading", name="Coach review").is_visible()
    in_report = section.locator("table.calibration").first.inner_text()
    assert calibration_row("Verifiable evidence", "4", "2", "+2").search(in_report), in_report
    check_page(candidate)

    # --- the coach changes their mind after publishing: revision 2 replaces revision 1
    coach.goto(log_url)
    first = coach.locator("article.question").first
    first.get_by_label("Your level for Verifiable evidence").select_option("4")
    coach.get_by_label("Strengths").fill("Clear *before/after* numbers, and a checkable demo.")
    expect(status).to_contain_text("unpublished edits since revision 1")
    coach.get_by_role("button", name="Publish update (revision 2)").click()
    coach.get_by_text("Review published (revision 2).").wait_for()
    history = coach.get_by_role("region", name="Published revisions")
    expect(history.get_by_role("link", name=re.compile(r"^Revision \d$"))).to_have_count(2)
    check_page(coach)
    history.get_by_role("link", name="Revision 1").click()
    at(coach, rf"/coach/sessions/{session_id}/review/revisions/1$")
    check_page(coach)

    nav(candidate, "Dashboard")
    candidate.get_by_role(
        "button", name=f"Coach Carla updated their review of your {STAGE} round."
    ).click()
    at(candidate, re.escape(review_url) + "$")
    assert candidate.get_by_text(re.compile(r"revision 2, published")).is_visible()
    assert candidate.get_by_text("and a checkable demo.").is_visible()
    calibration = candidate.locator("table.calibration").first.inner_text()
    # coach levels 4, 2, 2 on Verifiable evidence: a mean of 2.7, self minus coach +1.3
    assert calibration_row("Verifiable evidence", "4", "2.7", "+1.3").search(calibration)
    check_page(candidate)
    candidate.get_by_role("navigation", name="Revisions").get_by_role(
        "link", name="Revision 1"
    ).click()
    at(candidate, r"revision=1")
    assert candidate.get_by_text("an earlier version").is_visible()
    assert candidate.get_by_text("and a checkable demo.").count() == 0
    check_page(candidate)

    # --- a coach the candidate never linked sees nothing of it
    other = open_page("coach")
    sign_in(other, user_email(app, other_coach_id), role="coach")
    response = other.goto(log_url)
    assert response.status == 404
    check_page(other, allow_console=REFUSALS)
    nav(other, "Coaching")
    assert re.search(r"0\s+awaiting review", other.locator(".stat-strip").inner_text())
    check_page(other, allow_console=REFUSALS)
    assert_no_console_errors(candidate)
    assert_no_console_errors(coach)
