"""Starting a round: pick questions for a format, pin their versions, start the clock.

One round of each kind (timed, take-home) may be open at a time; a partial unique index
settles two simultaneous starts. Overdue rounds of the candidate are finalised first.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.domain import selection, timing
from app.extensions import db
from app.models.bank import Question, QuestionVersion, RoundFormat
from app.models.practice import PracticeSession, SessionQuestion, SessionStatus
from app.models.users import User
from app.practice import events
from app.practice.errors import AlreadyRunning, NoQuestions, NotFound
from app.practice.events import log_event
from app.practice.lifecycle import finalise_users_overdue


def open_sessions(user_id: int) -> list[PracticeSession]:
    """The candidate's open rounds (at most one timed, one take-home)."""
    return list(
        db.session.scalars(
            select(PracticeSession)
            .where(
                PracticeSession.user_id == user_id,
                PracticeSession.status == SessionStatus.IN_PROGRESS.value,
            )
            .options(selectinload(PracticeSession.round_format))
            .order_by(PracticeSession.started_at)
        )
    )


def running_of_kind(user_id: int, take_home: bool) -> PracticeSession | None:
    return next((s for s in open_sessions(user_id) if s.is_take_home == take_home), None)


def already_running_message(session: PracticeSession, now: datetime) -> str:
    left = timing.format_duration(timing.seconds_remaining(session, now))
    if session.is_take_home:
        return (
            f"You already have a take-home open ({session.round_format.name}, {left} left). "
            "Submit it before starting another; you can run one timed round beside it."
        )
    return (
        f"You already have a timed round running ({session.round_format.name}, {left} left). "
        "Finish or submit it before starting another."
    )


def _candidates(fmt: RoundFormat) -> tuple[list[selection.Candidate], dict[int, QuestionVersion]]:
    versions = db.session.scalars(
        select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.status == "published", QuestionVersion.stage_key == fmt.stage_key)
        .options(selectinload(QuestionVersion.skills), selectinload(QuestionVersion.rubric))
    ).all()
    usable = {
        v.question_id: v
        for v in versions
        if v.rubric is not None and v.rubric.current_version_id is not None
    }
    candidates = [
        selection.Candidate(
            v.question_id, v.answer_kind, tuple(s.key for s in v.skills), v.suggested_minutes
        )
        for v in usable.values()
    ]
    return candidates, usable


def _seen_counts(user_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(SessionQuestion.question_id, func.count(SessionQuestion.id))
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .where(PracticeSession.user_id == user_id)
        .group_by(SessionQuestion.question_id)
    ).all()
    return {question_id: count for question_id, count in rows}


def start_round(
    user_id: int,
    format_id: int,
    *,
    now: datetime,
    seed: int | None = None,
    weakness: Mapping[str, float] | None = None,
    loop_run_id: int | None = None,
    loop_position: int | None = None,
) -> PracticeSession:
    """Start a round of a format: pick questions, pin their versions, start the clock.

    `weakness` (skill area -> weakness in [0, 1], higher is weaker) makes the picker prefer
    weak areas; None or empty balances skills instead. Practice never reads it itself: the
    route passes what `app.practice.wiring.weakness_for` gives (wired in create_app).
    """
    fmt = db.session.get(RoundFormat, format_id)
    if fmt is None or fmt.archived:
        raise NotFound("There is no such round format.")
    finalise_users_overdue(user_id, now)
    take_home = timing.is_take_home(fmt.stage_key, fmt.duration_minutes)
    running = running_of_kind(user_id, take_home)
    if running is not None:
        db.session.commit()  # keep any finalisation done above
        raise AlreadyRunning(already_running_message(running, now), running)
    seed = secrets.randbelow(2**31) if seed is None else seed
    candidates, versions = _candidates(fmt)
    picks = selection.pick(
        candidates,
        fmt.question_count,
        seen=_seen_counts(user_id),
        weakness=weakness or None,
        answer_kinds=fmt.answer_kinds,
        first_kind=fmt.first_kind,
        max_minutes=fmt.duration_minutes,
        seed=seed,
    )
    if not picks:
        db.session.commit()
        raise NoQuestions(
            f"The question bank has no published questions for {fmt.name} yet, "
            "so this round cannot start. Try another stage."
        )
    return open_round(
        user_id,
        fmt,
        [versions[p.question_id] for p in picks],
        minutes=fmt.duration_minutes,
        take_home=take_home,
        now=now,
        log={"seed": seed, "requested": fmt.question_count},
        loop_run_id=loop_run_id,
        loop_position=loop_position,
    )


def time_multiplier(user_id: int) -> float:
    """The candidate's extra-time multiplier as it stands now (1 without extra time)."""
    user = db.session.get(User, user_id)
    return timing.allowed_multiplier(user.time_multiplier if user else 1.0) or 1.0


def open_round(
    user_id: int,
    fmt: RoundFormat,
    versions: list[QuestionVersion],
    *,
    minutes: int,
    take_home: bool,
    now: datetime,
    untimed: bool = False,
    log: dict | None = None,
    loop_run_id: int | None = None,
    loop_position: int | None = None,
) -> PracticeSession:
    """Create and commit the session: versions pinned, the deadline fixed now.

    The candidate's extra time is pinned here with the deadline (start + length x
    multiplier), so a later change of the multiplier never alters a running round. An
    untimed round's `minutes` is its upper bound; extra time does not stretch it. The
    format's time cost per hint is pinned too, scaled by the same multiplier (the same
    share of the round for everyone); an untimed drill's hints are free.
    """
    multiplier = 1.0 if untimed else time_multiplier(user_id)
    session = PracticeSession(
        user_id=user_id,
        round_format_id=fmt.id,
        stage_key=fmt.stage_key,
        loop_run_id=loop_run_id,
        loop_position=loop_position,
        status=SessionStatus.IN_PROGRESS.value,
        started_at=now,
        deadline_at=timing.deadline_for(now, timing.extended_minutes(minutes, multiplier)),
        grace_seconds=fmt.grace_seconds,
        expiry_policy=fmt.expiry_policy,
        follow_up_limit=fmt.follow_up_count,
        # the format's cost per hint, pinned and scaled like the length (issue 18)
        hint_cost_seconds=0
        if untimed
        else round(timing.extended_minutes(fmt.hint_cost_minutes or 0, multiplier) * 60),
        is_take_home=take_home,
        time_multiplier=multiplier,
        untimed=untimed,
        current_position=0,
        position_since=now,
    )
    for position, version in enumerate(versions):
        session.items.append(
            SessionQuestion(
                position=position,
                question_id=version.question_id,
                question_version_id=version.id,
                rubric_version_id=version.rubric.current_version_id,
            )
        )
    try:
        db.session.add(session)
        db.session.flush()
        log_event(
            session,
            events.STARTED,
            at=now,
            round_format=fmt.key,
            questions=[v.question_id for v in versions],
            deadline_at=session.deadline_at.isoformat(),
            time_multiplier=multiplier,
            untimed=untimed,
            **(log or {}),
        )
        db.session.commit()
    except IntegrityError:
        # Another "start" won the race; the partial unique index refused this one.
        db.session.rollback()
        running = running_of_kind(user_id, take_home)
        if running is None:
            raise
        raise AlreadyRunning(already_running_message(running, now), running) from None
    return session
