"""The self-scoring page: what it shows, saving (plain and htmx), finishing, refusals."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.models.practice import PracticeSession, SessionEvent
from app.models.scoring import PracticeScheduleItem, SelfAssessment, SelfScore
from tests import factories
from tests.learning import helpers


def _scores(app, session_id):
    with app.app_context():
        rows = db.session.scalars(
            select(SelfScore)
            .join(SelfAssessment)
            .where(SelfAssessment.session_id == session_id)
            .order_by(SelfScore.criterion_key)
        )
        return {(r.criterion_key): (r.level, r.note) for r in rows}


def test_score_page_shows_answer_good_answer_rubric_and_level_descriptors(app, client, login_as):
    user_id = login_as()
    with app.app_context():
        question = factories.question(good_answer_md="Mentions **p99 latency** per hop.")
        session = helpers.practice_session(
            user_id, [question], answers=[{"text": "I would cache *embeddings*."}]
        )
        session_id = session.id
    response = client.get(f"/feedback/sessions/{session_id}/score")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<em>embeddings</em>" in html  # the answer, rendered
    assert "<strong>p99 latency</strong>" in html  # what good looks like, revealed
    assert "version 1" in html
    assert "Level 3: solid." in html  # descriptors visible beside the radios
    assert html.count('type="radio"') == 3 * 5  # 3 criteria x (4 levels + "Not scored")
    assert response.headers["Cache-Control"] == "no-store"


def test_in_progress_round_cannot_be_scored(app, client, finished_round):
    r = finished_round(status="in_progress")
    response = client.get(r.score_url)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "still running" in html and "Back to the round" in html
    assert client.post(r.score_url, data={"save": "Save"}).status_code == 409
    assert client.post(r.autosave_url, data={}).status_code == 409
    assert _scores(app, r.session_id) == {}


def test_save_keeps_partial_scores_and_notes_and_reloads_them(app, client, finished_round):
    r = finished_round()
    response = client.post(
        r.score_url,
        data={r.level(0, 0): "3", r.note(0, 0): "good budget", "reflection": "ok", "save": "Save"},
    )
    assert response.status_code == 302 and response.location.endswith(r.score_url)
    assert _scores(app, r.session_id) == {
        "latency_budget": (3, "good budget"),
        "cost_modeling": (None, ""),
        "failure_modes": (None, ""),
    }
    html = client.get(r.score_url).get_data(as_text=True)
    assert f'<input checked id="{r.level(0, 0)}-3" name="{r.level(0, 0)}"' in html
    assert f'<input checked id="{r.level(0, 1)}-0" name="{r.level(0, 1)}"' in html  # not scored
    assert "good budget" in html


def test_autosave_returns_status_fragment_and_stores(app, client, finished_round):
    r = finished_round()
    response = client.post(
        r.autosave_url, data={r.level(0, 1): "2", "reflection": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Saved at" in response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)
    assert _scores(app, r.session_id)["cost_modeling"] == (2, "")


def test_level_not_on_the_scale_is_refused_and_nothing_saved(app, client, finished_round):
    r = finished_round()
    response = client.post(
        r.score_url, data={r.level(0, 0): "9", r.note(0, 1): "kept?", "save": "Save"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Not a valid choice" in html
    assert "kept?" in html  # what the user typed is shown again
    assert _scores(app, r.session_id) == {}
    response = client.post(r.autosave_url, data={r.level(0, 0): "0"})
    assert response.status_code == 422 and "Not saved" in response.get_data(as_text=True)
    assert _scores(app, r.session_id) == {}


def test_overlong_note_is_refused(app, client, finished_round):
    r = finished_round()
    response = client.post(r.score_url, data={r.note(0, 0): "x" * 2001, "save": "Save"})
    assert response.status_code == 422
    assert _scores(app, r.session_id) == {}


def test_finish_without_any_level_is_refused(app, client, finished_round):
    r = finished_round()
    response = client.post(r.score_url, data={"reflection": "nothing", "finish": "Finish scoring"})
    assert response.status_code == 422
    assert "at least one criterion" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(SelfAssessment)) is None


def test_finish_completes_logs_event_updates_schedule_and_opens_report(app, client, finished_round):
    r = finished_round()
    response = client.post(
        r.score_url,
        data={
            r.level(0, 0): "4",
            r.level(0, 1): "1",
            "reflection": "Spent too long on latency.",
            "finish": "Finish scoring",
        },
    )
    assert response.status_code == 302 and response.location.endswith(r.report_url)
    with app.app_context():
        assessment = db.session.scalar(select(SelfAssessment))
        assert assessment.completed_at is not None
        # (100 * 1 + 0 * 2) / 3: failure_modes unscored, excluded
        assert assessment.overall_score == pytest.approx(100 / 3)
        events = db.session.scalars(select(SessionEvent).where(SessionEvent.kind == "scored"))
        (event,) = list(events)
        assert event.session_id == r.session_id and event.data["scored"] == 2
        items = {(i.kind, i.item_key): i for i in db.session.scalars(select(PracticeScheduleItem))}
        assert set(items) == {
            ("criterion", "latency_budget"),
            ("criterion", "cost_modeling"),
            ("skill", "ml_system_design"),
        }
        # weak item (0/100) due sooner than the strong one (100/100)
        assert items[("criterion", "cost_modeling")].interval_days == 1
        assert items[("criterion", "latency_budget")].last_grade == 5
    # after finishing, scoring is locked; the page sends you to the report
    response = client.get(r.score_url)
    assert response.status_code == 302 and response.location.endswith(r.report_url)
    response = client.post(r.autosave_url, data={r.level(0, 2): "2"})
    assert response.status_code == 409
    assert "finished" in response.get_data(as_text=True)


def test_a_late_autosave_repeating_the_finished_scores_is_accepted_and_changes_nothing(
    app, client, finished_round
):
    """The page's last htmx autosave can reach the server just after Finish carried the
    same values: that is no conflict (it used to get a 409, a console error on the report)."""
    r = finished_round()
    final = {
        r.level(0, 0): "4",
        r.level(0, 1): "1",
        r.note(0, 0): "Budgeted each hop. ",
        "reflection": "Spent too long on latency.",
    }
    response = client.post(r.score_url, data={**final, "finish": "Finish scoring"})
    assert response.status_code == 302
    before = _scores(app, r.session_id)
    assert client.post(r.autosave_url, data=final).status_code == 200
    assert client.post(r.score_url, data={**final, "finish": "Finish scoring"}).status_code == 302
    assert _scores(app, r.session_id) == before
    # anything else is still refused, and nothing changes
    for changed in (
        {**final, r.level(0, 1): "2"},
        {**final, r.level(0, 2): "3"},
        {**final, r.note(0, 0): "Another note."},
        {**final, "reflection": "Rewritten."},
    ):
        assert client.post(r.autosave_url, data=changed).status_code == 409
    assert _scores(app, r.session_id) == before
    with app.app_context():
        assert db.session.scalar(select(SelfAssessment.reflection)) == "Spent too long on latency."


@pytest.mark.parametrize(
    "path", ["score", "score/autosave", "report", "report.md", "report.json", "report.csv"]
)
def test_other_candidates_get_404(app, client, finished_round, make_user, auth, path):
    owner = make_user()
    r = finished_round(user_id=owner)
    other = make_user()
    with app.app_context():
        auth.login(db.session.get(factories.User, other).email)
    method = client.post if path.endswith("autosave") else client.get
    assert method(f"/feedback/sessions/{r.session_id}/{path}").status_code == 404
    assert method(f"/feedback/sessions/999999/{path}").status_code == 404


@pytest.mark.parametrize("path", ["score", "report", "report.csv"])
def test_anonymous_is_sent_to_sign_in(app, client, make_user, path):
    with app.app_context():
        session_id = helpers.practice_session(make_user()).id
    response = client.get(f"/feedback/sessions/{session_id}/{path}")
    assert response.status_code == 302 and "/login" in response.location


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.mark.csrf
def test_scoring_posts_need_csrf_token_form_or_header(app, client, make_user, finished_round):
    user_id = make_user()
    with app.app_context():
        email = db.session.get(factories.User, user_id).email
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token}
    )
    r = finished_round(user_id=user_id)
    assert client.post(r.score_url, data={r.level(0, 0): "2", "save": "Save"}).status_code == 400
    assert client.post(r.autosave_url, data={r.level(0, 0): "2"}).status_code == 400
    assert _scores(app, r.session_id) == {}
    token = _csrf_token(client.get(r.score_url).get_data(as_text=True))
    response = client.post(
        r.autosave_url, data={r.level(0, 0): "2"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert _scores(app, r.session_id)["latency_budget"] == (2, "")


def test_estimate_answer_is_checked_on_the_scoring_page(app, client, login_as):
    user_id = login_as()
    with app.app_context():
        question = factories.question(
            answer_kind="estimate",
            estimate_value=200.0,
            estimate_unit="GB",
            estimate_tolerance_pct=25.0,
            worked_answer_md="1e9 vectors x 768 dims x 4 bytes / 16",
        )
        session_id = helpers.practice_session(
            user_id, [question], answers=[{"text": "", "number": 240.0, "unit": "GB"}]
        ).id
    html = client.get(f"/feedback/sessions/{session_id}/score").get_data(as_text=True)
    assert "within tolerance" in html
    assert "1.20× the reference" in html
    assert "Worked answer" in html


def test_open_round_whose_time_ran_out_is_finalised_then_scored(app, client, finished_round):
    r = finished_round(status="in_progress", started_at=utcnow() - timedelta(minutes=90))
    response = client.get(r.score_url)
    assert response.status_code == 200
    assert "ended when time ran out" in response.get_data(as_text=True)
    with app.app_context():
        session = db.session.get(PracticeSession, r.session_id)
        assert session.status == "auto_submitted"
        assert session.finished_at == session.deadline_at


def test_running_round_links_back_to_its_page(client, finished_round):
    r = finished_round(status="in_progress")
    html = client.get(r.report_url).get_data(as_text=True)
    assert f'href="/practice/sessions/{r.session_id}"' in html
