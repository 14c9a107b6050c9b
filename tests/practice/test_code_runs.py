"""Run results posted by the candidate's browser: checked, stored with the answer, logged;
hidden cases only after the round; refusals store nothing (issue 12)."""

from __future__ import annotations

import json

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models.practice import SessionEvent
from tests import factories
from tests.conftest import csrf_token
from tests.practice.conftest import START, at, items, only_session_id

TESTS = {
    "function": "add",
    "time_limit_s": 3,
    "examples": [
        {"args": [1, 2], "expected": 3},
        {"args": [0, 0], "expected": 0},
        {"args": [-1, 1], "expected": 0},
    ],
    "hidden": [
        {"args": [2, 2], "expected": 4},
        {"args": [10, -3], "expected": 7},
        {"args": [0, 5], "expected": 5},
        {"args": [100, 1], "expected": 101},
    ],
}


@pytest.fixture
def coding_round(app, client, login_as):
    """A signed-in candidate in a 30-minute round of one code question with tests."""
    with freeze_time(START):
        return _start(app, client, login_as)


def _start(app, client, login_as):
    user_id = login_as()
    with app.app_context():
        fmt = factories.round_format("coding", minutes=30, count=1)
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
            "coding",
            rubric_obj=factories.rubric(criteria=criteria),
            answer_kind="code",
            code_language="python",
            code_tests=TESTS,
            hints=["h1", "h2"],
        )
        fmt_id = fmt.id
    started = client.post("/practice/rounds", data={"format_id": fmt_id})
    assert "/practice/sessions/" in started.headers["Location"]
    return {"id": only_session_id(app), "user_id": user_id}


def result(which="examples", passed=None, total=None, **extra):
    cases = TESTS[which]
    total = len(cases) if total is None else total
    passed = total if passed is None else passed
    tests = [
        {
            "call": f"add({c['args'][0]}, {c['args'][1]})",
            "passed": i < passed,
            "expected": str(c["expected"]),
            "actual": str(c["expected"]) if i < passed else "0",
            "error": "",
        }
        for i, c in enumerate(cases[:total])
    ]
    body = {
        "set": which,
        "passed": passed,
        "total": total,
        "stopped": False,
        "duration_ms": 12.5,
        "runtime": "pyodide 0.29.0",
        "tests": tests,
    }
    body.update(extra)
    return body


def post_run(client, session_id, body, position=0, **kwargs):
    return client.post(
        f"/practice/sessions/{session_id}/questions/{position}/runs",
        data=json.dumps(body),
        content_type="application/json",
        **kwargs,
    )


def run_events(app, session_id):
    with app.app_context():
        return [
            (e.position, e.data)
            for e in db.session.scalars(
                select(SessionEvent)
                .where(SessionEvent.session_id == session_id, SessionEvent.kind == "code_run")
                .order_by(SessionEvent.id)
            )
        ]


def test_round_page_carries_the_examples_never_the_hidden_cases(client, coding_round):
    with freeze_time(at(minutes=1)):
        page = client.get(f"/practice/sessions/{coding_round['id']}").get_data(as_text=True)
    assert 'id="code-tests-' in page and "data-run-url=" in page
    spec = page.split('type="application/json"', 1)[1].split(">", 1)[1].split("</script>", 1)[0]
    data = json.loads(spec)
    assert data["function"] == "add" and data["time_limit_s"] == 3
    assert [c["call"] for c in data["examples"]] == ["add(1, 2)", "add(0, 0)", "add(-1, 1)"]
    assert data["examples"][0]["compare"] == "exact"
    assert "hidden" not in data and "101" not in page  # hidden cases stay on the server


def test_every_run_is_logged_and_the_latest_examples_kept(app, client, coding_round):
    sid = coding_round["id"]
    with freeze_time(at(minutes=5)):
        assert post_run(client, sid, result(passed=1)).status_code == 200
    with freeze_time(at(minutes=6)):
        response = post_run(client, sid, result())
    assert response.status_code == 200 and response.get_json()["ok"]
    events = run_events(app, sid)
    assert [(p, d["set"], d["passed"], d["total"], d["stopped"]) for p, d in events] == [
        (0, "examples", 1, 3, False),
        (0, "examples", 3, 3, False),
    ]
    stored = items(app, sid)[0].code_results
    assert stored["examples"]["passed"] == 3 and stored["examples"]["ran_in"] == "browser"
    assert stored["examples"]["runtime"] == "pyodide 0.29.0"
    assert "hidden" not in stored


@pytest.mark.parametrize(
    "body",
    [
        "not json at all",
        {"set": "examples"},
        {**result(), "passed": 4},
        {**result(), "total": 2},
        {**result(), "extra": 1},
        {**result(), "set": "secret"},
    ],
)
def test_malformed_results_are_400_and_store_nothing(app, client, coding_round, body):
    sid = coding_round["id"]
    with freeze_time(at(minutes=5)):
        if isinstance(body, str):
            response = client.post(
                f"/practice/sessions/{sid}/questions/0/runs",
                data=body,
                content_type="application/json",
            )
        else:
            response = post_run(client, sid, body)
    assert response.status_code == 400
    assert response.get_json()["ok"] is False
    assert run_events(app, sid) == [] and items(app, sid)[0].code_results is None


def test_a_form_post_is_not_json(app, client, coding_round):
    with freeze_time(at(minutes=5)):
        response = client.post(
            f"/practice/sessions/{coding_round['id']}/questions/0/runs", data={"set": "examples"}
        )
    assert response.status_code == 400


def test_too_large_is_413(app, client, coding_round):
    body = result()
    body["tests"][0]["error"] = "x" * (600 * 1024)
    with freeze_time(at(minutes=5)):
        response = post_run(client, coding_round["id"], body)
    assert response.status_code == 413
    assert items(app, coding_round["id"])[0].code_results is None


def test_another_users_session_is_404(app, client, coding_round, auth, login_as):
    with freeze_time(at(minutes=5)):
        auth.logout()
        login_as(email="other@example.com")
        assert post_run(client, coding_round["id"], result()).status_code == 404
        hidden = client.get(f"/practice/sessions/{coding_round['id']}/questions/0/hidden-tests")
    assert hidden.status_code == 404
    assert run_events(app, coding_round["id"]) == []


def test_no_such_question_is_404(client, coding_round):
    with freeze_time(at(minutes=5)):
        assert post_run(client, coding_round["id"], result(), position=3).status_code == 404


def test_hidden_cases_only_after_the_round_and_hidden_results_stored(app, client, coding_round):
    sid = coding_round["id"]
    url = f"/practice/sessions/{sid}/questions/0/hidden-tests"
    with freeze_time(at(minutes=5)):
        assert client.get(url).status_code == 409
        assert post_run(client, sid, result("hidden")).status_code == 409
        assert client.post(f"/practice/sessions/{sid}/submit").status_code == 302
        spec = client.get(url)
    assert spec.status_code == 200 and spec.headers["Cache-Control"] == "no-store"
    data = spec.get_json()
    assert data["function"] == "add" and len(data["hidden"]) == 4
    assert data["hidden"][3]["call"] == "add(100, 1)"
    with freeze_time(at(minutes=6)):
        assert post_run(client, sid, result("hidden", passed=2)).status_code == 200
        # the round is over: an example run is no longer recorded
        assert post_run(client, sid, result()).status_code == 409
    stored = items(app, sid)[0].code_results
    assert stored["hidden"]["passed"] == 2 and stored["hidden"]["total"] == 4
    assert [d["set"] for _p, d in run_events(app, sid)] == ["hidden"]


def test_a_round_past_its_time_hands_out_the_hidden_cases(app, client, coding_round):
    with freeze_time(at(minutes=45)):  # 30 minutes + grace are over: finalised on request
        response = client.get(f"/practice/sessions/{coding_round['id']}/questions/0/hidden-tests")
    assert response.status_code == 200 and len(response.get_json()["hidden"]) == 4


def test_csrf_header_is_required(app, client, coding_round):
    sid = coding_round["id"]
    app.config["WTF_CSRF_ENABLED"] = True  # signed in without it; the run post needs it
    with freeze_time(at(minutes=5)):
        assert post_run(client, sid, result()).status_code == 400
        token = csrf_token(client, f"/practice/sessions/{sid}")
        assert post_run(client, sid, result(), headers={"X-CSRFToken": token}).status_code == 200
    assert len(run_events(app, sid)) == 1


def test_scoring_page_report_and_exports_show_the_runs(app, client, coding_round):
    from app.models.scoring import SelfAssessment  # noqa: PLC0415 (test-only shortcut)

    sid = coding_round["id"]
    with freeze_time(at(minutes=5)):
        client.post(
            f"/practice/sessions/{sid}/questions/0/autosave",
            data={"answer_text": "def add(a, b):\n    return a + b", "revision": 0},
        )
        assert post_run(client, sid, result()).status_code == 200
        submitted = client.post(f"/practice/sessions/{sid}/submit")
        assert submitted.headers["Location"].endswith(f"/sessions/{sid}/score?run=hidden")
        score = client.get(f"/feedback/sessions/{sid}/score?run=hidden").get_data(as_text=True)
    # hidden not run yet: the page says so and carries what the runner needs, autorun on
    assert "Tests: 3/3 examples, hidden not run" in score
    assert "Hidden tests: <strong>not run</strong>" in score
    assert f'data-hidden-url="/practice/sessions/{sid}/questions/0/hidden-tests"' in score
    assert "data-autorun" in score and "def add(a, b)" in score
    with freeze_time(at(minutes=6)):
        assert post_run(client, sid, result("hidden", passed=2)).status_code == 200
        score = client.get(f"/feedback/sessions/{sid}/score").get_data(as_text=True)
    assert "Tests: 5 of 7 passed: 3/3 examples, 2/4 hidden" in score
    # the correctness criterion carries it as evidence (and only that criterion)
    assert score.count("Evidence: 5 of 7 passed") == 1
    assert score.index("Evidence: 5 of 7") > score.index("<legend>Correctness")
    assert score.index("Evidence: 5 of 7") < score.index("<legend>Clarity")
    assert "Hidden tests: <strong>not run</strong>" not in score
    assert "Failed: <code>add(0, 5)</code>" in score
    assert "happened in the candidate's browser (pyodide 0.29.0)" in score
    with app.app_context():
        db.session.add(
            SelfAssessment(session_id=sid, user_id=coding_round["user_id"], completed_at=at(7))
        )
        db.session.commit()
    with freeze_time(at(minutes=8)):
        page = client.get(f"/feedback/sessions/{sid}/report").get_data(as_text=True)
        md = client.get(f"/feedback/sessions/{sid}/report.md").get_data(as_text=True)
        data = client.get(f"/feedback/sessions/{sid}/report.json").get_json()
        csv_text = client.get(f"/feedback/sessions/{sid}/report.csv").get_data(as_text=True)
    line = "5 of 7 passed: 3/3 examples, 2/4 hidden"
    assert f"Tests: {line}" in page
    assert f"- Tests: {line} (run in the candidate's browser)" in md
    tests = data["questions"][0]["code_tests"]
    assert tests["summary"] == line and tests["ran_in"] == "browser"
    assert tests["hidden"] == {"passed": 2, "total": 4, "stopped": False}
    assert f"tests {line} (browser)" in csv_text
