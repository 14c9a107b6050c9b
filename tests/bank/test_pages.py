"""Candidate pages: browse published questions, read a prompt and its rubric, never the answer."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.bank import queries
from app.extensions import db
from app.models.bank import Question
from app.models.practice import PracticeSession
from tests import factories
from tests.bank.bankdata import count_queries, load_fixture_bank
from tests.learning import helpers


@pytest.fixture
def candidate(app, login_as):
    with app.app_context():
        load_fixture_bank()
    return login_as("candidate")


def test_browse_lists_only_published(client, candidate):
    page = client.get("/questions/").get_data(as_text=True)
    assert "Design a feature store" in page and "Serving cost of a 7B model" in page
    assert "Top-k frequent" not in page  # a draft
    assert "2 questions" in page


def test_browse_by_stage_and_skill(client, candidate):
    page = client.get("/questions/?stage=technical_phone").get_data(as_text=True)
    assert "0 questions" in page and "No published questions match" in page
    page = client.get("/questions/?skill=inference_cost").get_data(as_text=True)
    assert "1 question<" in page and "Serving cost" in page and "feature store" not in page


def test_browse_needs_sign_in(client, app):
    assert client.get("/questions/").status_code == 302


def test_browse_query_count_does_not_grow(app, client, candidate):
    def add(n):
        with app.app_context():
            rubric = factories.rubric()
            for _ in range(n):
                factories.question(rubric_obj=rubric, skills=("ml_system_design",))

    add(3)
    with count_queries(app) as few:
        client.get("/questions/")
    add(40)
    with count_queries(app) as many:
        page = client.get("/questions/").get_data(as_text=True)
    assert "Page 1 of 3" in page
    assert len(many) == len(few)
    page = client.get("/questions/?page=3").get_data(as_text=True)
    assert "Page 3 of 3" in page


def test_detail_shows_the_prompt_but_never_the_answer(client, candidate):
    page = client.get("/questions/gpu-cost").get_data(as_text=True)
    assert "Serving cost of a 7B model" in page
    assert "Estimate the monthly GPU cost" in page
    assert "USD per month" in page and "±50%" in page
    assert "SECRET-WORKED-ANSWER" not in page and "21600" not in page
    assert "Within a factor of two" not in page  # the good-answer notes
    page = client.get("/questions/feature-store").get_data(as_text=True)
    assert "<strong>feature store</strong>" in page  # Markdown rendered
    assert "SECRET-GOOD-ANSWER" not in page


def test_rubric_and_follow_ups_open_once_the_candidate_has_attempted_it(app, client, candidate):
    page = client.get("/questions/gpu-cost").get_data(as_text=True)
    assert "Cost modeling" not in page and "What if traffic doubles?" not in page
    assert "once you have\n  answered it in a round" in page
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.key == "gpu-cost"))
        helpers.practice_session(candidate, [question], status="in_progress")
    page = client.get("/questions/gpu-cost").get_data(as_text=True)
    assert "Cost modeling" not in page  # a round still running is not an attempt yet
    with app.app_context():
        db.session.execute(update(PracticeSession).values(status="submitted"))
        db.session.commit()
    page = client.get("/questions/gpu-cost").get_data(as_text=True)
    assert "Cost modeling" in page and "Numbers with units and a stated assumption." in page
    assert "Failure-mode analysis" in page and "Names two failure modes" in page
    assert "What if traffic doubles?" in page and "Would quantisation help?" in page
    assert "SECRET-WORKED-ANSWER" not in page and "Within a factor of two" not in page


@pytest.mark.parametrize("key", ["top-k", "nope"])
def test_unpublished_or_unknown_is_404(client, candidate, key):
    assert client.get(f"/questions/{key}").status_code == 404


def test_archived_is_404(app, client, candidate):
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.key == "feature-store"))
        question.status = "archived"
        db.session.commit()
    assert client.get("/questions/feature-store").status_code == 404


def test_published_question_versions_filters(app, candidate):
    with app.app_context():
        keys = lambda versions: sorted(v.question.key for v in versions)  # noqa: E731
        assert keys(queries.published_question_versions()) == ["feature-store", "gpu-cost"]
        assert keys(queries.published_question_versions(stage_key="technical_phone")) == []
        assert keys(queries.published_question_versions(skill_keys=["inference_cost"])) == [
            "gpu-cost"
        ]
        assert keys(queries.published_question_versions(answer_kinds=["text"])) == ["feature-store"]
        gpu = db.session.scalar(select(Question.id).where(Question.key == "gpu-cost"))
        assert keys(queries.published_question_versions(exclude_question_ids=[gpu])) == [
            "feature-store"
        ]
        version = queries.published_question_versions(answer_kinds=["estimate"])[0]
        assert version.rubric.current_version.criteria[0]["key"] == "cost_modeling"


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999999999999999999"])
def test_odd_page_numbers_are_harmless(client, candidate, page):
    assert client.get(f"/questions/?page={page}").status_code == 200
