"""The exports hold the pinned prompt and the candidate's answer, line breaks kept; the
report page keeps the answer's line breaks too (issue 18)."""

from __future__ import annotations

import csv
import io
import json

from app.domain.answer_formats import AnswerRecord, hard_breaks, markdown_lines
from app.extensions import db
from app.markdown import render_markdown
from app.models.bank import Question, QuestionVersion
from tests import factories
from tests.learning import helpers
from tests.learning.conftest import Round
from tests.learning.test_report_routes import _score_and_finish

ANSWER = (
    "First line of the plan.\nSecond line: cache the hot keys.\n\n- shard by tenant\n- <b>bold</b>"
)


def test_exports_hold_the_pinned_prompt_and_the_answer_with_its_line_breaks(app, client, login_as):
    user_id = login_as("candidate")
    with app.app_context():
        question = factories.question(title="Cache plan", prompt_md="Design **the cache**.")
        question_id = question.id
        session = helpers.practice_session(user_id, [question], answers=[{"text": ANSWER}])
        r = Round(user_id, session.id, [i.id for i in session.items])
    with app.app_context():
        # the bank moves on: the exports keep the prompt the round was sat with
        current = db.session.get(Question, question_id).current_version
        newer = QuestionVersion(
            question_id=question_id,
            number=2,
            stage_key=current.stage_key,
            rubric_id=current.rubric_id,
            title=current.title,
            prompt_md="Changed.",
        )
        db.session.add(newer)
        db.session.flush()
        db.session.get(Question, question_id).current_version_id = newer.id
        db.session.commit()
    _score_and_finish(client, r, {(0, 0): 3, (0, 1): 2, (0, 2): 2})

    data = json.loads(client.get(f"{r.report_url}.json").get_data(as_text=True))
    q = data["questions"][0]
    assert q["prompt"] == "Design **the cache**."
    assert q["answer"]["text"] == ANSWER
    assert "questions[].answer.text" in data["untrusted_markdown"]["fields"]

    md = client.get(f"{r.report_url}.md").get_data(as_text=True)
    assert "#### The question\n\nDesign **the cache**.\n" in md
    assert "First line of the plan.\\\nSecond line: cache the hot keys.\n" in md
    assert "&lt;b&gt;bold&lt;/b&gt;" in md and "<b>" not in md
    assert "Changed." not in md
    # rendered, the Markdown export shows the two lines as two lines
    assert "First line of the plan.<br" in render_markdown(md)

    rows = list(
        csv.DictReader(io.StringIO(client.get(f"{r.report_url}.csv").get_data(as_text=True)))
    )
    texts = {row["key"]: row["detail"] for row in rows if row["section"] == "question_text"}
    assert texts["prompt"] == "Design **the cache**."
    assert texts["answer_text"] == ANSWER

    page = client.get(r.report_url).get_data(as_text=True)
    assert "First line of the plan.<br>\nSecond line" in page


def test_hard_breaks_leave_code_lists_and_paragraphs_alone():
    text = "a\nb\n\nc\n- one\n- two\n```\nx\ny\n```\nend"
    assert hard_breaks(text) == "a\\\nb\n\nc\n- one\n- two\n```\nx\ny\n```\nend"


def test_code_answers_are_fenced_longer_than_their_backticks():
    record = AnswerRecord(prompt_md="Write f.", text="s = '```'\nprint(s)\n", is_code=True)
    lines = markdown_lines(record)
    assert lines[lines.index("#### Your answer") + 2 :][:4] == [
        "````",
        "s = '```'",
        "print(s)",
        "````",
    ]


def test_an_unanswered_question_says_so():
    assert "No answer was saved." in markdown_lines(AnswerRecord(prompt_md="Q"))
