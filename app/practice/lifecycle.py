"""The round's lifecycle: lock it, load it (finishing it first if its time ran out),
submit, expire, finalise overdue rounds and sweep them.

Concurrency: a save (app.practice.answers) is one conditional UPDATE taken under a
shared row lock on its session (PostgreSQL `FOR SHARE`); submit, expiry and the sweep
take the session row `FOR UPDATE` and re-check its status, and the optimistic `version`
column catches the same race on SQLite. So a save either lands before the round is
finalised or is refused; it is never accepted and then lost.

Every round that finishes goes through `finish`, which sends
`app.practice.signals.round_finished` inside the transaction of the finish, and counts
the round in the bank's item statistics (`app.bank.stats.count_round`) in it too.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from app.bank import stats as item_stats
from app.domain import timing
from app.extensions import db
from app.models.bank import LoopStep
from app.models.practice import LoopRun, PracticeSession, SessionQuestion, SessionStatus
from app.practice.errors import Conflict, NotFound, NotYet, SweepResult
from app.practice.events import log_event
from app.practice.signals import round_finished

# --- loading and locking --------------------------------------------------------------


def owned(user_id: int, session_id: int) -> PracticeSession:
    """The session if `user_id` owns it; NotFound (404) otherwise."""
    session = db.session.get(PracticeSession, session_id)
    if session is None or session.user_id != user_id:
        raise NotFound("There is no such round.")
    return session


def lock(session_id: int, *, shared: bool = False, skip_locked: bool = False):
    """Re-read a session under a row lock (PostgreSQL; SQLite serialises writers)."""
    stmt = (
        select(PracticeSession)
        .where(PracticeSession.id == session_id)
        .with_for_update(read=shared, skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(stmt)


def item_at(session: PracticeSession, position: int) -> SessionQuestion:
    """The session's question at `position`; NotFound (404) when there is none."""
    item = db.session.scalar(
        select(SessionQuestion).where(
            SessionQuestion.session_id == session.id, SessionQuestion.position == position
        )
    )
    if item is None:
        raise NotFound("There is no such question in this round.")
    return item


def get_session(user_id: int, session_id: int, *, now: datetime) -> PracticeSession:
    """The candidate's own session, finalised first if its time ran out (404 otherwise)."""
    session = owned(user_id, session_id)
    if timing.is_overdue(session, now):
        finalise_overdue(session.id, now=now, by="request")
        session = owned(user_id, session_id)
    return session


# --- finishing (no commit: used inside use cases) ---------------------------------------


def finish(
    session: PracticeSession, status: str, finished_at: datetime, now: datetime, by: str
) -> None:
    """Mark a locked, open session finished; log it; close its loop if it was the last step;
    announce it (`round_finished`) so receivers write in this same transaction."""
    end = min(finished_at, session.deadline_at)
    items = db.session.scalars(
        select(SessionQuestion).where(SessionQuestion.session_id == session.id)
    ).all()
    current = next((i for i in items if i.position == session.current_position), None)
    if current is not None:
        since = session.position_since or session.started_at
        current.time_spent_seconds += max(0, int((end - since).total_seconds()))
    session.status = status
    session.finished_at = finished_at
    session.position_since = None
    log_event(
        session,
        status,
        at=now,
        by=by,
        finished_at=finished_at.isoformat(),
        answered=sum(1 for i in items if i.is_answered),
        questions=len(items),
    )
    if session.loop_run_id is not None:
        run = db.session.get(LoopRun, session.loop_run_id)
        step_count = db.session.scalar(
            select(func.count(LoopStep.id)).where(LoopStep.plan_id == run.plan_id)
        )
        if run.status == "active" and session.loop_position == step_count - 1:
            run.status = "finished"
            run.finished_at = finished_at
    round_finished.send(current_app._get_current_object(), session=session, now=now, by=by)
    item_stats.count_round(session.id)  # the bank's counters, in this transaction (it flushes)


def finalise_overdue(session_id: int, *, now: datetime, by: str = "sweep") -> bool:
    """Finalise one session whose deadline plus grace has passed, at its deadline.

    Re-reads the row under a lock (skipping one another sweeper holds) and re-checks, so
    running it twice, or from two cron jobs at once, finalises each session exactly once.
    """
    try:
        session = lock(session_id, skip_locked=True)
        if session is None or not timing.is_overdue(session, now):
            db.session.rollback()
            return False
        status, finished_at = timing.expiry(session)
        finish(session, status, finished_at, now, by=by)
        db.session.commit()
        return True
    except StaleDataError:
        db.session.rollback()
        return False


def sweep(*, now: datetime) -> SweepResult:
    """Finalise every open session past deadline plus grace (the `flask sessions sweep` job)."""
    ids = db.session.scalars(
        select(PracticeSession.id)
        .where(
            PracticeSession.status == SessionStatus.IN_PROGRESS.value,
            PracticeSession.deadline_at < now,
        )
        .order_by(PracticeSession.deadline_at)
    ).all()
    db.session.rollback()
    result = SweepResult()
    for session_id in ids:
        result.checked += 1
        session = db.session.get(PracticeSession, session_id)
        if session is not None and not timing.is_overdue(session, now):
            result.not_due += 1
            db.session.rollback()
            continue
        if finalise_overdue(session_id, now=now, by="sweep"):
            result.finalised += 1
            finished = db.session.get(PracticeSession, session_id)
            result.statuses[finished.status] = result.statuses.get(finished.status, 0) + 1
        else:
            result.skipped += 1
    return result


def finalise_users_overdue(user_id: int, now: datetime) -> None:
    """Finalise this user's overdue sessions in the current unit of work (no commit)."""
    open_sessions = db.session.scalars(
        select(PracticeSession).where(
            PracticeSession.user_id == user_id,
            PracticeSession.status == SessionStatus.IN_PROGRESS.value,
            PracticeSession.deadline_at < now,
        )
    ).all()
    for candidate in open_sessions:
        session = lock(candidate.id)
        if session is not None and timing.is_overdue(session, now):
            status, finished_at = timing.expiry(session)
            finish(session, status, finished_at, now, by="request")


# --- submitting and expiring ---------------------------------------------------------------


def _last_save(session_id: int) -> datetime | None:
    """When the session's latest accepted save landed (read under the session's lock)."""
    saves = db.session.scalars(
        select(SessionQuestion.saved_at).where(
            SessionQuestion.session_id == session_id, SessionQuestion.saved_at.is_not(None)
        )
    ).all()
    return max(saves, default=None)


def submit_round(user_id: int, session_id: int, *, now: datetime) -> PracticeSession:
    """Submit the round with its saved answers. Idempotent: submitting twice changes nothing.

    A submit is never recorded before a save it let in first: once the lock is ours, a
    save that landed after the route read `now` moves the submit time up to that save.
    """
    session = owned(user_id, session_id)
    if session.is_finished:
        return session
    try:
        session = lock(session_id)
        if session.is_finished:
            db.session.rollback()
            return session
        now = max(now, _last_save(session_id) or now)
        if timing.is_overdue(session, now):
            status, finished_at = timing.expiry(session)
            by = "request"
        else:
            status, finished_at = timing.submission(session, now)
            by = "candidate"
        finish(session, status, finished_at, now, by=by)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        session = owned(user_id, session_id)
        db.session.refresh(session)
        if not session.is_finished:
            raise Conflict("This round changed while submitting; please try again.") from None
    return session


def expire_round(user_id: int, session_id: int, *, now: datetime) -> PracticeSession:
    """The page's countdown reached its end: finalise if the policy says time is up."""
    session = owned(user_id, session_id)
    if session.is_finished:
        return session
    if not timing.may_finalise_on_request(session, now):
        raise NotYet("This round still has time left.")
    try:
        session = lock(session_id)
        if not session.is_finished:
            status, finished_at = timing.expiry(session)
            finish(session, status, finished_at, now, by="timer")
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        session = owned(user_id, session_id)
        db.session.refresh(session)
    return session
