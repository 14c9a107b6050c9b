"""The session log a coach reads: summary strip, timeline, answers, exports."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from app.extensions import db
from app.models.practice import PracticeSession
from tests.coach import builders


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_summary_strip_tells_the_story(client, as_coach):
    html = client.get(f"/coach/sessions/{as_coach.session_id}").get_data(as_text=True)
    text = text_of(html)
    assert "45 min of 1 h" in text and "(75 %)" in text
    assert "Submitted by the candidate" in text
    assert "Answered 2 of 2" in text
    # question 1 took 30 of its 20 suggested minutes: the biggest sink, flagged as over
    assert re.search(
        r"Biggest time sinks Q1 30 min \(over the 20 min suggested\) ; "
        r"Q2 15 min \(of the 20 min suggested\)",
        text,
    )
    assert "4 saves · 1 switch · 1 hint · 1 warning" in text
    assert "not self-scored yet" in text


def test_timeline_condenses_saves_and_names_events(client, as_coach):
    text = text_of(client.get(f"/coach/sessions/{as_coach.session_id}").get_data(as_text=True))
    assert "+0:00 Started the round" in text
    assert "+2:00 3 saves on question 1, 120 → 1,400 characters" in text
    assert "+30:00 Moved to question 2" in text
    assert "+31:00 Opened a hint on question 2" in text
    assert "+40:00 Time warning shown (5 min left)" in text
    assert "+45:00 Submitted" in text


def test_auto_submitted_session_says_so(app, client, as_coach):
    with app.app_context():
        sid = builders.session(as_coach.candidate_id, status="auto_submitted", ended_after=60).id
    text = text_of(client.get(f"/coach/sessions/{sid}").get_data(as_text=True))
    assert "Auto-submitted when time ran out" in text and "(100 %)" in text


def test_sparkline_and_time_per_question(client, as_coach):
    html = client.get(f"/coach/sessions/{as_coach.session_id}").get_data(as_text=True)
    assert html.count('<svg class="sparkline"') == 2
    assert 'aria-label="Answer length over time: 3 saves from +2:00, ending at 1,400' in html
    assert "30 min spent of 20 min suggested" in text_of(html)


def test_answers_render_safely(app, client, as_coach):
    evil = "Hello <script>alert(1)</script> [x](javascript:alert(2)) **bold**"
    code = "for i in range(3):\n    print('<b>', i)"
    with app.app_context():
        sid = builders.session(
            as_coach.candidate_id, kinds=("text", "code", "estimate"), answers=(evil, code, "")
        ).id
    html = client.get(f"/coach/sessions/{sid}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and 'href="javascript' not in html
    assert "<strong>bold</strong>" in html
    # code: one span per line (numbered by CSS), escaped
    assert '<span class="code-line">for i in range(3):</span>' in html
    assert "print(&#39;&lt;b&gt;&#39;, i)" in html
    text = text_of(html)
    assert "Estimate: 0.1 $/GPU-hour" in text and "reference 0.12 $/GPU-hour ± 25 %" in text


def test_log_works_without_events(app, client, as_coach):
    with app.app_context():
        sid = builders.session(as_coach.candidate_id, events=False).id
    html = client.get(f"/coach/sessions/{sid}").get_data(as_text=True)
    assert "No events were recorded" in html and "no saves recorded" in html


def test_log_prefers_stored_time_per_question(app, client, as_coach):
    with app.app_context():
        session = db.session.get(PracticeSession, as_coach.session_id)
        session.items[0].time_spent_seconds = 600
        session.items[1].time_spent_seconds = 1500
        db.session.commit()
    text = text_of(client.get(f"/coach/sessions/{as_coach.session_id}").get_data(as_text=True))
    assert "Biggest time sinks Q2 25 min (over the 20 min suggested) ; Q1 10 min" in text


def test_log_json_export(client, as_coach):
    response = client.get(f"/coach/sessions/{as_coach.session_id}/log.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    assert [e["kind"] for e in data["events"]][:2] == ["started", "saved"]
    assert data["events"][1]["offset"] == "+2:00" and data["events"][1]["question"] == 1
    assert data["session"]["candidate"] == "Cand Dee" and len(data["questions"]) == 2
    assert data["review"] is None


def test_review_markdown_export_needs_a_review(client, as_coach):
    url = f"/coach/sessions/{as_coach.session_id}/review.md"
    assert client.get(url).status_code == 404
    client.post(f"/coach/sessions/{as_coach.session_id}/review", data={"strengths": "Crisp."})
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/markdown")
    body = response.get_data(as_text=True)
    assert "## Strengths\n\nCrisp." in body and "Review status: draft." in body


def test_code_runs_show_in_the_timeline_answer_and_correctness_evidence(app, client, as_coach):
    from app.models.practice import SessionEvent  # noqa: PLC0415

    tests = {
        "function": "top_k",
        "examples": [{"args": [[3, 1, 2], 1], "expected": [3]}],
        "hidden": [{"args": [[1], 1], "expected": [1]}, {"args": [[], 0], "expected": []}],
    }
    runs = {
        "examples": {
            "set": "examples",
            "passed": 1,
            "total": 1,
            "stopped": False,
            "duration_ms": 4.0,
            "runtime": "pyodide 0.29.0",
            "ran_in": "browser",
            "tests": [{"call": "top_k([3, 1, 2], 1)", "passed": True}],
        },
        "hidden": {
            "set": "hidden",
            "passed": 1,
            "total": 2,
            "stopped": False,
            "duration_ms": 4.0,
            "runtime": "pyodide 0.29.0",
            "ran_in": "browser",
            "tests": [
                {"call": "top_k([1], 1)", "passed": True},
                {"call": "top_k([], 0)", "passed": False, "expected": "[]", "actual": "[1]"},
            ],
        },
    }
    with app.app_context():
        session = db.session.get(PracticeSession, as_coach.session_id)
        item = session.items[1]
        item.question_version.code_tests = tests
        item.code_results = runs
        at = session.started_at
        for minute, passed, stopped in ((20, 0, True), (22, 1, False)):
            db.session.add(
                SessionEvent(
                    session_id=session.id,
                    kind="code_run",
                    position=1,
                    at=at + timedelta(minutes=minute),
                    data={"set": "examples", "passed": passed, "total": 1, "stopped": stopped},
                )
            )
        db.session.commit()
    text = text_of(client.get(f"/coach/sessions/{as_coach.session_id}").get_data(as_text=True))
    assert "Tests: 2 of 3 passed: 1/1 examples, 1/2 hidden" in text
    assert "Ran the examples on question 2: 0 of 1 passed, stopped (did not finish)" in text
    assert "Ran the examples on question 2: 1 of 1 passed" in text
    assert "Failed: top_k([], 0) · expected [] , got [1]" in text
