"""The bulk seeder of `python -m bench.http_load --scale 100k` makes a database the app
reads like its own: a tiny scale seeded into the test database, counted, and every page
the scale bench times answered with its real content."""

import pytest
from sqlalchemy import text

from app.extensions import db
from bench import scale
from bench.http_load import scale_pages
from tests.factories import PASSWORD

pytestmark = [pytest.mark.postgres_only, pytest.mark.real_commits]


def test_tiny_scale_seeds_a_consistent_database_every_page_reads(app):
    seeded = scale.seed(app, "tiny", recreate=False)
    counts = scale.counts(app)
    sessions = scale.SCALES["tiny"]["sessions"]
    candidates = sessions // scale.TEMPLATE_SESSIONS
    assert counts["questions"] == scale.SCALES["tiny"]["questions"]
    assert counts["practice_sessions"] == sessions + 1  # and the candidate's running round
    assert counts["users"] == candidates + 2  # the candidates, the coach, the admin
    assert counts["coach_links"] == candidates
    assert counts["audit_events"] >= sessions
    with app.app_context():
        one = db.session.execute(
            text(
                "SELECT count(*), count(DISTINCT user_id), min(queued_at) IS NOT NULL "
                "FROM practice_sessions WHERE status <> 'in_progress'"
            )
        ).one()
        assert tuple(one) == (sessions, candidates, True)
        # every clone's answers point at a version of the very question they name
        mismatched = db.session.scalar(
            text(
                "SELECT count(*) FROM session_questions sq JOIN question_versions v "
                "ON v.id = sq.question_version_id WHERE v.question_id <> sq.question_id"
            )
        )
        assert mismatched == 0
        # every question's current version is its own, and every self score's answer is
        # in the scored session
        assert not db.session.scalar(
            text(
                "SELECT count(*) FROM questions q JOIN question_versions v "
                "ON v.id = q.current_version_id WHERE v.question_id <> q.id"
            )
        )
        assert not db.session.scalar(
            text(
                "SELECT count(*) FROM self_scores s JOIN self_assessments a "
                "ON a.id = s.assessment_id JOIN session_questions sq "
                "ON sq.id = s.session_question_id WHERE sq.session_id <> a.session_id"
            )
        )
    clients = {}
    for who, email in (
        ("candidate", "bench@example.com"),
        ("coach", "coach@example.com"),
        ("admin", "admin@example.com"),
    ):
        clients[who] = app.test_client()
        response = clients[who].post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302
    pages = scale_pages(app, seeded)
    bodies = {}
    for name, (path, who) in pages.items():
        response = clients[who].get(path)
        assert response.status_code == 200, (name, path, response.status_code)
        bodies[name] = response.get_data(as_text=True)
    assert "Seeded candidate 3" in bodies["coach queue"]  # a cloned candidate's shared round
    assert "question.publish" in bodies["audit log"]
    assert "(1)" in bodies["admin question list"] or "(1)" in bodies["bank browse page 1"]
