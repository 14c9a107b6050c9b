"""Where the model's suggestions show: beside the candidate's self-score on the scoring
page, a self-vs-model line in the report and its exports, self/model/coach side by side
for the coach; the prompt and raw replies for coaches and admins only."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app import jobs
from app.domain.grading import SYSTEM_PROMPT
from app.extensions import db
from app.models.grading import ModelSuggestion
from app.models.practice import SessionQuestion
from tests.chat_server import ChatServer
from tests.coach import builders
from tests.coach.conftest import login
from tests.learning.model_helpers import ANSWER, finish_round, session_of, valid_reply

PROMPT_MARK = SYSTEM_PROMPT.splitlines()[0][:60]


@pytest.fixture
def graded(app, model, login_as):
    """A signed-in candidate's finished round whose answer the model graded: (sid, item)."""

    def _make(replies=None):
        user_id = login_as("candidate")
        with ChatServer(replies or [valid_reply()]) as server:
            model(server.base_url)
            (item_id,) = finish_round(app, user_id)
            with app.app_context():
                jobs.run_due("test")
        return session_of(app, item_id), item_id, user_id

    return _make


def score_page(client, session_id: int) -> str:
    response = client.get(f"/feedback/sessions/{session_id}/score")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def finish_scoring(client, session_id: int, item_id: int, levels=(2, 2, 2)) -> None:
    data = {f"level_{item_id}_{i}": str(v) for i, v in enumerate(levels)}
    data.update({"reflection": "", "finish": "Finish scoring"})
    response = client.post(f"/feedback/sessions/{session_id}/score", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_the_scoring_page_shows_the_suggestion_beside_each_criterion(client, graded):
    session_id, _item, _user = graded()
    html = score_page(client, session_id)
    assert html.count("Model suggests:") == 3
    assert "Solid (3)" in html and "About latency_budget." in html
    assert '<q class="model-quote">p99 budget is 80 ms per hop</q>' in html
    assert "your own score is what counts" in html
    assert PROMPT_MARK not in html  # the prompt and raw reply are not the candidate's to see


def test_no_suggestion_is_said_once_and_no_level_is_shown(client, graded):
    session_id, _item, _user = graded(["nope", "nope again"])
    html = score_page(client, session_id)
    assert "The model made no suggestion for this answer." in html
    assert "Model suggests:" not in html


def test_without_a_model_the_page_says_nothing_about_one(client, login_as, app):
    user_id = login_as("candidate")
    (item_id,) = finish_round(app, user_id)
    html = score_page(client, session_of(app, item_id))
    assert "Model suggests" not in html and "no suggestion" not in html


def test_the_self_score_stays_the_candidates(client, graded, app):
    session_id, item_id, _user = graded()
    finish_scoring(client, session_id, item_id, levels=(1, 1, 1))
    report = client.get(f"/feedback/sessions/{session_id}/report.json")
    data = json.loads(report.get_data(as_text=True))
    assert [c["level"]["value"] for c in data["questions"][0]["criteria"]] == [1, 1, 1]
    assert data["model_suggestions"][0] == {
        "key": "latency_budget",
        "title": "Latency budgeting",
        "self_score": 0.0,
        "model_score": 66.67,
        "answers": [
            {
                "question": 1,
                "self_level": {"value": 1, "label": "Missing"},
                "model_level": {"value": 3, "label": "Solid"},
                "rationale": "About latency_budget.",
                "quote": "p99 budget is 80 ms per hop",
            }
        ],
    }


def test_the_report_and_exports_add_a_self_vs_model_line(client, graded):
    session_id, item_id, _user = graded()
    finish_scoring(client, session_id, item_id)
    base = f"/feedback/sessions/{session_id}/report"
    page = client.get(base).get_data(as_text=True)
    assert "You and the model" in page and "model suggests" in page
    markdown = client.get(base + ".md").get_data(as_text=True)
    assert "## You and the model" in markdown
    assert "- Cost modeling: you 33/100, model suggests 100/100 (1 answer)" in markdown
    assert "model Excellent (4): About cost_modeling. (“$40 per million queries”)" in markdown
    csv_text = client.get(base + ".csv").get_data(as_text=True)
    assert "model_criterion,,,cost_modeling,Cost modeling,,,100.00,self 33/100,model" in csv_text


def test_a_report_without_suggestions_exports_exactly_as_before(client, app, login_as):
    user_id = login_as("candidate")
    (item_id,) = finish_round(app, user_id)
    session_id = session_of(app, item_id)
    finish_scoring(client, session_id, item_id)
    base = f"/feedback/sessions/{session_id}/report"
    before = {ext: client.get(base + ext).get_data() for ext in (".json", ".md", ".csv")}
    with app.app_context():  # a "no suggestion" outcome changes no export either
        rubric_version_id = db.session.get(SessionQuestion, item_id).rubric_version_id
        db.session.add(
            ModelSuggestion(session_question_id=item_id, rubric_version_id=rubric_version_id,
                            status="none",
                            reason="invalid reply", levels={}, prompt=[], raw_replies=[])
        )  # fmt: skip
        db.session.commit()
    after = {ext: client.get(base + ext).get_data() for ext in (".json", ".md", ".csv")}
    assert after == before
    assert b"model_" not in before[".csv"] and b"model_suggestions" not in before[".json"]


def test_the_coach_sees_self_model_and_coach_side_by_side_with_the_prompt(
    app, client, graded, make_user, auth
):
    session_id, item_id, candidate_id = graded()
    coach_id = make_user("coach")
    with app.app_context():
        builders.link(coach_id, candidate_id)
    client.post("/logout")
    login(app, auth, coach_id)
    html = client.get(f"/coach/sessions/{session_id}").get_data(as_text=True)
    assert html.count("Model suggests:") == 3 and "Candidate: " in html
    assert "the candidate's self-score stays theirs" in html
    assert "What the model (test-model) was sent and replied" in html
    assert PROMPT_MARK in html and "About failure_modes." in html  # the raw reply
    assert ANSWER.split(".")[0] in html


def test_admins_see_the_prompt_and_replies_others_do_not(app, client, graded, login_as):
    _session_id, item_id, _user = graded()
    with app.app_context():
        suggestion_id = db.session.scalar(select(ModelSuggestion.id))
    detail = f"/admin/model-suggestions/{suggestion_id}"
    assert client.get(detail).status_code == 403  # the candidate
    client.post("/logout")
    login_as("coach")
    assert client.get(detail).status_code == 403
    client.post("/logout")
    login_as("admin")
    listing = client.get("/admin/model-suggestions").get_data(as_text=True)
    assert f"#{item_id}" in listing and "3 levels suggested" in listing
    html = client.get(detail).get_data(as_text=True)
    assert PROMPT_MARK in html and "Reply 1" in html and "latency_budget" in html
    assert client.get(f"/admin/model-suggestions/{suggestion_id + 1000}").status_code == 404
