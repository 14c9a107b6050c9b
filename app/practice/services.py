"""Practice use cases: start, save, switch, hint, submit, expire, sweep, mock loops.

Every public function is one use case and owns its single `db.session.commit()`.
Services take plain values (ids, strings, numbers, `now`) and raise `PracticeError`
subclasses whose message is safe to show. Timing rules come from `app.domain.timing`.

Concurrency: a save is one conditional UPDATE (revision compare-and-set) taken under a
shared row lock on its session (PostgreSQL `FOR SHARE`); submit, expiry and the sweep
take the session row `FOR UPDATE` and re-check its status, and the optimistic
`version` column catches the same race on SQLite. So a save either lands before the
round is finalised or is refused; it is never accepted and then lost.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.clock import utcnow
from app.domain import loops, selection, timing
from app.extensions import db
from app.learning import services as feedback_services
from app.models.bank import LoopPlan, LoopStep, Question, QuestionVersion, RoundFormat, Stage
from app.models.practice import (
    LoopRun,
    PracticeSession,
    SessionEvent,
    SessionQuestion,
    SessionStatus,
)
from app.models.users import User
from app.practice import events
from app.practice.events import log_event

WARNING_THRESHOLDS = (300, 60)  # seconds left: "5 minutes left", "1 minute left"
MAX_LINKS = 20


# --- errors ---------------------------------------------------------------------------


class PracticeError(Exception):
    """A use case refused; the message is safe to show to the candidate."""


class NotFound(PracticeError):
    """No such session/loop for this user (routes answer 404)."""


class AlreadyRunning(PracticeError):
    """Another round of the same kind is open; `session` is the one to go back to."""

    def __init__(self, message: str, session: PracticeSession):
        super().__init__(message)
        self.session = session


class AlreadyInLoop(PracticeError):
    def __init__(self, message: str, run: LoopRun):
        super().__init__(message)
        self.run = run


class NoQuestions(PracticeError):
    """The bank has no published question this round format can use."""


class SaveRefused(PracticeError):
    """A save that was not stored; the text stays where the candidate typed it."""

    status = 409
    code = "refused"


class StaleRevision(SaveRefused):
    """The answer was saved from another tab or device since this one loaded it."""

    code = "stale"

    def __init__(self, message: str, revision: int):
        super().__init__(message)
        self.revision = revision


class AnswerTooLong(SaveRefused):
    """Over ANSWER_MAX_CHARS: refused whole, never cut."""

    status = 422
    code = "too_long"


class RoundOver(SaveRefused):
    """The round is finished or past deadline plus grace: writes are refused."""

    code = "over"

    def __init__(self, message: str, session: PracticeSession):
        super().__init__(message)
        self.session = session


class NotYet(PracticeError):
    """Asked to finalise a round whose time has not run out."""


class StepNotOpen(PracticeError):
    """A loop step that is locked or opens later."""


class Conflict(SaveRefused):
    """The session changed under this request (another tab); reload and retry."""

    code = "conflict"


# --- values ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    """An answer as typed: the write-up/code/working, an estimate, links."""

    text: str = ""
    number: float | None = None
    unit: str | None = None
    links: tuple[str, ...] = ()

    def normalised(self) -> AnswerInput:
        text = (self.text or "").replace("\r\n", "\n").replace("\r", "\n")
        unit = (self.unit or "").strip() or None
        links = tuple(link.strip() for link in self.links if link and link.strip())
        return AnswerInput(text, self.number, unit, links)

    def length(self) -> int:
        return len(self.text) + sum(len(link) for link in self.links)


@dataclass(frozen=True)
class SaveResult:
    revision: int
    saved_at: datetime | None
    seconds_remaining: int
    grace_remaining: int
    phase: str
    changed: bool  # False when nothing differed or a newer save from this tab had landed


@dataclass
class SweepResult:
    checked: int = 0
    finalised: int = 0
    not_due: int = 0
    skipped: int = 0  # finished or locked by a concurrent sweep
    statuses: dict[str, int] = field(default_factory=dict)


# --- loading and locking --------------------------------------------------------------


def _owned(user_id: int, session_id: int) -> PracticeSession:
    session = db.session.get(PracticeSession, session_id)
    if session is None or session.user_id != user_id:
        raise NotFound("There is no such round.")
    return session


def _lock(session_id: int, *, shared: bool = False, skip_locked: bool = False):
    """Re-read a session under a row lock (PostgreSQL; SQLite serialises writers)."""
    stmt = (
        select(PracticeSession)
        .where(PracticeSession.id == session_id)
        .with_for_update(read=shared, skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(stmt)


def _item(session: PracticeSession, position: int) -> SessionQuestion:
    item = db.session.scalar(
        select(SessionQuestion).where(
            SessionQuestion.session_id == session.id, SessionQuestion.position == position
        )
    )
    if item is None:
        raise NotFound("There is no such question in this round.")
    return item


def _user_zone(user_id: int) -> str:
    return db.session.scalar(select(User.timezone).where(User.id == user_id)) or "UTC"


def get_session(user_id: int, session_id: int, now: datetime | None = None) -> PracticeSession:
    """The candidate's own session, finalised first if its time ran out (404 otherwise)."""
    now = now or utcnow()
    session = _owned(user_id, session_id)
    if timing.is_overdue(session, now):
        finalise_overdue(session.id, now, by="request")
        session = _owned(user_id, session_id)
    return session


def round_view(user_id: int, session_id: int, now: datetime | None = None) -> PracticeSession:
    """A session with its questions, versions and skills loaded for the round page."""
    session = get_session(user_id, session_id, now)
    return db.session.scalar(
        select(PracticeSession)
        .where(PracticeSession.id == session.id)
        .options(
            selectinload(PracticeSession.items)
            .selectinload(SessionQuestion.question_version)
            .selectinload(QuestionVersion.skills),
            selectinload(PracticeSession.round_format),
            selectinload(PracticeSession.stage),
        )
        .execution_options(populate_existing=True)
    )


# --- finishing (no commit: used inside use cases) ---------------------------------------


def _finish(
    session: PracticeSession, status: str, finished_at: datetime, now: datetime, by: str
) -> None:
    """Mark a locked, open session finished; log it; close its loop if it was the last step."""
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


def finalise_overdue(session_id: int, now: datetime | None = None, by: str = "sweep") -> bool:
    """Finalise one session whose deadline plus grace has passed, at its deadline.

    Re-reads the row under a lock (skipping one another sweeper holds) and re-checks, so
    running it twice, or from two cron jobs at once, finalises each session exactly once.
    """
    now = now or utcnow()
    try:
        session = _lock(session_id, skip_locked=True)
        if session is None or not timing.is_overdue(session, now):
            db.session.rollback()
            return False
        status, finished_at = timing.expiry(session)
        _finish(session, status, finished_at, now, by=by)
        db.session.commit()
        return True
    except StaleDataError:
        db.session.rollback()
        return False


def sweep(now: datetime | None = None) -> SweepResult:
    """Finalise every open session past deadline plus grace (the `flask sessions sweep` job)."""
    now = now or utcnow()
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
        if finalise_overdue(session_id, now, by="sweep"):
            result.finalised += 1
            finished = db.session.get(PracticeSession, session_id)
            result.statuses[finished.status] = result.statuses.get(finished.status, 0) + 1
        else:
            result.skipped += 1
    return result


def _finalise_users_overdue(user_id: int, now: datetime) -> None:
    """Finalise this user's overdue sessions in the current unit of work (no commit)."""
    open_sessions = db.session.scalars(
        select(PracticeSession).where(
            PracticeSession.user_id == user_id,
            PracticeSession.status == SessionStatus.IN_PROGRESS.value,
            PracticeSession.deadline_at < now,
        )
    ).all()
    for candidate in open_sessions:
        session = _lock(candidate.id)
        if session is not None and timing.is_overdue(session, now):
            status, finished_at = timing.expiry(session)
            _finish(session, status, finished_at, now, by="request")


# --- starting ---------------------------------------------------------------------------


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


def _running_of_kind(user_id: int, take_home: bool) -> PracticeSession | None:
    return next((s for s in open_sessions(user_id) if s.is_take_home == take_home), None)


def _already_running_message(session: PracticeSession, now: datetime) -> str:
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


def skill_weakness(user_id: int) -> dict[str, float] | None:
    """Skill area -> weakness in [0, 1] (higher is weaker) from the candidate's self-scores.

    None (no scores yet) makes the picker balance skills instead.
    """
    return feedback_services.skill_weakness(user_id) or None


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
    now: datetime | None = None,
    seed: int | None = None,
    weakness: Mapping[str, float] | None = None,
    loop_run_id: int | None = None,
    loop_position: int | None = None,
) -> PracticeSession:
    """Start a round of a format: pick questions, pin their versions, start the clock."""
    now = now or utcnow()
    fmt = db.session.get(RoundFormat, format_id)
    if fmt is None or fmt.archived:
        raise NotFound("There is no such round format.")
    _finalise_users_overdue(user_id, now)
    take_home = timing.is_take_home(fmt.stage_key, fmt.duration_minutes)
    running = _running_of_kind(user_id, take_home)
    if running is not None:
        db.session.commit()  # keep any finalisation done above
        raise AlreadyRunning(_already_running_message(running, now), running)
    seed = secrets.randbelow(2**31) if seed is None else seed
    candidates, versions = _candidates(fmt)
    if weakness is None:
        weakness = skill_weakness(user_id)
    picks = selection.pick(
        candidates,
        fmt.question_count,
        seen=_seen_counts(user_id),
        weakness=weakness,
        answer_kinds=fmt.answer_kinds,
        max_minutes=fmt.duration_minutes,
        seed=seed,
    )
    if not picks:
        db.session.commit()
        raise NoQuestions(
            f"The question bank has no published questions for {fmt.name} yet, "
            "so this round cannot start. Try another stage."
        )
    session = PracticeSession(
        user_id=user_id,
        round_format_id=fmt.id,
        stage_key=fmt.stage_key,
        loop_run_id=loop_run_id,
        loop_position=loop_position,
        status=SessionStatus.IN_PROGRESS.value,
        started_at=now,
        deadline_at=timing.deadline_for(now, fmt.duration_minutes),
        grace_seconds=fmt.grace_seconds,
        expiry_policy=fmt.expiry_policy,
        is_take_home=take_home,
        current_position=0,
        position_since=now,
    )
    for position, pick in enumerate(picks):
        version = versions[pick.question_id]
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
            seed=seed,
            questions=[p.question_id for p in picks],
            requested=fmt.question_count,
            deadline_at=session.deadline_at.isoformat(),
        )
        db.session.commit()
    except IntegrityError:
        # Another "start" won the race; the partial unique index refused this one.
        db.session.rollback()
        running = _running_of_kind(user_id, take_home)
        if running is None:
            raise
        raise AlreadyRunning(_already_running_message(running, now), running) from None
    return session


# --- saving -----------------------------------------------------------------------------


def _same_answer(item: SessionQuestion, answer: AnswerInput) -> bool:
    return (
        item.answer_text == answer.text
        and item.answer_number == answer.number
        and (item.answer_unit or None) == answer.unit
        and list(item.answer_links or []) == list(answer.links)
    )


def _refuse_late(session: PracticeSession, position: int, now: datetime) -> RoundOver:
    """Finalise a session that is past its cutoff (if still open) and build the refusal."""
    if timing.is_overdue(session, now):
        finalise_overdue(session.id, now, by="request")
    return RoundOver(
        "Time is up: this round is closed, so this answer was not saved. "
        "Your text is still on this page; copy it if you want to keep it.",
        session,
    )


def _check_length(answer: AnswerInput, max_chars: int) -> None:
    if len(answer.text) > max_chars:
        raise AnswerTooLong(
            f"This answer is {len(answer.text):,} characters; the limit is {max_chars:,}. "
            "Nothing was saved and nothing was cut: shorten it and it will save again."
        )
    if len(answer.links) > MAX_LINKS:
        raise AnswerTooLong(f"At most {MAX_LINKS} links, please; nothing was saved.")


def _save(
    session: PracticeSession,
    position: int,
    answer: AnswerInput,
    base_revision: int,
    client_id: str | None,
    seq: int,
    now: datetime,
    exclusive: bool = False,
) -> tuple[SessionQuestion, bool]:
    """Store an answer if it is based on the latest revision (or this tab's own last save).

    Returns (item, changed). Runs under a shared lock on the session row so a concurrent
    submit waits for it (or it sees the submit and refuses); `exclusive` when the caller
    goes on to change the session row itself (two shared holders upgrading would
    deadlock). No commit.
    """
    locked = _lock(session.id, shared=not exclusive)
    if locked is None or locked.status != SessionStatus.IN_PROGRESS.value:
        raise RoundOver("This round is already finished; the answer was not saved.", session)
    item = _item(session, position)
    if _same_answer(item, answer):
        return item, False
    own_tab = (
        and_(SessionQuestion.client_id == client_id, SessionQuestion.client_seq < seq)
        if client_id
        else false()
    )
    result = db.session.execute(
        update(SessionQuestion)
        .where(
            SessionQuestion.id == item.id,
            or_(SessionQuestion.revision == base_revision, own_tab),
        )
        .values(
            answer_text=answer.text,
            answer_number=answer.number,
            answer_unit=answer.unit,
            answer_links=list(answer.links),
            revision=SessionQuestion.revision + 1,
            saved_at=now,
            client_id=client_id,
            client_seq=seq,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(item)
    if result.rowcount == 1:
        log_event(
            session,
            events.SAVED,
            position,
            at=now,
            length=answer.length(),
            revision=item.revision,
        )
        return item, True
    if client_id and item.client_id == client_id and seq <= item.client_seq:
        return item, False  # an older save from this same tab arrived late: already superseded
    raise StaleRevision(
        "This answer was changed in another tab or device since you opened it. "
        "Reload to see the saved version; your text here was not saved.",
        item.revision,
    )


def save_answer(
    user_id: int,
    session_id: int,
    position: int,
    answer: AnswerInput,
    *,
    base_revision: int,
    max_chars: int,
    client_id: str | None = None,
    seq: int = 0,
    now: datetime | None = None,
) -> SaveResult:
    """Autosave one answer: revision-checked, refused when too long or too late."""
    now = now or utcnow()
    session = _owned(user_id, session_id)
    _item(session, position)
    if not timing.accepts_writes(session, now):
        raise _refuse_late(session, position, now)
    answer = answer.normalised()
    _check_length(answer, max_chars)
    item, changed = _save(session, position, answer, base_revision, client_id, seq, now)
    result = SaveResult(
        revision=item.revision,
        saved_at=item.saved_at,
        seconds_remaining=timing.seconds_remaining(session, now),
        grace_remaining=timing.grace_remaining(session, now),
        phase=timing.phase(session, now),
        changed=changed,
    )
    db.session.commit()
    return result


# --- the form path (no JavaScript): save, then do what the button asked ----------------


def _switch(session: PracticeSession, to_position: int, now: datetime) -> bool:
    """Move the candidate to another question, crediting time to the one they leave."""
    if to_position == session.current_position:
        return False
    _item(session, to_position)
    leaving = _item(session, session.current_position)
    since = session.position_since or session.started_at
    end = min(now, session.deadline_at)
    leaving.time_spent_seconds += max(0, int((end - since).total_seconds()))
    log_event(session, events.SWITCHED, to_position, at=now, from_position=leaving.position)
    session.current_position = to_position
    session.position_since = now
    return True


def _reveal_hint(session: PracticeSession, position: int, now: datetime) -> int:
    item = _item(session, position)
    hints = item.question_version.hints or []
    if item.hints_revealed < len(hints):
        item.hints_revealed += 1
        log_event(session, events.HINT_REVEALED, position, at=now, hint=item.hints_revealed)
    return item.hints_revealed


def save_and_go(
    user_id: int,
    session_id: int,
    position: int,
    answer: AnswerInput,
    *,
    base_revision: int,
    max_chars: int,
    action: str = "save",
    goto: int | None = None,
    client_id: str | None = None,
    seq: int = 0,
    now: datetime | None = None,
) -> SaveResult:
    """The answer form: save the answer, then reveal a hint or switch question as asked."""
    now = now or utcnow()
    session = _owned(user_id, session_id)
    _item(session, position)
    if not timing.accepts_writes(session, now):
        raise _refuse_late(session, position, now)
    answer = answer.normalised()
    _check_length(answer, max_chars)
    item, changed = _save(
        session, position, answer, base_revision, client_id, seq, now, exclusive=True
    )
    try:
        if action == "hint":
            _reveal_hint(session, position, now)
        target = goto if goto is not None else position
        if action in ("hint", "save", "goto") and target != session.current_position:
            _switch(session, target, now)
        result = SaveResult(
            revision=item.revision,
            saved_at=item.saved_at,
            seconds_remaining=timing.seconds_remaining(session, now),
            grace_remaining=timing.grace_remaining(session, now),
            phase=timing.phase(session, now),
            changed=changed,
        )
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(
            "This round changed in another tab while saving; reload and try again."
        ) from None
    return result


def warned_thresholds(session_id: int) -> list[int]:
    """The time warnings already shown (and logged) for a session, in seconds left."""
    rows = db.session.scalars(
        select(SessionEvent.data).where(
            SessionEvent.session_id == session_id, SessionEvent.kind == events.WARNING_SHOWN
        )
    ).all()
    return sorted({(data or {}).get("seconds_left") for data in rows} - {None})


class InvalidWarning(PracticeError):
    """Only the 5- and 1-minute warnings are logged."""


def record_warning(
    user_id: int, session_id: int, threshold: int, now: datetime | None = None
) -> bool:
    """Log that the page showed a time warning (once per threshold per session)."""
    now = now or utcnow()
    if threshold not in WARNING_THRESHOLDS:
        raise InvalidWarning("Unknown warning.")
    session = _owned(user_id, session_id)
    if session.status != SessionStatus.IN_PROGRESS.value:
        return False
    if threshold in warned_thresholds(session.id):
        return False
    log_event(
        session,
        events.WARNING_SHOWN,
        session.current_position,
        at=now,
        seconds_left=threshold,
        actual_seconds_left=timing.seconds_remaining(session, now),
    )
    db.session.commit()
    return True


# --- submitting and expiring ---------------------------------------------------------------


def submit_round(user_id: int, session_id: int, now: datetime | None = None) -> PracticeSession:
    """Submit the round with its saved answers. Idempotent: submitting twice changes nothing."""
    asked_at = now
    session = _owned(user_id, session_id)
    if session.is_finished:
        return session
    try:
        session = _lock(session_id)
        if session.is_finished:
            db.session.rollback()
            return session
        # Read the clock once the lock is ours: saves that got in first are then earlier.
        now = asked_at or utcnow()
        if timing.is_overdue(session, now):
            status, finished_at = timing.expiry(session)
            by = "request"
        else:
            status, finished_at = timing.submission(session, now)
            by = "candidate"
        _finish(session, status, finished_at, now, by=by)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        session = _owned(user_id, session_id)
        db.session.refresh(session)
        if not session.is_finished:
            raise Conflict("This round changed while submitting; please try again.") from None
    return session


def expire_round(user_id: int, session_id: int, now: datetime | None = None) -> PracticeSession:
    """The page's countdown reached its end: finalise if the policy says time is up."""
    now = now or utcnow()
    session = _owned(user_id, session_id)
    if session.is_finished:
        return session
    if not timing.may_finalise_on_request(session, now):
        raise NotYet("This round still has time left.")
    try:
        session = _lock(session_id)
        if not session.is_finished:
            status, finished_at = timing.expiry(session)
            _finish(session, status, finished_at, now, by="timer")
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        session = _owned(user_id, session_id)
        db.session.refresh(session)
    return session


def unanswered(session: PracticeSession) -> list[SessionQuestion]:
    """The questions of a session with nothing saved yet."""
    return [item for item in session.items if not item.is_answered]


# --- the start page ---------------------------------------------------------------------


@dataclass
class Overview:
    stages: list[tuple[Stage, list[RoundFormat]]]
    plans: list[LoopPlan]
    open_sessions: list[PracticeSession]
    active_run: LoopRun | None
    recent: list[PracticeSession]


def overview(user_id: int, now: datetime | None = None) -> Overview:
    """What the practice page shows: formats by stage, loop plans, open and recent rounds."""
    now = now or utcnow()
    _finalise_users_overdue(user_id, now)
    db.session.commit()
    formats = db.session.scalars(
        select(RoundFormat)
        .join(Stage, Stage.key == RoundFormat.stage_key)
        .where(RoundFormat.archived.is_(False))
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


# --- mock loops -------------------------------------------------------------------------


def active_loop(user_id: int) -> LoopRun | None:
    """The candidate's loop in progress, if any."""
    return db.session.scalar(
        select(LoopRun)
        .where(LoopRun.user_id == user_id, LoopRun.status == "active")
        .options(selectinload(LoopRun.plan))
        .order_by(LoopRun.id.desc())
        .limit(1)
    )


def start_loop(user_id: int, plan_id: int, now: datetime | None = None) -> LoopRun:
    """Begin a mock loop of a plan; its first round opens straight away."""
    now = now or utcnow()
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
    run = LoopRun(user_id=user_id, plan_id=plan.id, started_at=now, status="active")
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


def loop_view(user_id: int, run_id: int, now: datetime | None = None) -> LoopView:
    """Where the candidate is in a loop: each step done, running, open, waiting or locked."""
    now = now or utcnow()
    run = _owned_run(user_id, run_id)
    _finalise_users_overdue(user_id, now)
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
    zone = _user_zone(user_id)
    by_position = {s.loop_position: s for s in run.sessions}
    inputs = [
        loops.StepInput(
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
    states = loops.schedule(run.started_at, inputs, now, zone)
    views = [
        LoopStepView(
            step=step,
            state=state.state,
            opens=state.opens,
            opens_text=loops.describe_opening(state.opens, now, zone) if state.opens else "",
            session=by_position.get(step.position),
        )
        for step, state in zip(run.plan.steps, states, strict=True)
    ]
    current = next((v for v in views if v.state != loops.DONE), None)
    return LoopView(run=run, steps=views, current=current, zone=zone)


def start_loop_step(
    user_id: int, run_id: int, position: int, now: datetime | None = None
) -> PracticeSession:
    """Start the round of a loop step, if it is the one that is open now."""
    now = now or utcnow()
    view = loop_view(user_id, run_id, now)
    if view.run.status != "active":
        raise StepNotOpen("This loop is over.")
    step = next((v for v in view.steps if v.step.position == position), None)
    if step is None:
        raise NotFound("There is no such step.")
    if step.session is not None:
        return step.session
    if step.state == loops.LOCKED:
        raise StepNotOpen("Finish the earlier rounds of this loop first.")
    if step.state == loops.WAITING:
        raise StepNotOpen(f"{step.step.label or 'This round'} {step.opens_text}.")
    return start_round(
        user_id,
        step.step.round_format_id,
        now=now,
        loop_run_id=view.run.id,
        loop_position=position,
    )


def leave_loop(user_id: int, run_id: int, now: datetime | None = None) -> LoopRun:
    """Abandon a loop; rounds already taken keep their answers and reports."""
    now = now or utcnow()
    run = _owned_run(user_id, run_id)
    if run.status == "active":
        run.status = "abandoned"
        run.finished_at = now
        db.session.commit()
    return run
