"""A question version's prompt and hints are rendered once, when the version is saved
(issue 14), with app/markdown.py's renderer and sanitising; the round page shows the
stored HTML instead of rendering the Markdown again on every load."""

from __future__ import annotations

from freezegun import freeze_time
from sqlalchemy import select, update

from app.extensions import db
from app.markdown import render_markdown
from app.models.bank import QuestionVersion
from app.models.practice import SessionQuestion
from tests import factories
from tests.practice.conftest import at

HOSTILE = (
    "Design **a cache** <script>alert(1)</script> [x](javascript:alert(1))\n\n| a |\n|---|\n| 1 |"
)


def test_a_saved_version_keeps_its_rendered_prompt_and_hints(app):
    with app.app_context():
        question = factories.question(prompt_md=HOSTILE, hints=["Think *LRU*.", "<b>raw</b>"])
        version = db.session.get(QuestionVersion, question.current_version_id)
        assert version.prompt_html == str(render_markdown(HOSTILE))
        assert (
            "<strong>a cache</strong>" in version.prompt_html and "<table>" in version.prompt_html
        )
        assert "<script" not in version.prompt_html
        assert 'href="javascript' not in version.prompt_html
        assert version.hints_html == [str(render_markdown(h)) for h in version.hints]


def test_the_round_page_shows_the_stored_html(app, client, running):
    with freeze_time(at(0)):
        session_id = running()
    with app.app_context():
        version_id = db.session.scalar(
            select(SessionQuestion.question_version_id).where(
                SessionQuestion.session_id == session_id, SessionQuestion.position == 0
            )
        )
        # what the page shows is what was stored at save time, not a new rendering
        db.session.execute(
            update(QuestionVersion)
            .where(QuestionVersion.id == version_id)
            .values(prompt_html="<p>stored <em>once</em></p>", hints_html=["<p>stored hint</p>"])
        )
        db.session.commit()
    with freeze_time(at(1)):
        page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert "<p>stored <em>once</em></p>" in page
