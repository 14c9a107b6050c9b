"""The practise-next question query: read as two bounded index walks (unseen, then seen)
instead of one ORDER BY over the whole bank, it must pick exactly what the old one did."""

from __future__ import annotations

from sqlalchemy import or_, select

from app.extensions import db
from app.learning import schedule
from app.models.bank import Question, QuestionStatus, QuestionVersion, question_version_skills
from app.models.practice import PracticeSession, SessionQuestion
from tests import factories
from tests.learning import helpers


def old_pick(user_id: int, skill_keys: list[str], rubric_ids: list[int], n: int):
    """The statement practise next ran before (one sort of every matching question)."""
    seen = Question.id.in_(
        select(SessionQuestion.question_id)
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .where(PracticeSession.user_id == user_id)
    )
    conditions = []
    if skill_keys:
        conditions.append(
            QuestionVersion.id.in_(
                select(question_version_skills.c.question_version_id)
                .where(question_version_skills.c.skill_key.in_(skill_keys))
                .scalar_subquery()
            )
        )
    if rubric_ids:
        conditions.append(QuestionVersion.rubric_id.in_(rubric_ids))
    stmt = (
        select(Question.id, seen.label("seen"))
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Question.status == QuestionStatus.PUBLISHED.value, or_(*conditions))
        .order_by(seen, Question.id)
        .limit(n)
    )
    return [(qid, bool(was_seen)) for qid, was_seen in db.session.execute(stmt)]


def new_pick(user_id: int, skill_keys: list[str], rubric_ids: list[int], n: int):
    return [
        (question.id, bool(was_seen))
        for question, _, was_seen in db.session.execute(
            schedule._next_questions(user_id, skill_keys, rubric_ids, n)
        )
    ]


def test_the_bounded_query_picks_the_same_questions_as_the_full_sort(app):
    with app.app_context():
        me = factories.user()
        other = factories.user()
        weak = factories.rubric()
        plain = factories.rubric(
            criteria=[
                {"key": "drift", "title": "Drift", "weight": 1, "levels": factories.levels(3)}
            ]
        )
        bank = []
        for i in range(30):  # skills and rubrics interleaved, a few drafts and archived
            skills = [("mlops",), ("ml_system_design",), ("mlops", "evaluation"), ("evaluation",)][
                i % 4
            ]
            status = "draft" if i % 7 == 3 else "archived" if i % 11 == 5 else "published"
            bank.append(
                factories.question(
                    skills=skills, rubric_obj=weak if i % 3 == 0 else plain, status=status
                )
            )
        # a question whose old version matched but whose current version no longer does
        moved = bank[1]
        old_version = moved.current_version
        new_version = QuestionVersion(
            question_id=moved.id,
            number=2,
            stage_key=old_version.stage_key,
            rubric_id=plain.id,
            title="Moved",
            prompt_md="Moved.",
            answer_kind="text",
        )
        new_version.skills = [factories.skill("evaluation")]
        db.session.add(new_version)
        db.session.flush()
        moved.current_version_id = new_version.id
        db.session.commit()
        # my rounds saw some of them; another candidate's rounds saw others
        helpers.practice_session(me.id, [bank[0], bank[2], bank[9]])
        helpers.practice_session(me.id, [bank[4], bank[13]])
        helpers.practice_session(other.id, [bank[6], bank[8], bank[10]])
        cases = [
            (["mlops"], [], 40),
            (["mlops"], [], 3),
            (["ml_system_design"], [weak.id], 5),
            ([], [weak.id], 40),
            (["mlops", "evaluation"], [plain.id], 7),
            (["evaluation"], [], 12),
            (["nothing_here"], [], 5),
        ]
        for user_id in (me.id, other.id, factories.user().id):
            for skills, rubrics, n in cases:
                old = old_pick(user_id, skills, rubrics, n)
                assert new_pick(user_id, skills, rubrics, n) == old, (user_id, skills, rubrics, n)
        # the cases do cover seen questions and a limit that cuts the unseen ones
        assert any(seen for _, seen in old_pick(me.id, ["mlops"], [weak.id], 40))
        assert len(old_pick(me.id, ["mlops"], [], 3)) == 3
