"""A coding round end to end in real Chromium (issue 12): the round page renders the pinned
version's examples; Run examples (correct, then wrong) is stored and logged; submit runs the
hidden tests in the browser and stores them; the scoring page, the report and the coach's
session log show "N of M passed" with the gates on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models.bank import QuestionVersion
from app.models.practice import SessionEvent, SessionQuestion
from tests import factories
from tests.browser.gates import check_page
from tests.browser.helpers import at, move_times_back, self_score, sign_in
from tests.coach import builders

pytestmark = pytest.mark.browser

PYTHON_LOAD_MS = 90_000  # a cold Pyodide on a busy 2-core machine
TESTS = {
    "function": "top_k",
    "examples": [
        {"args": [[3, 1, 2], 2], "expected": [3, 2]},
        {"args": [[5, 5, 1], 1], "expected": [5]},
        {"args": [[], 3], "expected": []},
    ],
    "hidden": [
        {"args": [[1], 1], "expected": [1]},
        {"args": [[2, 9, 4], 3], "expected": [9, 4, 2]},
        {"args": [[7, 7], 1], "expected": [7]},
        {"args": [[4, 8], 0], "expected": []},
        {"args": [[-1, -5, 0], 2], "expected": [0, -1]},
    ],
}
CORRECT = "def top_k(xs, k):\n    return sorted(xs, reverse=True)[:k]\n"
WRONG = "def top_k(xs, k):\n    return sorted(xs)[:k]\n"
# passes the examples and 4 of 5 hidden cases: k == 0 returns everything
ALMOST = "def top_k(xs, k):\n    return sorted(xs, reverse=True)[:k or None]\n"


@pytest.fixture
def code_round(app):
    with app.app_context():
        candidate = factories.user(
            email="coder@example.com", timezone="Europe/Berlin", coach_sharing="all"
        )
        coach = factories.user(email="coach@example.com", role="coach")
        builders.link(coach.id, candidate.id)
        fmt = factories.round_format("technical_phone", minutes=45, count=1)
        criteria = [
            {
                "key": key,
                "title": title,
                "description": "",
                "weight": 1.0,
                "levels": factories.levels(4),
            }
            for key, title in (("correctness", "Correctness"), ("clarity", "Clarity"))
        ]
        factories.question(
            "technical_phone",
            rubric_obj=factories.rubric(criteria=criteria),
            answer_kind="code",
            code_language="python",
            code_tests=TESTS,
            title="Top k",
            hints=["Sort.", "Slice."],
        )
        return fmt.name


def set_code(page, code: str) -> None:
    """Select all in the editor and paste `code` over it (as Ctrl+V does)."""
    editor = page.locator("#answer_text")
    editor.click()
    page.keyboard.press("Control+A")
    editor.evaluate(
        """(el, text) => {
          const data = new DataTransfer();
          data.setData("text/plain", text);
          el.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true,
                                                        cancelable: true}));
        }""",
        code,
    )


def run_examples(page, timeout=PYTHON_LOAD_MS) -> str:
    """Run and wait until this run's result is stored (the mark of the previous one cleared)."""
    page.locator(".code-run").evaluate_all(
        "els => els.forEach(el => el.removeAttribute('data-run-stored'))"
    )
    page.get_by_role("button", name="Run examples").click()
    expect(page.locator(".code-run[data-run-stored]")).to_have_attribute(
        "data-run-stored", "yes", timeout=timeout
    )
    return page.locator(".code-run-summary").inner_text()


def runs(app, session_id):
    with app.app_context():
        return [
            (e.data["set"], e.data["passed"], e.data["total"])
            for e in db.session.scalars(
                select(SessionEvent)
                .where(SessionEvent.session_id == session_id, SessionEvent.kind == "code_run")
                .order_by(SessionEvent.id)
            )
        ]


def test_a_coding_round_runs_examples_then_hidden_tests_and_everyone_sees_them(
    app, open_page, code_round
):
    page = open_page("candidate")
    sign_in(page, "coder@example.com")
    page.goto("/practice/")
    page.get_by_role("button", name=f"Start {code_round}").click()
    at(page, r"/practice/sessions/\d+$")
    session_id = int(page.url.rsplit("/", 1)[1])
    page.locator(".cm-editor").wait_for()
    expect(page.get_by_text("top_k([3, 1, 2], 2)")).to_be_visible()  # the examples, rendered

    set_code(page, WRONG)
    assert run_examples(page) == "1 of 3 example tests passed."
    set_code(page, CORRECT)
    assert run_examples(page, timeout=15_000) == "3 of 3 example tests passed."
    check_page(page, timer=page.locator("[data-timer-clock]"))
    assert runs(app, session_id) == [("examples", 1, 3), ("examples", 3, 3)]

    set_code(page, ALMOST)
    expect(page.locator("[data-save-status]")).to_have_text(re.compile("^Saved at"))
    page.get_by_role("button", name="Submit round…").click()
    at(page, r"/submit$")
    page.get_by_role("button", name="Submit round").click()
    at(page, r"/score\?run=hidden$")
    box = page.locator("[data-run-hidden]")
    expect(box).to_have_attribute("data-run-hidden-stored", "yes", timeout=PYTHON_LOAD_MS)
    expect(box).to_contain_text("4 of 5 hidden tests passed; stored with your answer.")
    assert runs(app, session_id)[-1] == ("hidden", 4, 5)
    with app.app_context():
        item = db.session.scalar(
            select(SessionQuestion).where(SessionQuestion.session_id == session_id)
        )
        assert item.code_results["hidden"]["ran_in"] == "browser"
        assert item.code_results["hidden"]["runtime"].startswith("pyodide")

    line = "7 of 8 passed: 3/3 examples, 4/5 hidden"
    page.reload()
    expect(page.get_by_text(f"Tests: {line}")).to_be_visible()
    expect(page.get_by_text(f"Evidence: {line} (run in your browser).")).to_be_visible()
    expect(page.locator("[data-run-hidden]")).to_have_count(0)
    check_page(page)
    self_score(page)
    expect(page.get_by_text(f"Tests: {line}")).to_be_visible()
    check_page(page)

    coach = open_page("coach")
    sign_in(coach, "coach@example.com", role="coach")
    coach.goto(f"/coach/sessions/{session_id}")
    expect(coach.get_by_text(f"Tests: {line}")).to_be_visible()
    expect(coach.get_by_text("Ran the examples on question 1: 1 of 3 passed")).to_be_visible()
    expect(coach.get_by_text("Ran the hidden tests on question 1: 4 of 5 passed")).to_be_visible()
    check_page(coach)


def test_a_round_closed_with_its_page_shut_offers_the_hidden_run(app, open_page, code_round):
    """The page was closed when time ran out: the scoring page says "not run" and offers it."""
    page = open_page("candidate")
    sign_in(page, "coder@example.com")
    page.goto("/practice/")
    page.get_by_role("button", name=f"Start {code_round}").click()
    at(page, r"/practice/sessions/\d+$")
    session_id = int(page.url.rsplit("/", 1)[1])
    page.locator(".cm-editor").wait_for()
    set_code(page, CORRECT)
    expect(page.locator("[data-save-status]")).to_have_text(re.compile("^Saved at"))
    page.goto("/dashboard")
    move_times_back(app, session_id, 60 * 60)  # 45 minutes and the grace are over
    page.goto(f"/feedback/sessions/{session_id}/score")
    box = page.locator("[data-run-hidden]")
    expect(box).to_contain_text("Hidden tests: not run.")
    check_page(page)
    box.get_by_role("button", name="Run the hidden tests now").click()
    expect(box).to_have_attribute("data-run-hidden-stored", "yes", timeout=PYTHON_LOAD_MS)
    expect(box).to_contain_text("5 of 5 hidden tests passed")
    assert runs(app, session_id) == [("hidden", 5, 5)]


def test_the_editor_preview_runs_the_examples_and_posts_nothing(app, open_page, code_round):
    with app.app_context():
        factories.user(email="admin@example.com", role="admin")
        question_id = db.session.scalar(
            select(QuestionVersion.question_id).where(QuestionVersion.title == "Top k")
        )
    page = open_page("admin")
    sign_in(page, "admin@example.com", role="admin")
    page.goto(f"/admin/bank/questions/{question_id}/preview")
    page.get_by_label("Code (python)").fill(CORRECT)
    page.get_by_role("button", name="Run examples").click()
    expect(page.locator(".code-run-summary")).to_have_text(
        "3 of 3 example tests passed.", timeout=PYTHON_LOAD_MS
    )
    expect(page.locator(".code-run")).to_have_attribute("data-run-stored", "no")
    check_page(page)
    with app.app_context():
        assert db.session.scalar(select(SessionEvent.id).limit(1)) is None
