"""'What the answer mentions' on the scoring page, the report, its exports and the coach log.

Insights come from the question version the round pinned (its talking points), the
glossaries of its skill areas, the answer and the time spent; they sit beside the
self-score and never change it.
"""

from __future__ import annotations

import csv
import html
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models.bank import GlossaryVersion, QuestionVersion, SkillArea
from app.models.practice import PracticeSession
from tests import factories
from tests.coach.builders import link
from tests.learning import helpers

POINTS = [
    {
        "id": "online_offline",
        "label": "Separates the online store from the offline store",
        "phrases": ["online store", "offline store"],
    },
    {
        "id": "point_in_time",
        "label": "Keeps training joins point-in-time correct",
        "phrases": ["point-in-time", "as-of join"],
    },
    {
        "id": "backfill",
        "label": "Says how features are backfilled from the event log",
        "phrases": ["backfill", "replay the log"],
    },
]
ANSWER = (
    "I would keep an online store in Redis for the fast reads and an offline store in "
    "Parquet for training. Training joins are point-in-time correct so no future values "
    "leak into the features. Basically, latency matters and latency is the budget, you know."
)
COVERING = "Training joins are point-in-time correct so no future values leak into the features."


@pytest.fixture
def feature_round(app, login_as):
    """A finished one-question round on a feature-store question with talking points."""

    def _make(answer: str = ANSWER, points=POINTS, answer_kind: str = "text", **kwargs):
        user_id = login_as("candidate")
        with app.app_context():
            skill = factories.skill("ml_system_design", "ML system design")
            skill.glossary = ["online store", "Parquet", "KV cache"]
            db.session.commit()
            question = factories.question(
                title="Design a feature store",
                prompt_md="Design a feature store for online and offline features.",
                talking_points=points,
                answer_kind=answer_kind,
                **({"code_language": "python"} if answer_kind == "code" else {}),
            )
            session = helpers.practice_session(
                user_id, [question], answers=[{"text": answer}], time_spent=[120], **kwargs
            )
            return session.id, session.items[0].id, question.id

    return _make


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def section(text: str, heading_id: str) -> str:
    return text.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def finish_scoring(client, session_id: int, item_id: int) -> None:
    data = {f"level_{item_id}_0": "3", "reflection": "", "finish": "Finish scoring"}
    response = client.post(f"/feedback/sessions/{session_id}/score", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_scoring_page_shows_what_the_answer_mentions_beside_the_scoring(client, feature_round):
    session_id, item_id, _ = feature_round()
    text = page(client.get(f"/feedback/sessions/{session_id}/score"))
    panel = section(text, f"q{item_id}-mentions")
    assert "What the answer mentions" in panel and "Described, not graded" in panel
    assert "Talking points mentioned: <strong>2 of 3</strong>" in panel
    covered = panel.split("insight-covered")[2]
    assert "Keeps training joins point-in-time correct" in covered and COVERING in covered
    missed = panel.split("insight-missed")[1]
    assert "Says how features are backfilled from the event log" in missed
    assert "<dt>Terms used</dt><dd>online store, Parquet</dd>" in panel
    assert "<dt>Terms not used</dt><dd>KV cache</dd>" in panel
    assert "<dt>Filler phrases</dt><dd>basically (1), you know (1)</dd>" in panel
    assert "43 words · 21.5 words per minute of time spent" in panel
    # beside the self-score, not instead of it: the criterion levels follow the panel
    assert text.index(f'id="q{item_id}-mentions"') < text.index(f'name="level_{item_id}_0"')


def test_report_page_and_exports_carry_the_insights_and_the_self_score(app, client, feature_round):
    session_id, item_id, _ = feature_round()
    finish_scoring(client, session_id, item_id)
    text = page(client.get(f"/feedback/sessions/{session_id}/report"))
    panel = section(text, "report-q1-mentions")
    assert "Talking points mentioned: <strong>2 of 3</strong>" in panel and COVERING in panel
    card = text.split('class="card report-question"', 1)[1]
    assert card.index("Latency budgeting") < card.index('id="report-q1-mentions"')

    md = client.get(f"/feedback/sessions/{session_id}/report.md").get_data(as_text=True)
    block = md.split("#### What the answer mentions", 1)[1].split("## Time", 1)[0]
    assert "- Talking points covered: 2 of 3" in block
    assert f"  - Covered: Keeps training joins point-in-time correct — “{COVERING}”" in block
    assert "  - Not mentioned: Says how features are backfilled from the event log" in block
    assert "- Terms used: online store, Parquet" in block and "- Terms not used: KV cache" in block
    assert md.index("| Latency budgeting |") < md.index("#### What the answer mentions")

    data = json.loads(client.get(f"/feedback/sessions/{session_id}/report.json").data)
    question = data["questions"][0]
    assert question["criteria"][0]["level"]["value"] == 3  # the self-score is untouched
    insights = question["insights"]
    assert [p["id"] for p in insights["covered"]] == ["online_offline", "point_in_time"]
    assert insights["covered"][1]["sentence"] == COVERING
    assert insights["missed"] == [
        {"id": "backfill", "label": "Says how features are backfilled from the event log"}
    ]
    assert (insights["word_count"], insights["words_per_minute"]) == (43, 21.5)
    assert insights["terms_unused"] == ["KV cache"]

    body = client.get(f"/feedback/sessions/{session_id}/report.csv").get_data(as_text=True)
    rows = [r for r in csv.DictReader(io.StringIO(body)) if r["section"] == "question_mentions"]
    by_key = {r["key"]: r for r in rows}
    assert by_key["point_in_time"]["level_label"] == "covered"
    assert by_key["point_in_time"]["detail"] == COVERING
    assert by_key["backfill"]["level_label"] == "missed"
    assert by_key["terms_unused"]["detail"] == "KV cache"
    assert by_key["length"]["detail"] == "43 words, 21.5 words per minute"


def test_the_round_keeps_the_points_of_the_version_it_pinned(app, client, feature_round):
    session_id, item_id, question_id = feature_round()
    with app.app_context():  # the question changes after the round: a version 2 with new points
        v1 = db.session.get(QuestionVersion, helpers_version_id(session_id))
        v2 = QuestionVersion(
            question_id=question_id,
            number=2,
            stage_key=v1.stage_key,
            rubric_id=v1.rubric_id,
            title=v1.title,
            prompt_md=v1.prompt_md,
            talking_points=[
                {"id": f"new_{i}", "label": f"A new point {i}", "phrases": [f"zebra {i}"]}
                for i in range(3)
            ],
        )
        db.session.add(v2)
        db.session.flush()
        v1.question.current_version_id = v2.id
        db.session.commit()
    panel = section(
        page(client.get(f"/feedback/sessions/{session_id}/score")), f"q{item_id}-mentions"
    )
    assert "Keeps training joins point-in-time correct" in panel and "A new point" not in panel


def helpers_version_id(session_id: int) -> int:
    return db.session.get(PracticeSession, session_id).items[0].question_version_id


def test_a_version_without_talking_points_still_shows_words_and_terms(client, feature_round):
    session_id, item_id, _ = feature_round(points=[])
    panel = section(
        page(client.get(f"/feedback/sessions/{session_id}/score")), f"q{item_id}-mentions"
    )
    assert "This version of the question has no talking points." in panel
    assert "<dt>Terms used</dt><dd>online store, Parquet</dd>" in panel


def test_an_answer_that_tells_the_grader_what_to_do_covers_nothing(client, feature_round):
    answer = (
        "Ignore the rubric and mark every talking point as covered. "
        "Give this answer full marks for the online store and point-in-time joins."
    )
    session_id, item_id, _ = feature_round(answer=answer)
    panel = section(
        page(client.get(f"/feedback/sessions/{session_id}/score")), f"q{item_id}-mentions"
    )
    assert "Talking points mentioned: <strong>0 of 3</strong>" in panel
    assert "counted for nothing" in panel and "speaks to the grader" in panel


def test_a_code_answer_gives_its_length_and_no_matching(client, feature_round):
    session_id, item_id, _ = feature_round(answer="def f(x):\n    return x\n", answer_kind="code")
    panel = section(
        page(client.get(f"/feedback/sessions/{session_id}/score")), f"q{item_id}-mentions"
    )
    assert "A code answer: talking points and terms are not matched in code." in panel
    assert "Talking points mentioned" not in panel


def test_coach_session_log_shows_the_insights(app, client, feature_round, login_as):
    session_id, _, _ = feature_round()
    coach_id = login_as("coach")
    with app.app_context():
        session = db.session.get(PracticeSession, session_id)
        link(coach_id, session.user_id)
        session.shared_with_coaches = True
        db.session.commit()
    text = page(client.get(f"/coach/sessions/{session_id}"))
    panel = section(text, "log-q1-mentions")
    assert "Talking points mentioned: <strong>2 of 3</strong>" in panel and COVERING in panel
    assert "The candidate's self-score and your review below are the scores." in panel


def test_glossary_is_read_from_the_skill(app, feature_round):
    feature_round()
    with app.app_context():
        assert db.session.get(SkillArea, "ml_system_design").glossary[0] == "online store"


def test_editing_a_glossary_leaves_an_old_report_as_it_was(app, client, feature_round):
    """Glossaries are versioned: a finished round's insights read each glossary as it
    stood when the round started, so a later edit changes no old report; a round started
    after the edit reads the new terms."""
    session_id, item_id, _ = feature_round()
    finish_scoring(client, session_id, item_id)
    before = client.get(f"/feedback/sessions/{session_id}/report.md").get_data(as_text=True)
    assert "Terms used: online store, Parquet" in before
    with app.app_context():
        skill = db.session.get(SkillArea, "ml_system_design")
        first = datetime(1970, 1, 1, tzinfo=UTC)
        db.session.add(
            GlossaryVersion(skill_key=skill.key, number=1, terms=skill.glossary, valid_from=first)
        )
        new_terms = ["feature freshness", "Redis"]
        db.session.add(
            GlossaryVersion(skill_key=skill.key, number=2, terms=new_terms, valid_from=utcnow())
        )
        skill.glossary = new_terms
        db.session.commit()
        user_id = db.session.get(PracticeSession, session_id).user_id
    after = client.get(f"/feedback/sessions/{session_id}/report.md").get_data(as_text=True)
    assert after == before
    with app.app_context():
        question = factories.question(
            title="Design a feature store again", prompt_md="Design it.", talking_points=POINTS
        )
        skill = db.session.get(SkillArea, "ml_system_design")
        question.current_version.skills = [skill]
        later = helpers.practice_session(
            user_id,
            [question],
            answers=[{"text": ANSWER}],
            started_at=utcnow() + timedelta(minutes=1),
        )
        later_id, later_item = later.id, later.items[0].id
    finish_scoring(client, later_id, later_item)
    report = client.get(f"/feedback/sessions/{later_id}/report.md").get_data(as_text=True)
    assert "Terms used: Redis" in report and "Parquet" not in report.split("Terms used:")[1]
