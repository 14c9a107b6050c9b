"""Your own résumé (issue 18): Settings holds a short "My projects" text; a question about
the candidate's résumé shows it above the prompt in the round."""

from __future__ import annotations

from pathlib import Path

from app.domain.resume import asks_about_resume
from app.extensions import db
from app.models.users import MY_PROJECTS_MAX, User
from tests import factories
from tests.conftest import PASSWORD
from tests.practice.conftest import only_session_id
from tests.privacy.test_export import unzip


def test_which_questions_ask_about_the_resume():
    assert asks_about_resume("Your résumé says you built search.", [])
    assert asks_about_resume("Walk me through your CV.", None)
    assert asks_about_resume("Anything", ["resume", "search"])
    assert not asks_about_resume("Design a feature store.", ["cv-pipeline", "search"])
    assert not asks_about_resume("Resumed training from a checkpoint.", [])


def test_settings_saves_my_projects_as_plain_text(app, client, login_as):
    me = login_as()
    page = client.get("/settings").get_data(as_text=True)
    assert "My projects" in page and "Extra time: none." in page
    text = "RAG bot for support <script>alert(1)</script>\r\nLatency 300 ms p95"
    response = client.post("/settings/projects", data={"my_projects": text})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, me).my_projects == text.replace("\r\n", "\n")
    page = client.get("/settings").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_too_long_is_refused_and_nothing_saved(app, client, login_as):
    me = login_as()
    client.post("/settings/projects", data={"my_projects": "kept"})
    response = client.post("/settings/projects", data={"my_projects": "x" * (MY_PROJECTS_MAX + 1)})
    assert response.status_code == 422
    assert "at most 2,000 characters; nothing was saved" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, me).my_projects == "kept"


def test_resume_questions_show_my_projects_above_the_prompt(app, client, login_as):
    login_as(my_projects="Shipped a multimodal search for 8M products.")
    with app.app_context():
        resume_q = factories.question(
            "recruiter_screen", prompt_md="Your résumé says you built search. Numbers?"
        ).key
        plain_q = factories.question(prompt_md="Design a feature store.").key
    client.post("/practice/drills", data={"question": resume_q, "mode": "untimed"})
    page = client.get(f"/practice/sessions/{only_session_id(app)}").get_data(as_text=True)
    assert "Your projects (from your settings)" in page
    assert "Shipped a multimodal search for 8M products." in page
    assert page.index("Shipped a multimodal") < page.index("Your résumé says")
    client.post("/practice/drills", data={"question": plain_q, "mode": "timed"})
    page = client.get(f"/practice/sessions/{only_session_id(app)}").get_data(as_text=True)
    assert "Your projects (from your settings)" not in page


def test_without_my_projects_nothing_extra_is_shown(app, client, login_as):
    login_as()
    with app.app_context():
        key = factories.question(prompt_md="Your résumé lists projects.").key
    client.post("/practice/drills", data={"question": key, "mode": "timed"})
    page = client.get(f"/practice/sessions/{only_session_id(app)}").get_data(as_text=True)
    assert "Your projects (from your settings)" not in page


def test_the_bank_no_longer_assumes_a_resume_line_you_may_not_have():
    root = Path(__file__).resolve().parents[2] / "question_bank" / "questions"
    prompts = "".join(p.read_text() for p in root.rglob("*.yaml"))
    assert "Your résumé says" not in prompts and "Your résumé lists" not in prompts


def test_my_projects_and_extra_time_are_exported_and_erased_with_the_account(app, client, login_as):
    me = login_as(my_projects="Built a RAG bot.", time_multiplier=1.5)
    files = unzip(client.get("/settings/data/export.zip"))
    profile = files["profile.json"]
    assert profile["my_projects"] == "Built a RAG bot." and profile["time_multiplier"] == 1.5
    assert client.post("/settings/data/delete", data={"password": PASSWORD}).status_code == 302
    with app.app_context():
        user = db.session.get(User, me)
        assert user.my_projects == "" and user.time_multiplier == 1.0
