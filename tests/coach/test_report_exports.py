"""The candidate's report and its Markdown, JSON and CSV exports carry the coach's
published scores and the gap per criterion; a draft or unpublished edit never shows."""

from __future__ import annotations

import csv
import io
import json

import pytest

from app.clock import utcnow
from app.coach import services
from app.coach.queries import visible_session
from app.extensions import db
from tests.coach import builders
from tests.coach.conftest import login
from tests.coach.test_integration import publish_levels, text_of

# Self: Q1 latency 4, cost 3, failure 1; Q2 2, 2, 2 (levels 1-4, 0-100 = (l-1)/3*100).
SELF = {0: [4, 3, 1], 1: [2, 2, 2]}
# Coach: Q1 latency 2, failure 1; Q2 failure 1. Cost is left unscored by the coach.
COACH = {0: [2, None, 1], 1: [None, None, 1]}


@pytest.fixture
def reviewed(app, auth, as_coach):
    """A self-scored session with a published review, then an unpublished edit (a draft
    that says DRAFT-ONLY and moves latency to 4); the client is signed in as the candidate."""
    w = as_coach
    with app.app_context():
        builders.self_score(w.session_id, SELF, reflection="Ran long.")
    publish_levels(
        app,
        w,
        COACH,
        strengths_md="Clear *structure*.",
        gaps_md="Cost not modelled.",
        next_steps_md="Practise a cost model.",
    )
    with app.app_context():
        session = visible_session(w.coach_id, w.session_id)
        first = session.items[0]
        values = services.ReviewInput(
            levels={(first.id, "latency_budget"): 4},
            comments={(first.id, "latency_budget"): "DRAFT-ONLY comment"},
            strengths_md="DRAFT-ONLY strengths",
        )
        services.save_draft(w.coach_id, session, values, now=utcnow())
    auth.logout()
    login(app, auth, w.candidate_id)
    return w


def export(client, session_id, fmt):
    response = client.get(f"/feedback/sessions/{session_id}/report.{fmt}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_json_export_has_published_coach_scores_and_gaps(client, reviewed):
    data = json.loads(export(client, reviewed.session_id, "json"))
    [review] = data["coach_reviews"]
    assert review["coach"] == "Coach Carla" and review["revision"] == 1
    assert review["overall"] == pytest.approx(8.33) and review["self_overall"] == data["overall"]
    by_key = {c["key"]: c for c in review["criteria"]}
    assert by_key["latency_budget"] == {
        "key": "latency_budget",
        "title": "Latency budgeting",
        "self_score": pytest.approx(66.67),
        "coach_score": pytest.approx(33.33),
        "gap_levels": 2.0,
        "gap_points": pytest.approx(66.67),
        "answers_compared": 1,
        "reading": "over",
    }
    assert by_key["failure_modes"]["gap_levels"] == 0.5
    assert by_key["failure_modes"]["answers_compared"] == 2
    # scored by one side only: no gap
    assert by_key["cost_modeling"]["coach_score"] is None
    assert by_key["cost_modeling"]["gap_points"] is None
    q1 = review["questions"][0]["criteria"][0]
    assert q1["level"]["value"] == 2 and q1["self_level"]["value"] == 4
    assert review["strengths"] == "Clear *structure*."
    assert review["next_steps"] == "Practise a cost model."
    assert "DRAFT-ONLY" not in json.dumps(data)


def test_markdown_export_has_the_coach_table_and_summary(client, reviewed):
    md = export(client, reviewed.session_id, "md")
    assert "## Coach review: Coach Carla" in md
    assert "Coach's overall: 8/100 (yours: " in md
    assert "| Latency budgeting | 67/100 | 33/100 | +2 | +67 |" in md
    assert "| Failure-mode analysis | 17/100 | 0/100 | +0.5 | +17 |" in md
    assert "| Cost modeling | 50/100 | unscored | - | - |" in md
    assert "| Latency budgeting | Excellent (4) | Partial (2) |  |" in md
    assert "### Coach's strengths\n\nClear *structure*." in md
    assert "DRAFT-ONLY" not in md


def test_csv_export_has_coach_rows(client, reviewed):
    rows = list(csv.DictReader(io.StringIO(export(client, reviewed.session_id, "csv"))))
    coach_rows = [r for r in rows if r["section"].startswith("coach_")]
    assert coach_rows and all(r["coach"] == "Coach Carla (revision 1)" for r in coach_rows)
    assert all(r["coach"] == "" for r in rows if not r["section"].startswith("coach_"))
    latency = next(
        r for r in coach_rows if r["section"] == "coach_criterion" and r["key"] == "latency_budget"
    )
    assert latency["score"] == "33.33"
    assert "gap (self - coach) +2.00 levels, +66.67 points over 1 answers" in latency["detail"]
    cost = next(
        r for r in coach_rows if r["section"] == "coach_criterion" and r["key"] == "cost_modeling"
    )
    assert cost["score"] == "" and "not scored by both" in cost["detail"]
    per_answer = [r for r in coach_rows if r["section"] == "coach_question_criterion"]
    assert len(per_answer) == 6 and per_answer[0]["level"] == "2"
    overall = next(r for r in coach_rows if r["section"] == "coach_overall")
    assert overall["score"] == "8.33"
    summary = {r["key"]: r["detail"] for r in coach_rows if r["section"] == "coach_summary"}
    assert summary["gaps"] == "Cost not modelled."
    assert "DRAFT-ONLY" not in json.dumps(rows)


def test_report_page_puts_coach_levels_beside_self_levels(client, reviewed):
    html = client.get(f"/feedback/sessions/{reviewed.session_id}/report").get_data(as_text=True)
    text = text_of(html)
    # scores by criterion: self 67, verdict, unscored-in, coach 33, gap +67
    assert "Latency budgeting 67 /100 developing — 33 /100 +67" in text
    assert "— unscored — Failure-mode analysis 17 /100 gap — 0 /100 +17" in text
    # per question: your level, score, note, then the coach's level
    assert "Excellent (4 of 4)" in text and "Partial (2 of 4)" in text
    assert "DRAFT-ONLY" not in html


def test_republishing_moves_the_exports_to_the_new_revision(app, client, auth, reviewed):
    w = reviewed
    auth.logout()
    login(app, auth, w.coach_id)
    with app.app_context():
        session = visible_session(w.coach_id, w.session_id)
        services.publish(w.coach_id, session, now=utcnow())  # publishes the working copy (the edit)
    auth.logout()
    login(app, auth, w.candidate_id)
    data = json.loads(export(client, w.session_id, "json"))
    [review] = data["coach_reviews"]
    assert review["revision"] == 2
    latency = next(c for c in review["criteria"] if c["key"] == "latency_budget")
    assert latency["gap_levels"] == 0.0 and latency["reading"] == "calibrated"
    assert review["strengths"] == "DRAFT-ONLY strengths"  # now published


def test_exports_without_a_published_review_have_no_coach_part(app, client, auth, as_coach):
    w = as_coach
    with app.app_context():
        builders.self_score(w.session_id, SELF)
    client.post(f"/coach/sessions/{w.session_id}/review", data={"strengths": "Only a draft."})
    auth.logout()
    login(app, auth, w.candidate_id)
    assert json.loads(export(client, w.session_id, "json"))["coach_reviews"] == []
    assert "Coach review" not in export(client, w.session_id, "md")
    rows = list(csv.DictReader(io.StringIO(export(client, w.session_id, "csv"))))
    assert not [r for r in rows if r["section"].startswith("coach_")]
    with app.app_context():
        from app.models.review import Review

        assert db.session.query(Review).one().strengths_md == "Only a draft."
