"""The practise-next schedule: spaced repetition over criteria and skill areas, what to
practise next, and the skill weaknesses the practice picker prefers.

For other areas:
- `skill_weakness(user_id) -> dict[str, float]`: per skill area key, a weakness in
  [0, 1] (1 - recent score / 100). Areas never scored are absent. The app factory hands
  it to practice (`app.practice.wiring`), which never imports learning.
- `practise_next(user_id, now)`: due items and questions to do next (home, progress).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from app.domain import report as report_domain
from app.domain import scheduling
from app.extensions import db
from app.models.bank import (
    Question,
    QuestionStatus,
    QuestionVersion,
    Rubric,
    RubricVersion,
    question_version_skills,
)
from app.models.practice import PracticeSession, SessionQuestion
from app.models.scoring import PracticeScheduleItem, ScheduleItemKind

PRACTISE_NEXT_ITEMS = 5
PRACTISE_NEXT_QUESTIONS = 5


def update_schedule(user_id: int, report: report_domain.Report, now: datetime) -> None:
    """Review every scored criterion and skill area of a finished report (SM-2 style) in
    the candidate's practise-next schedule (no commit: part of finishing the scoring)."""
    reviews: dict[tuple[str, str], tuple[str, float]] = {}
    for c in report.criteria:
        if c.score is not None:
            reviews[(ScheduleItemKind.CRITERION.value, c.key)] = (c.title, c.score)
    for s in report.skills:
        if s.score is not None:
            reviews[(ScheduleItemKind.SKILL.value, s.key)] = (s.name, s.score)
    if not reviews:
        return
    existing = {
        (i.kind, i.item_key): i
        for i in db.session.scalars(
            select(PracticeScheduleItem).where(
                PracticeScheduleItem.user_id == user_id,
                PracticeScheduleItem.item_key.in_({key for _, key in reviews}),
            )
        )
    }
    for (kind, key), (title, score) in reviews.items():
        item = existing.get((kind, key))
        if item is None:
            item = PracticeScheduleItem(
                user_id=user_id,
                kind=kind,
                item_key=key,
                repetitions=0,
                ease=scheduling.INITIAL_EASE,
                interval_days=0,
                reviews=0,
                due_at=now,
            )
            db.session.add(item)
        state = scheduling.review(
            scheduling.ScheduleState(
                repetitions=item.repetitions,
                ease=item.ease,
                interval_days=item.interval_days,
                due_at=item.due_at,
                last_grade=item.last_grade,
                recent_score=item.recent_score,
                reviews=item.reviews,
            ),
            score,
            now,
        )
        item.title = title
        item.repetitions = state.repetitions
        item.ease = state.ease
        item.interval_days = state.interval_days
        item.due_at = state.due_at
        item.last_grade = state.last_grade
        item.last_score = score
        item.recent_score = state.recent_score
        item.reviews = state.reviews
        item.last_reviewed_at = now


@dataclass
class PractiseNext:
    items: list[dict]
    questions: list[dict]

    def snapshot(self, now: datetime) -> dict:
        """JSON-ready copy stored with a finished self-assessment."""
        return {"as_of": now.isoformat(), "items": self.items, "questions": self.questions}

    @property
    def is_empty(self) -> bool:
        return not self.items and not self.questions


def practise_next(
    user_id: int,
    now: datetime,
    item_limit: int = PRACTISE_NEXT_ITEMS,
    question_limit: int = PRACTISE_NEXT_QUESTIONS,
) -> PractiseNext:
    """Due criteria and skill areas (weakest and most overdue first) and questions to do next.

    Questions are published ones in the chosen skill areas or whose current rubric has
    the chosen criteria; questions the candidate has never had in a round come first.
    A fixed number of queries whatever the history.
    """
    rows = list(
        db.session.scalars(
            select(PracticeScheduleItem).where(PracticeScheduleItem.user_id == user_id)
        )
    )
    order = scheduling.practise_order(((r.due_at, r.recent_score) for r in rows), now)
    chosen = [rows[i] for i in order][:item_limit]
    items = [
        {
            "kind": r.kind,
            "key": r.item_key,
            "title": r.title,
            "due": scheduling.is_due(r.due_at, now),
            "due_at": r.due_at.isoformat(),
            "recent_score": None if r.recent_score is None else round(r.recent_score, 2),
        }
        for r in chosen
    ]
    questions, best = _questions_for(user_id, chosen, question_limit)
    for n, item in enumerate(items):
        # the question to drill for this item ("Practise this question"), if any fits
        item["question"] = best.get(n)
    return PractiseNext(items=items, questions=questions)


def _questions_for(
    user_id: int, chosen: list[PracticeScheduleItem], limit: int
) -> tuple[list[dict], dict[int, dict]]:
    """The questions to do next, and for each chosen item (by its place) the best one."""
    if not chosen or limit <= 0:
        return [], {}
    rank = {(r.kind, r.item_key): n for n, r in enumerate(chosen)}
    skill_keys = [r.item_key for r in chosen if r.kind == ScheduleItemKind.SKILL]
    criterion_keys = {r.item_key for r in chosen if r.kind == ScheduleItemKind.CRITERION}
    rubric_criteria: dict[int, set[str]] = {}
    if criterion_keys:
        for rubric_id, criteria in db.session.execute(
            select(Rubric.id, RubricVersion.criteria)
            .join(RubricVersion, RubricVersion.id == Rubric.current_version_id)
            .where(Rubric.archived.is_(False))
        ):
            keys = {c.get("key") for c in criteria or []} & criterion_keys
            if keys:
                rubric_criteria[rubric_id] = keys
    if not skill_keys and not rubric_criteria:
        return [], {}
    stmt = _next_questions(user_id, skill_keys, list(rubric_criteria), limit * 8)
    candidates = []
    for question, version, was_seen in db.session.execute(stmt):
        matches = [rank[("skill", s.key)] for s in version.skills if ("skill", s.key) in rank]
        matches += [rank[("criterion", k)] for k in rubric_criteria.get(version.rubric_id, ())]
        if not matches:
            continue
        candidates.append((bool(was_seen), min(matches), question.id, question, version, matches))
    candidates.sort(key=lambda c: c[:3])
    described = [
        {
            "id": question.id,
            "key": question.key,
            "title": version.title,
            "stage": version.stage.name if version.stage else version.stage_key,
            "seen": was_seen,
            "minutes": version.suggested_minutes,
        }
        for was_seen, _, _, question, version, _ in candidates
    ]
    best: dict[int, dict] = {}
    for entry, candidate in zip(described, candidates, strict=True):
        for n in candidate[5]:
            best.setdefault(n, entry)
    return described[:limit], best


def _next_questions(user_id: int, skill_keys: list[str], rubric_ids: list[int], n: int):
    """The first `n` published questions (with their current version and whether the
    candidate had them in a round) whose current version is in one of `skill_keys` or
    uses one of `rubric_ids`: those never seen first, then by question id.

    Read as two index walks of at most `n` rows each (unseen by question id, then seen),
    not as one sort of every matching question: ordering the whole bank by "seen" cost a
    scan and a sort of all 10,000 questions on every dashboard load. `n` rows of
    (unseen, id) then (seen, id) are exactly the first `n` of the old single ORDER BY.
    """
    # the candidate's own questions: a small hashed set driven by their sessions
    seen = (
        select(SessionQuestion.question_id)
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .where(PracticeSession.user_id == user_id)
    )
    conditions = []
    if skill_keys:  # probed per version on the (version, skill) primary key
        conditions.append(
            select(question_version_skills.c.question_version_id)
            .where(
                question_version_skills.c.question_version_id == QuestionVersion.id,
                question_version_skills.c.skill_key.in_(skill_keys),
            )
            .exists()
        )
    if rubric_ids:
        conditions.append(QuestionVersion.rubric_id.in_(rubric_ids))
    matching = (
        select(Question.id.label("id"))
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Question.status == QuestionStatus.PUBLISHED.value, or_(*conditions))
        .order_by(Question.id)
        .limit(n)
    )
    unseen = matching.where(Question.id.not_in(seen)).subquery()
    had = matching.where(Question.id.in_(seen)).subquery()
    picked = union_all(
        select(unseen.c.id, literal(0).label("seen")),
        select(had.c.id, literal(1).label("seen")),
    ).subquery()
    return (
        select(Question, QuestionVersion, picked.c.seen)
        .join(picked, picked.c.id == Question.id)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .options(
            selectinload(QuestionVersion.skills),
            joinedload(QuestionVersion.stage),
        )
        .order_by(picked.c.seen, Question.id)
        .limit(n)
    )


def skill_weakness(user_id: int) -> dict[str, float]:
    """Per skill area key: 1 - recent score / 100, in [0, 1]; unscored areas are absent."""
    rows = db.session.execute(
        select(PracticeScheduleItem.item_key, PracticeScheduleItem.recent_score).where(
            PracticeScheduleItem.user_id == user_id,
            PracticeScheduleItem.kind == ScheduleItemKind.SKILL.value,
            PracticeScheduleItem.recent_score.is_not(None),
        )
    )
    return {key: round(1.0 - min(max(score, 0.0), 100.0) / 100.0, 4) for key, score in rows}
