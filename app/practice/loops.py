"""Mock loops: a plan's rounds in order, each opening after a gap once the one before
finishes; start, view, start a step's round, leave."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain import loops as loop_rules
from app.extensions import db
from app.models.bank import LoopPlan, LoopStep
from app.models.practice import LoopRun, PracticeSession
from app.models.users import User
from app.practice.errors import AlreadyInLoop, NotFound, StepNotOpen
from app.practice.lifecycle import finalise_users_overdue
from app.practice.starting import start_round


def active_loop(user_id: int) -> LoopRun | None:
    """The candidate's loop in progress, if any."""
    return db.session.scalar(
        select(LoopRun)
        .where(LoopRun.user_id == user_id, LoopRun.status == "active")
        .options(selectinload(LoopRun.plan))
        .order_by(LoopRun.id.desc())
        .limit(1)
    )


def start_loop(
    user_id: int, plan_id: int, *, now: datetime, pace: str = loop_rules.SCHEDULED
) -> LoopRun:
    """Begin a mock loop of a plan at a pace; its first round opens straight away."""
    plan = db.session.get(LoopPlan, plan_id)
    if plan is None or plan.archived or not plan.steps:
        raise NotFound("There is no such loop plan.")
    running = active_loop(user_id)
    if running is not None:
        raise AlreadyInLoop(
            f"You are already in a mock loop ({running.plan.name}). Finish or leave it "
            "before starting another.",
            running,
        )
    pace = pace if pace in loop_rules.PACES else loop_rules.SCHEDULED
    run = LoopRun(user_id=user_id, plan_id=plan.id, started_at=now, status="active", pace=pace)
    db.session.add(run)
    db.session.commit()
    return run


@dataclass
class LoopStepView:
    step: LoopStep
    state: str
    opens: datetime | None
    opens_text: str
    session: PracticeSession | None


@dataclass
class LoopView:
    run: LoopRun
    steps: list[LoopStepView]
    current: LoopStepView | None
    zone: str


def _owned_run(user_id: int, run_id: int) -> LoopRun:
    run = db.session.get(LoopRun, run_id)
    if run is None or run.user_id != user_id:
        raise NotFound("There is no such loop.")
    return run


def loop_view(user_id: int, run_id: int, *, now: datetime) -> LoopView:
    """Where the candidate is in a loop: each step done, running, open, waiting or locked."""
    run = _owned_run(user_id, run_id)
    finalise_users_overdue(user_id, now)
    db.session.commit()
    run = db.session.scalar(
        select(LoopRun)
        .where(LoopRun.id == run_id)
        .options(
            selectinload(LoopRun.plan)
            .selectinload(LoopPlan.steps)
            .selectinload(LoopStep.round_format),
            selectinload(LoopRun.sessions),
        )
        .execution_options(populate_existing=True)
    )
    zone = db.session.scalar(select(User.timezone).where(User.id == user_id)) or "UTC"
    by_position = {s.loop_position: s for s in run.sessions}
    inputs = [
        loop_rules.StepInput(
            gap_minutes=step.gap_minutes,
            opens_at=step.opens_at,
            session_status=by_position[step.position].status
            if step.position in by_position
            else None,
            session_finished_at=by_position[step.position].finished_at
            if step.position in by_position
            else None,
        )
        for step in run.plan.steps
    ]
    states = loop_rules.schedule(run.started_at, inputs, now, zone, pace=run.pace)
    views = [
        LoopStepView(
            step=step,
            state=state.state,
            opens=state.opens,
            opens_text=loop_rules.describe_opening(state.opens, now, zone) if state.opens else "",
            session=by_position.get(step.position),
        )
        for step, state in zip(run.plan.steps, states, strict=True)
    ]
    current = next((v for v in views if v.state != loop_rules.DONE), None)
    return LoopView(run=run, steps=views, current=current, zone=zone)


def start_loop_step(
    user_id: int,
    run_id: int,
    position: int,
    *,
    now: datetime,
    weakness: Mapping[str, float] | None = None,
) -> PracticeSession:
    """Start the round of a loop step, if it is the one that is open now (`weakness` as
    for `start_round`)."""
    view = loop_view(user_id, run_id, now=now)
    if view.run.status != "active":
        raise StepNotOpen("This loop is over.")
    step = next((v for v in view.steps if v.step.position == position), None)
    if step is None:
        raise NotFound("There is no such step.")
    if step.session is not None:
        return step.session
    if step.state == loop_rules.LOCKED:
        raise StepNotOpen("Finish the earlier rounds of this loop first.")
    if step.state == loop_rules.WAITING:
        raise StepNotOpen(f"{step.step.label or 'This round'} {step.opens_text}.")
    return start_round(
        user_id,
        step.step.round_format_id,
        now=now,
        loop_run_id=view.run.id,
        loop_position=position,
        weakness=weakness,
    )


def next_round_now(user_id: int, session: PracticeSession, *, now: datetime) -> LoopRun | None:
    """The back-to-back loop whose next round opened when `session` was submitted, if any."""
    if session.loop_run_id is None:
        return None
    view = loop_view(user_id, session.loop_run_id, now=now)
    if view.run.pace != loop_rules.BACK_TO_BACK or view.run.status != "active":
        return None
    current = view.current
    return view.run if current is not None and current.state == loop_rules.OPEN else None


def leave_loop(user_id: int, run_id: int, *, now: datetime) -> LoopRun:
    """Abandon a loop; rounds already taken keep their answers and reports."""
    run = _owned_run(user_id, run_id)
    if run.status == "active":
        run.status = "abandoned"
        run.finished_at = now
        db.session.commit()
    return run
