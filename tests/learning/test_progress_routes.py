"""The progress page: charts, readiness, rounds per stage, pagination, query counts."""

from __future__ import annotations

from datetime import timedelta

from app.clock import utcnow
from app.extensions import db
from app.learning import scoring
from app.models.practice import PracticeSession
from tests import factories
from tests.learning import helpers
from tests.learning.query_count import count_queries


def scored_round(
    user_id: int, levels: tuple[int, ...], stage_key="system_design", days_ago=0, question=None
):
    """A finished round scored with `levels` on its (3-criterion) rubric, finished `days_ago`."""
    started = utcnow() - timedelta(days=days_ago, hours=2)
    session = helpers.practice_session(
        user_id, [question] if question else None, stage_key=stage_key, started_at=started
    )
    item = session.items[0]
    keys = ["latency_budget", "cost_modeling", "failure_modes"]
    scoring.save_scoring(
        session.id,
        user_id,
        {(item.id, k): v for k, v in zip(keys, levels, strict=False)},
        {},
        "",
        started + timedelta(hours=1),
        finish=True,
    )
    return session.id


def test_progress_page_empty_state(client, login_as):
    login_as()
    response = client.get("/feedback/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No scored rounds yet" in html
    assert "No finished rounds yet" in html
    assert "Score a finished round" in html


def test_progress_shows_charts_tables_readiness_and_rounds(app, client, login_as):
    user_id = login_as()
    with app.app_context():
        factories.stage("bias_audit", "Responsible-AI bias-mitigation interview", 30)
        scored_round(user_id, (4, 4, 4), days_ago=3)
        scored_round(user_id, (4, 4, 3), days_ago=2)
        scored_round(user_id, (1, 1, 2), stage_key="technical_phone", days_ago=1)
        helpers.practice_session(user_id)  # finished, not scored
    html = client.get("/feedback/").get_data(as_text=True)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 3
    assert '<title id="chart-skills-title">Score per skill area over time</title>' in html
    assert "Show the numbers as a table" in html
    # readiness: system design mean (100 + 88.9) / 2 = 94.4 with two rounds -> Ready
    readiness = html.split('id="readiness-title"')[1].split("</table>")[0]
    assert "readiness-ready" in readiness and "readiness-not_yet" in readiness
    assert "readiness-not_started" in readiness  # bias audit
    assert "Score it" in html and html.count(">Report<") == 3
    assert "Practise next" in html and "Cost modeling" in html


def test_progress_paginates_rounds(app, client, login_as):
    user_id = login_as()
    with app.app_context():
        for _ in range(app.config["PER_PAGE"] + 3):
            helpers.practice_session(user_id)
    first = client.get("/feedback/").get_data(as_text=True)
    second = client.get("/feedback/?page=2").get_data(as_text=True)
    assert first.count("Score it<") == app.config["PER_PAGE"]
    assert second.count("Score it<") == 3
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert client.get("/feedback/?page=99").status_code == 200


def test_progress_query_count_does_not_grow_with_history(app, client, login_as):
    user_id = login_as()
    with app.app_context():
        question = factories.question()
        scored_round(user_id, (2, 3, 4), question=question)
    with count_queries(app) as few:
        assert client.get("/feedback/").status_code == 200
    with app.app_context():
        for n in range(12):
            scored_round(
                user_id,
                (1 + n % 4, 2, 3),
                days_ago=n,
                stage_key=("bias_audit" if n % 2 else "system_design"),
            )
            helpers.practice_session(user_id)
    with count_queries(app) as many:
        assert client.get("/feedback/").status_code == 200
    assert len(many) == len(few), (len(few), len(many))


def test_progress_shows_only_own_rounds(app, client, login_as, make_user):
    other = make_user()
    with app.app_context():
        scored_round(other, (4, 4, 4))
    login_as()
    html = client.get("/feedback/").get_data(as_text=True)
    assert "No finished rounds yet" in html


def test_dashboard_shows_practise_next(app, client, login_as):
    user_id = login_as()
    assert "Score a finished round" in client.get("/dashboard").get_data(as_text=True)
    with app.app_context():
        scored_round(user_id, (1, 1, 1))
        assert db.session.query(PracticeSession).count() == 1
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'id="practise-next-title"' in html and "Latency budgeting" in html
