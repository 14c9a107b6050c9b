"""Item statistics for admins: how the bank's questions play in finished rounds.

Read-only queries; the arithmetic and the flags live in `app/domain/item_stats.py`.
A list page costs the same handful of queries however many questions and rounds exist:
the page of questions (with their attempt counts), then the attempts of those questions,
their sessions' question counts, their completed self-scores and the pinned rubric
versions, each in one query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, contains_eager

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


@dataclass(frozen=True)
class _Version:
    """The columns of a question version `estimate_for` reads."""

    answer_kind: str
    estimate_value: float | None
    estimate_tolerance_pct: float | None
    estimate_unit: str | None


@dataclass(frozen=True)
class _Answer:
    question_version: _Version
    answer_number: float | None
    answer_unit: str | None


def _finished_attempts(question_ids: list[int]):
    """The finished attempts at these questions (a page's worth of ids: a bounded list)."""
    return (
        select(SessionQuestion.id)
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .where(SessionQuestion.question_id.in_(question_ids), _finished())
    )


def _attempts(question_ids: list[int]) -> dict[int, list[item_stats.Attempt]]:
    """Every finished attempt at these questions, as domain `Attempt`s, by question id.

    Three queries whatever the number of rounds, none with a parameter per round or per
    attempt (100,000 finished rounds once made one IN list of 100,001 parameters): the
    attempts as plain columns, with their round's question count as a correlated count
    on the session index; the completed self-scores joined the same way; the rubrics."""
    if not question_ids:
        return {}
    round_items = aliased(SessionQuestion)
    size = (
        select(func.count(round_items.id))
        .where(round_items.session_id == SessionQuestion.session_id)
        .correlate(SessionQuestion)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            SessionQuestion.id,
            SessionQuestion.question_id,
            SessionQuestion.rubric_version_id,
            SessionQuestion.answer_text,
            SessionQuestion.answer_number,
            SessionQuestion.answer_unit,
            SessionQuestion.answer_links,
            SessionQuestion.time_spent_seconds,
            SessionQuestion.hints_revealed,
            PracticeSession.started_at,
            PracticeSession.finished_at,
            PracticeSession.deadline_at,
            QuestionVersion.number,
            QuestionVersion.suggested_minutes,
            QuestionVersion.answer_kind,
            QuestionVersion.estimate_value,
            QuestionVersion.estimate_tolerance_pct,
            QuestionVersion.estimate_unit,
            size,
        )
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .join(QuestionVersion, QuestionVersion.id == SessionQuestion.question_version_id)
        .where(SessionQuestion.question_id.in_(question_ids), _finished())
    ).all()
    if not rows:
        return {}
    scores = _completed_self_scores(question_ids)
    result: dict[int, list[item_stats.Attempt]] = defaultdict(list)
    for row in rows:
        ended = min(row.finished_at or row.deadline_at, row.deadline_at)
        version = _Version(
            row.answer_kind, row.estimate_value, row.estimate_tolerance_pct, row.estimate_unit
        )
        estimate = estimate_for(_Answer(version, row.answer_number, row.answer_unit))
        answered = (
            bool((row.answer_text or "").strip())
            or row.answer_number is not None
            or bool(row.answer_links)
        )
        result[row.question_id].append(
            item_stats.Attempt(
                version_number=row.number,
                answered=answered,
                time_spent_seconds=question_seconds(
                    row.time_spent_seconds, row[-1], row.started_at, ended
                ),
                suggested_minutes=row.suggested_minutes,
                hints_revealed=row.hints_revealed,
                self_score=scores.get(row.id),
                estimate_within=estimate.within if estimate and estimate.checked else None,
            )
        )
    return result


def _completed_self_scores(question_ids: list[int]) -> dict[int, float]:
    """The 0-100 self-score of each finished attempt at these questions whose candidate
    finished scoring the round, by session question id."""
    rows = db.session.execute(
        select(
            SelfScore.session_question_id,
            SessionQuestion.rubric_version_id,
            SelfScore.criterion_key,
            SelfScore.level,
        )
        .join(SelfAssessment, SelfAssessment.id == SelfScore.assessment_id)
        .join(SessionQuestion, SessionQuestion.id == SelfScore.session_question_id)
        .where(
            SelfAssessment.completed_at.is_not(None),
            SelfScore.session_question_id.in_(_finished_attempts(question_ids)),
        )
    ).all()
    if not rows:
        return {}
    levels: dict[int, dict[str, int | None]] = defaultdict(dict)
    rubric_of: dict[int, int] = {}
    for item_id, rubric_id, key, level in rows:
        levels[item_id][key] = level
        rubric_of[item_id] = rubric_id
    rubrics = {
        rubric.id: criteria_from_json(rubric.criteria)
        for rubric in db.session.scalars(
            select(RubricVersion).where(RubricVersion.id.in_(set(rubric_of.values())))
        )
    }
    scores = {}
    for item_id, item_levels in levels.items():
        score = score_question(rubrics[rubric_of[item_id]], item_levels).score
        if score is not None:
            scores[item_id] = score
    return scores
