"""A finished round as learning reads it: the candidate's own session with its pinned
questions and rubrics, its self-assessment, and the scoring view built from them.

Opening a round whose time ran out finalises it first, through the practice area's
lifecycle (learning comes after practice, so it imports it directly).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.domain import timing
from app.domain.coderesults import TestsEvidence
from app.domain.estimates import EstimateCheck, estimate_for
from app.domain.scoring import Criterion, criteria_from_json
from app.extensions import db
from app.learning.grading import suggestions_for
from app.models.bank import QuestionVersion, RubricVersion
from app.models.grading import ModelSuggestion
from app.models.practice import PracticeSession, SessionQuestion
from app.models.scoring import SelfAssessment
from app.practice import coderuns, lifecycle


class SessionNotFound(LookupError):
    """No such session, or not the caller's: answered with 404."""


class SessionNotFinished(RuntimeError):
    """The round is still running; it cannot be scored yet."""


# ---------------------------------------------------------------- loading


def _session_query():
    return select(PracticeSession).options(
        joinedload(PracticeSession.stage),
        joinedload(PracticeSession.round_format),
        selectinload(PracticeSession.items)
        .joinedload(SessionQuestion.question_version)
        .selectinload(QuestionVersion.skills),
        selectinload(PracticeSession.items).joinedload(SessionQuestion.rubric_version),
        selectinload(PracticeSession.items).selectinload(SessionQuestion.follow_up_answers),
    )


def owned_session(session_id: int, user_id: int, *, now: datetime) -> PracticeSession:
    """The session with its pinned questions and rubrics, if `user_id` owns it.

    A round whose time ran out but is still open is finalised first (the practice area's
    rule: the next request that touches it finishes it at its deadline).
    """
    session = db.session.scalar(_session_query().where(PracticeSession.id == session_id))
    if session is None or session.user_id != user_id:
        raise SessionNotFound(session_id)
    if timing.is_overdue(session, now):
        lifecycle.finalise_overdue(session.id, now=now, by="request")
        session = db.session.scalar(
            _session_query()
            .where(PracticeSession.id == session_id)
            .execution_options(populate_existing=True)
        )
    return session


def assessment_for(session_id: int) -> SelfAssessment | None:
    """The self-assessment of a session with its scores, or None."""
    return db.session.scalar(
        select(SelfAssessment)
        .options(selectinload(SelfAssessment.scores))
        .where(SelfAssessment.session_id == session_id)
    )


@dataclass
class ScoringItem:
    item: SessionQuestion
    criteria: tuple[Criterion, ...]
    estimate: EstimateCheck | None
    tests: TestsEvidence | None = None  # a code answer's runs (None: no tests)
    levels: dict[str, int | None] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    model: ModelSuggestion | None = None  # the optional model's suggestion (None: not asked)

    @property
    def version(self) -> QuestionVersion:
        return self.item.question_version

    @property
    def rubric(self) -> RubricVersion:
        return self.item.rubric_version


@dataclass
class ScoringView:
    session: PracticeSession
    assessment: SelfAssessment | None
    items: list[ScoringItem]

    @property
    def reflection(self) -> str:
        return self.assessment.reflection if self.assessment else ""

    @property
    def is_complete(self) -> bool:
        return bool(self.assessment and self.assessment.is_complete)

    @property
    def scored_count(self) -> int:
        return sum(1 for i in self.items for v in i.levels.values() if v is not None)

    @property
    def criteria_count(self) -> int:
        return sum(len(i.criteria) for i in self.items)


def view_of(session: PracticeSession) -> ScoringView:
    assessment = assessment_for(session.id)
    saved = (
        {(s.session_question_id, s.criterion_key): s for s in assessment.scores}
        if assessment
        else {}
    )
    items = []
    suggestions = suggestions_for(i.id for i in session.items)
    for item in session.items:
        criteria = criteria_from_json(item.rubric_version.criteria)
        view = ScoringItem(
            item=item,
            criteria=criteria,
            estimate=estimate_for(item),
            tests=coderuns.evidence(item),
            model=suggestions.get(item.id),
        )
        for c in criteria:
            score = saved.get((item.id, c.key))
            view.levels[c.key] = score.level if score else None
            view.notes[c.key] = score.note if score else ""
        items.append(view)
    return ScoringView(session=session, assessment=assessment, items=items)


def scoring_view(session_id: int, user_id: int, *, now: datetime) -> ScoringView:
    """Everything the scoring page shows; refuses a round that is still running."""
    session = owned_session(session_id, user_id, now=now)
    if not session.is_finished:
        raise SessionNotFinished(session_id)
    return view_of(session)
