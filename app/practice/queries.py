"""Practice reads: the round page's session, the start page, the history list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.domain import timing
from app.extensions import db
from app.models.bank import LoopPlan, LoopStep, QuestionVersion, RoundFormat, Stage
from app.models.practice import LoopRun, PracticeSession, SessionQuestion, SessionStatus
from app.practice.errors import NotFound
from app.practice.lifecycle import finalise_overdue, finalise_users_overdue
from app.practice.loops import active_loop
from app.practice.starting import open_sessions


def round_view(user_id: int, session_id: int, *, now: datetime) -> PracticeSession:
    """A session with its questions, versions and skills loaded for the round page.

    Two statements: the session with its format and stage (one join), then its questions
    with their pinned versions and skills (one join); finalised first if its time ran out
    (404 if `user_id` does not own it). `populate_existing`: after a save in the same
    request the page shows what was written."""
    stmt = (
        select(PracticeSession)
        .where(PracticeSession.id == session_id)
        .options(
            joinedload(PracticeSession.round_format),
            joinedload(PracticeSession.stage),
            selectinload(PracticeSession.items)
            .joinedload(SessionQuestion.question_version)
            .joinedload(QuestionVersion.skills),
        )
        .execution_options(populate_existing=True)
    )
    session = db.session.scalars(stmt).unique().one_or_none()
    if session is None or session.user_id != user_id:
        raise NotFound("There is no such round.")
    if timing.is_overdue(session, now):
        finalise_overdue(session.id, now=now, by="request")
        session = db.session.scalars(stmt).unique().one()
    return session


def unanswered(session: PracticeSession) -> list[SessionQuestion]:
    """The questions of a session with nothing saved yet."""
    return [item for item in session.items if not item.is_answered]


# --- the start page ----------------------------------------------------------------------


@dataclass
class Overview:
    stages: list[tuple[Stage, list[RoundFormat]]]
    plans: list[LoopPlan]
    open_sessions: list[PracticeSession]
    active_run: LoopRun | None
    recent: list[PracticeSession]


def overview(user_id: int, *, now: datetime) -> Overview:
    """What the practice page shows: formats by stage, loop plans, open and recent rounds."""
    finalise_users_overdue(user_id, now)
    db.session.commit()
    formats = db.session.scalars(
        select(RoundFormat)
        .join(Stage, Stage.key == RoundFormat.stage_key)
        .where(RoundFormat.archived.is_(False), RoundFormat.drill.is_(False))
        .options(selectinload(RoundFormat.stage))
        .order_by(Stage.position, RoundFormat.position, RoundFormat.id)
    ).all()
    stages: list[tuple[Stage, list[RoundFormat]]] = []
    for fmt in formats:
        if not stages or stages[-1][0].key != fmt.stage_key:
            stages.append((fmt.stage, []))
        stages[-1][1].append(fmt)
    plans = db.session.scalars(
        select(LoopPlan)
        .where(LoopPlan.archived.is_(False))
        .options(selectinload(LoopPlan.steps).selectinload(LoopStep.round_format))
        .order_by(LoopPlan.id)
    ).all()
    recent = db.session.scalars(
        select(PracticeSession)
        .where(
            PracticeSession.user_id == user_id,
            PracticeSession.status != SessionStatus.IN_PROGRESS.value,
        )
        .options(selectinload(PracticeSession.round_format))
        .order_by(PracticeSession.started_at.desc(), PracticeSession.id.desc())
        .limit(5)
    ).all()
    return Overview(
        stages=stages,
        plans=list(plans),
        open_sessions=open_sessions(user_id),
        active_run=active_loop(user_id),
        recent=list(recent),
    )


def history_query(user_id: int):
    """The candidate's rounds, newest first (for pagination)."""
    return (
        select(PracticeSession)
        .where(PracticeSession.user_id == user_id)
        .options(selectinload(PracticeSession.round_format))
        .order_by(PracticeSession.started_at.desc(), PracticeSession.id.desc())
    )
