"""Follow-up questions in the round (issue 13): reveal the next one, autosave its answer.

Kept apart from app.practice.answers (the main answer's hot path) but with the same
guarantees: a save is revision-checked (compare-and-set; another tab's save is a 409,
this tab's own never conflict), taken under a shared lock on its session so it lands
before the round is finalised or is refused, refused after the deadline plus grace,
refused whole when over the size cap, and logged as an event. A reveal is logged with
its time and reason ("done": the candidate pressed the button; "time": the share of the
question's suggested time passed, checked here against `now`). Follow-ups are answered
inside the same round timer. Each use case owns its one commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.domain import follow_ups as rules
from app.domain import timing
from app.extensions import db
from app.models.practice import FollowUpAnswer, PracticeSession, SessionQuestion, SessionStatus
from app.practice.errors import (
    AnswerTooLong,
    NotFound,
    RoundOver,
    SaveRefused,
    SaveResult,
)
from app.practice.events import log_event
from app.practice.lifecycle import finalise_overdue, item_at, lock, owned
from app.practice.revisions import write_if_current

FOLLOW_UP_REVEALED = "follow_up_revealed"
FOLLOW_UP_SAVED = "follow_up_saved"


class NotDue(SaveRefused):
    """A timed reveal asked for before its time (or with no follow-up left): nothing shown."""

    code = "not_due"


@dataclass(frozen=True)
class FollowUpState:
    """What the round page shows of one question's follow-ups at `now`."""

    shown: int  # how many this question may reveal (format's count, at most the bank's)
    answers: list[FollowUpAnswer]  # the ones revealed, in order
    next_number: int | None  # the one "Done" reveals next; None when all are out
    due_in: int | None  # seconds until the next reveals itself; None when none left


def seconds_on(session: PracticeSession, item: SessionQuestion, now: datetime) -> int:
    """Time the candidate has spent on `item` so far, its current stay on screen included."""
    since = None
    if session.current_position == item.position:
        since = session.position_since or session.started_at
    return rules.seconds_on_question(item.time_spent_seconds, since, session.deadline_at, now)


def shown_for(session: PracticeSession, item: SessionQuestion) -> int:
    """How many follow-ups `item` may reveal: the round's pinned count, at most the bank's."""
    return rules.limit(session.follow_up_limit or 0, len(item.question_version.follow_ups or []))


def state(
    session, item, version_follow_ups: list | None, answers: list, now: datetime, share: float
):
    """The follow-ups of `item` as the round page shows them (read only), from rows:
    the session, the question (with its version's `suggested_minutes`), its version's
    follow-ups and the ones revealed so far (`answers`, in order)."""
    shown = rules.limit(session.follow_up_limit or 0, len(version_follow_ups or []))
    revealed = len(answers)
    due_in = rules.seconds_until_due(
        revealed, shown, seconds_on(session, item, now), item.suggested_minutes, share
    )
    return FollowUpState(
        shown=shown,
        answers=answers,
        next_number=revealed + 1 if revealed < shown else None,
        due_in=due_in,
    )


def _open_round(user_id: int, session_id: int, position: int, now: datetime):
    """The candidate's round still taking writes, and the question; or the refusal."""
    session = owned(user_id, session_id)
    item = item_at(session, position)
    if not timing.accepts_writes(session, now):
        if timing.is_overdue(session, now):
            finalise_overdue(session.id, now=now, by="request")
        raise RoundOver(
            "Time is up: this round is closed, so this was not saved. "
            "Your text is still on this page; copy it if you want to keep it.",
            session,
        )
    locked = lock(session.id, shared=True)
    if locked is None or locked.status != SessionStatus.IN_PROGRESS.value:
        raise RoundOver("This round is already finished; nothing was saved.", session)
    return session, item


def reveal_next(
    user_id: int,
    session_id: int,
    position: int,
    number: int,
    *,
    reason: str,
    share: float,
    now: datetime,
) -> FollowUpAnswer:
    """Reveal follow-up `number` of the question at `position` (idempotent).

    `number` must be the next one; one already revealed is returned as it is (a second
    click, or the timer and the button at once). A "time" reveal before its time, or a
    number past what the question shows, is refused (NotDue) and changes nothing.
    """
    session, item = _open_round(user_id, session_id, position, now)
    answers = list(item.follow_up_answers)
    if 1 <= number <= len(answers):
        return answers[number - 1]
    shown = shown_for(session, item)
    spent = seconds_on(session, item, now)
    version = item.question_version
    if number != len(answers) + 1 or not rules.may_reveal(
        reason, len(answers), shown, spent, version.suggested_minutes, share
    ):
        raise NotDue("That follow-up is not due yet; nothing changed.")
    row = FollowUpAnswer(
        item=item,
        number=number,
        prompt=version.follow_ups[number - 1],
        revealed_at=now,
        reveal_reason=reason,
        answer_text="",
    )
    db.session.add(row)
    log_event(
        session, FOLLOW_UP_REVEALED, position, at=now, number=number, reason=reason,
        seconds_on_question=spent,
    )  # fmt: skip
    try:
        db.session.commit()
    except IntegrityError:  # revealed by a concurrent request a moment ago
        db.session.rollback()
        return _row(item.id, number)
    return row


def _row(item_id: int, number: int) -> FollowUpAnswer:
    row = db.session.scalar(
        select(FollowUpAnswer).where(
            FollowUpAnswer.session_question_id == item_id, FollowUpAnswer.number == number
        )
    )
    if row is None:
        raise NotFound("There is no such follow-up in this round.")
    return row


def save_follow_up(
    user_id: int,
    session_id: int,
    position: int,
    number: int,
    text: str,
    *,
    base_revision: int,
    max_chars: int,
    client_id: str | None = None,
    seq: int = 0,
    now: datetime,
) -> SaveResult:
    """Autosave the answer to a revealed follow-up: revision-checked, refused when too long
    or too late, like the main answer. A follow-up not revealed yet is 404."""
    session, item = _open_round(user_id, session_id, position, now)
    row = _row(item.id, number)
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > max_chars:
        raise AnswerTooLong(
            f"This answer is {len(text):,} characters; the limit is {max_chars:,}. "
            "Nothing was saved and nothing was cut: shorten it and it will save again."
        )
    changed = False
    if row.answer_text != text:
        changed = _store(session, row, text, base_revision, client_id, seq, now)
    result = SaveResult(
        revision=row.revision,
        saved_at=row.saved_at,
        seconds_remaining=timing.seconds_remaining(session, now),
        grace_remaining=timing.grace_remaining(session, now),
        phase=timing.phase(session, now),
        changed=changed,
    )
    db.session.commit()
    return result


def _store(session, row: FollowUpAnswer, text: str, base_revision, client_id, seq, now) -> bool:
    """The revision-checked write (app.practice.revisions), logged when it lands."""
    written = write_if_current(
        FollowUpAnswer,
        row,
        {"answer_text": text},
        base_revision=base_revision,
        client_id=client_id,
        seq=seq,
        now=now,
        stale_message="This follow-up answer was changed in another tab or device since you "
        "opened it. Reload to see the saved version; your text here was not saved.",
    )
    if written:
        log_event(
            session, FOLLOW_UP_SAVED, row.item.position, at=now, number=row.number,
            length=len(text), revision=row.revision,
        )  # fmt: skip
    return written
