"""Item statistics for admins: how the bank's questions play in finished rounds.

Read-only queries; the arithmetic and the flags live in `app/domain/item_stats.py`.
A list page costs the same handful of queries however many questions and rounds exist:
the page of questions (with their attempt counts), then the attempts of those questions,
their sessions' question counts, their completed self-scores and the pinned rubric
versions, each in one query.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from app.bank.queries import clean_filter, paginate
from app.domain import item_stats
from app.domain.estimates import estimate_for
from app.domain.report import question_seconds
from app.domain.scoring import criteria_from_json, score_question
from app.extensions import db
from app.models.bank import Question, QuestionVersion, RubricVersion, Stage
from app.models.practice import PracticeSession, SessionQuestion, SessionStatus
from app.models.scoring import SelfAssessment, SelfScore

SORTS = {
    "most": "Most sat first",
    "least": "Least sat first",
    "title": "Title",
}


def _finished():
    return PracticeSession.status != SessionStatus.IN_PROGRESS.value


def item_statistics(
    *,
    stage: str | None = None,
    status: str | None = None,
    sort: str = "most",
    page: int,
    per_page: int,
):
    """A page of questions (any status) with their statistics, as `(page, {id: ItemStats})`."""
    counts = (
        select(SessionQuestion.question_id, func.count().label("attempts"))
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .where(_finished())
        .group_by(SessionQuestion.question_id)
        .subquery()
    )
    attempts = func.coalesce(counts.c.attempts, 0)
    query = (
        select(Question)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .join(Stage, Stage.key == QuestionVersion.stage_key)
        .outerjoin(counts, counts.c.question_id == Question.id)
        .options(contains_eager(Question.current_version).contains_eager(QuestionVersion.stage))
    )
    if clean_filter(stage):
        query = query.where(QuestionVersion.stage_key == stage)
    if clean_filter(status):
        query = query.where(Question.status == status)
    order = {
        "most": (attempts.desc(), QuestionVersion.title),
        "least": (attempts.asc(), QuestionVersion.title),
        "title": (QuestionVersion.title,),
    }.get(sort) or (attempts.desc(), QuestionVersion.title)
    query = query.order_by(*order, Question.id)
    result = paginate(query, page, per_page)
    by_question = _attempts([q.id for q in result.items])
    stats = {q.id: item_stats.item_stats(by_question.get(q.id, ())) for q in result.items}
    return result, stats


def question_statistics(question_id: int):
    """One question's statistics overall and per version: `(ItemStats, [(number, ItemStats)])`."""
    attempts = _attempts([question_id]).get(question_id, [])
    return item_stats.item_stats(attempts), item_stats.by_version(attempts)


def _attempts(question_ids: list[int]) -> dict[int, list[item_stats.Attempt]]:
    """Every finished attempt at these questions, as domain `Attempt`s, by question id."""
    if not question_ids:
        return {}
    items = (
        db.session.execute(
            select(SessionQuestion)
            .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
            .where(SessionQuestion.question_id.in_(question_ids), _finished())
            .options(
                contains_eager(SessionQuestion.session),
                joinedload(SessionQuestion.question_version),
            )
        )
        .unique()
        .scalars()
        .all()
    )
    if not items:
        return {}
    session_ids = {item.session_id for item in items}
    sizes = dict(
        db.session.execute(
            select(SessionQuestion.session_id, func.count())
            .where(SessionQuestion.session_id.in_(session_ids))
            .group_by(SessionQuestion.session_id)
        ).all()
    )
    scores = _completed_self_scores(items)
    result: dict[int, list[item_stats.Attempt]] = defaultdict(list)
    for item in items:
        session, version = item.session, item.question_version
        ended = min(session.finished_at or session.deadline_at, session.deadline_at)
        estimate = estimate_for(item)
        result[item.question_id].append(
            item_stats.Attempt(
                version_number=version.number,
                answered=item.is_answered,
                time_spent_seconds=question_seconds(
                    item.time_spent_seconds, sizes[item.session_id], session.started_at, ended
                ),
                suggested_minutes=version.suggested_minutes,
                hints_revealed=item.hints_revealed,
                self_score=scores.get(item.id),
                estimate_within=estimate.within if estimate and estimate.checked else None,
            )
        )
    return result


def _completed_self_scores(items: list[SessionQuestion]) -> dict[int, float]:
    """The 0-100 self-score of each item whose candidate finished scoring the round."""
    rows = db.session.execute(
        select(SelfScore.session_question_id, SelfScore.criterion_key, SelfScore.level)
        .join(SelfAssessment, SelfAssessment.id == SelfScore.assessment_id)
        .where(
            SelfAssessment.completed_at.is_not(None),
            SelfScore.session_question_id.in_([item.id for item in items]),
        )
    ).all()
    levels: dict[int, dict[str, int | None]] = defaultdict(dict)
    for item_id, key, level in rows:
        levels[item_id][key] = level
    rubrics = {
        rubric.id: criteria_from_json(rubric.criteria)
        for rubric in db.session.scalars(
            select(RubricVersion).where(
                RubricVersion.id.in_({item.rubric_version_id for item in items})
            )
        )
    }
    scores = {}
    for item in items:
        if item.id in levels:
            score = score_question(rubrics[item.rubric_version_id], levels[item.id]).score
            if score is not None:
                scores[item.id] = score
    return scores
