"""`flask demo seed`: three demo accounts with printed passwords and a full product behind them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.clock import utcnow
from app.extensions import db
from app.home import demo
from app.models.practice import PracticeSession
from app.models.review import Review, ReviewStatus
from app.models.scoring import SelfAssessment
from app.models.users import User

LINE = re.compile(r"^\s+(candidate|coach|admin)\s+(\S+@demo\.mockloop\.test)\s+(\S+)$", re.M)


@pytest.fixture
def seeded(app, runner):
    imported = runner.invoke(args=["bank", "import"])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return {role: (email, password) for role, email, password in LINE.findall(result.output)}


def test_seed_prints_one_working_sign_in_per_role(app, client, seeded):
    assert sorted(seeded) == ["admin", "candidate", "coach"]
    for role, (email, password) in seeded.items():
        with app.app_context():
            assert db.session.scalar(select(User.role).where(User.email == email)) == role
        response = client.post("/login", data={"email": email, "password": password})
        home = "/coach/" if role == "coach" else "/dashboard"  # a coach's home is the overview
        assert response.status_code == 302 and response.headers["Location"].endswith(home), role
        client.post("/logout")


def test_the_candidate_has_a_finished_scored_round_with_a_published_review(app, seeded):
    with app.app_context():
        candidate = db.session.scalar(select(User).where(User.email == seeded["candidate"][0]))
        session = db.session.scalar(
            select(PracticeSession).where(PracticeSession.user_id == candidate.id)
        )
        assert session.is_finished and session.finished_at < utcnow()
        assert all(item.answer_text for item in session.items)
        assessment = db.session.scalar(
            select(SelfAssessment).where(SelfAssessment.session_id == session.id)
        )
        assert assessment.is_complete
        review = db.session.scalar(select(Review).where(Review.session_id == session.id))
        assert review.status == ReviewStatus.PUBLISHED.value and review.published_revision == 1


def test_the_candidate_sees_report_review_and_practise_next(app, client, seeded):
    email, password = seeded["candidate"]
    client.post("/login", data={"email": email, "password": password})
    with app.app_context():
        session_id = db.session.scalar(select(func.max(PracticeSession.id)))
    report = client.get(f"/feedback/sessions/{session_id}/report").get_data(as_text=True)
    assert "Cole Demo (coach)" in report
    assert "Outcomes are vague" in report
    assert "Practise next" in report or "practise next" in report.lower()


def test_a_second_run_refuses_and_changes_nothing(app, runner, seeded):
    with app.app_context():
        users = db.session.scalar(select(func.count(User.id)))
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 1
    assert "the demo data already exists" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == users


def test_without_a_bank_it_says_to_import_one(app, runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 1
    assert "flask bank import" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_refuses_in_production_before_touching_anything(app):
    with app.app_context(), pytest.raises(demo.DemoError, match="in production"):
        demo.seed(env_name="production", now=utcnow(), max_chars=50_000, max_links=20)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
