"""Answering: autosave, the no-JavaScript answer form (save, then hint or switch question)
and the time warnings the page shows.

Each use case owns its one commit. A save is revision-checked (compare-and-set) under a
shared lock on its session, so it lands before the round is finalised or is refused
(see app.practice.lifecycle). The answer caps are enforced here and only here.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Float,
    String,
    and_,
    bindparam,
    cast,
    false,
    func,
    insert,
    literal_column,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.orm.exc import StaleDataError

from app.domain import timing
from app.extensions import db
from app.models.practice import PracticeSession, SessionEvent, SessionQuestion, SessionStatus
from app.practice import events
from app.practice.errors import (
    AnswerInput,
    AnswerTooLong,
    Conflict,
    InvalidWarning,
    RoundOver,
    SaveResult,
)
from app.practice.events import log_event
from app.practice.lifecycle import finalise_overdue, item_at, lock, owned
from app.practice.revisions import write_if_current

WARNING_THRESHOLDS = (300, 60)  # seconds left: "5 minutes left", "1 minute left"
# The kind of a round's time-warning events, written into the SQL rather than bound:
# PostgreSQL then knows, when it plans a prepared statement once for every round (a
# generic plan), that it is a rare kind among a round's events (one per autosave); bound,
# it could only assume the average kind's share (app.practice.queries, the round page).
WARNING_SHOWN_KIND = literal_column(f"'{events.WARNING_SHOWN}'", String)  # our constant


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
        finalise_overdue(session.id, now=now, by="request")
    return RoundOver(
        "Time is up: this round is closed, so this answer was not saved. "
        "Your text is still on this page; copy it if you want to keep it.",
        session,
    )


def _check_size(answer: AnswerInput, max_chars: int, max_links: int) -> None:
    """The one check of the answer caps (the form only parses; these messages are shown)."""
    if len(answer.text) > max_chars:
        raise AnswerTooLong(
            f"This answer is {len(answer.text):,} characters; the limit is {max_chars:,}. "
            "Nothing was saved and nothing was cut: shorten it and it will save again."
        )
    if len(answer.links) > max_links:
        raise AnswerTooLong(f"At most {max_links} links, please; nothing was saved.")


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
    locked = lock(session.id, shared=not exclusive)
    if locked is None or locked.status != SessionStatus.IN_PROGRESS.value:
        raise RoundOver("This round is already finished; the answer was not saved.", session)
    item = item_at(session, position)
    if _same_answer(item, answer):
        return item, False
    written = write_if_current(
        SessionQuestion,
        item,
        {
            "answer_text": answer.text,
            "answer_number": answer.number,
            "answer_unit": answer.unit,
            "answer_links": list(answer.links),
        },
        base_revision=base_revision,
        client_id=client_id,
        seq=seq,
        now=now,
        stale_message="This answer was changed in another tab or device since you opened it. "
        "Reload to see the saved version; your text here was not saved.",
    )
    if written:
        log_event(
            session,
            events.SAVED,
            position,
            at=now,
            length=answer.length(),
            revision=item.revision,
        )
    return item, written


def _accepted(
    user_id: int,
    session_id: int,
    position: int,
    answer: AnswerInput,
    max_chars: int,
    max_links: int,
    now: datetime,
) -> tuple[PracticeSession, AnswerInput]:
    """The candidate's round and the answer to save, or the refusal: not theirs (404),
    too late for this round's policy, or over the size caps (nothing is cut)."""
    session = owned(user_id, session_id)
    item_at(session, position)
    if not timing.accepts_writes(session, now):
        raise _refuse_late(session, position, now)
    answer = answer.normalised()
    _check_size(answer, max_chars, max_links)
    return session, answer


def _result(session: PracticeSession, item, changed: bool, now: datetime) -> SaveResult:
    """What a save answers: the new revision, when it was saved, and the clock."""
    return SaveResult(
        revision=item.revision,
        saved_at=item.saved_at,
        seconds_remaining=timing.seconds_remaining(session, now),
        grace_remaining=timing.grace_remaining(session, now),
        phase=timing.phase(session, now),
        changed=changed,
    )


@dataclass(frozen=True)
class _Clock:
    """The session's timing columns as `app.domain.timing` reads them."""

    started_at: datetime
    deadline_at: datetime
    grace_seconds: int
    expiry_policy: str
    status: str = SessionStatus.IN_PROGRESS.value
    hint_penalty_seconds: int = 0
    id: int | None = None

    @property
    def is_finished(self) -> bool:
        return self.status != SessionStatus.IN_PROGRESS.value


@functools.cache
def _lean_statement(with_client: bool):
    """The lean save's UPDATE, built once (bind parameters fill it in per save)."""
    open_round = (
        select(PracticeSession.id)
        .where(
            PracticeSession.id == bindparam("p_session"),
            PracticeSession.user_id == bindparam("p_user"),
            PracticeSession.status == SessionStatus.IN_PROGRESS.value,
        )
        .with_for_update(read=True)
    )
    own_tab = (
        and_(
            SessionQuestion.client_id == bindparam("new_client_id"),
            SessionQuestion.client_seq < bindparam("new_seq"),
        )
        if with_client
        else false()
    )
    same = and_(
        SessionQuestion.answer_text == bindparam("text"),
        SessionQuestion.answer_number.is_not_distinct_from(bindparam("number", type_=Float)),
        func.coalesce(SessionQuestion.answer_unit, "") == bindparam("unit_or_empty"),
        func.coalesce(cast(SessionQuestion.answer_links, String), "[]") == bindparam("links_json"),
    )

    def clock(column):
        return select(column).where(PracticeSession.id == bindparam("p_session")).scalar_subquery()

    return (
        update(SessionQuestion)
        .where(
            SessionQuestion.session_id.in_(open_round),
            SessionQuestion.position == bindparam("p_position"),
            or_(SessionQuestion.revision == bindparam("base_revision"), own_tab),
            not_(same),
        )
        .values(
            answer_text=bindparam("text"),
            answer_number=bindparam("number", type_=Float),
            answer_unit=bindparam("unit", type_=String),
            answer_links=bindparam("links", type_=SessionQuestion.answer_links.type),
            revision=SessionQuestion.revision + 1,
            saved_at=bindparam("now", type_=SessionQuestion.saved_at.type),
            client_id=bindparam("new_client_id", type_=String),
            client_seq=bindparam("new_seq"),
        )
        .returning(
            SessionQuestion.revision,
            clock(PracticeSession.started_at),
            clock(PracticeSession.deadline_at),
            clock(PracticeSession.grace_seconds),
            clock(PracticeSession.expiry_policy),
        )
        .execution_options(synchronize_session=False)
    )


def _lean_save(
    user_id: int,
    session_id: int,
    position: int,
    answer: AnswerInput,
    base_revision: int,
    client_id: str | None,
    seq: int,
    now: datetime,
) -> SaveResult | None:
    """The everyday autosave in one statement: write the answer if the round is the
    user's and still open (under the same shared lock on its row as `_save`), the
    revision (or this tab's sequence) is current and the text differs; it returns the new
    revision and the round's clock. None, with nothing written, in every other case
    (not theirs, finished, too late, stale, unchanged, an older save of this tab), which
    `_accepted` and `_save` then tell apart as before. Then the event's INSERT. No commit."""
    links = list(answer.links)
    row = db.session.execute(
        _lean_statement(bool(client_id)),
        {
            "p_session": session_id,
            "p_user": user_id,
            "p_position": position,
            "base_revision": base_revision,
            "new_client_id": client_id,
            "new_seq": seq,
            "text": answer.text,
            "number": answer.number,
            "unit": answer.unit,
            "unit_or_empty": answer.unit or "",
            "links": links,
            "links_json": json.dumps(links),
            "now": now,
        },
    ).first()
    if row is None:
        return None
    revision, *timing_columns = row
    session = _Clock(*timing_columns)
    if not timing.accepts_writes(session, now):
        db.session.rollback()  # past the cutoff: undo, and let the full path refuse it
        return None
    db.session.execute(
        insert(SessionEvent).values(
            session_id=session_id,
            kind=events.SAVED,
            position=position,
            at=now,
            data={"length": answer.length(), "revision": revision},
        )
    )
    return SaveResult(
        revision=revision,
        saved_at=now,
        seconds_remaining=timing.seconds_remaining(session, now),
        grace_remaining=timing.grace_remaining(session, now),
        phase=timing.phase(session, now),
        changed=True,
    )


def save_answer(
    user_id: int,
    session_id: int,
    position: int,
    answer: AnswerInput,
    *,
    base_revision: int,
    max_chars: int,
    max_links: int,
    client_id: str | None = None,
    seq: int = 0,
    now: datetime,
) -> SaveResult:
    """Autosave one answer: revision-checked, refused when too long or too late.

    The lean path (one UPDATE and the event's INSERT) serves every save that is
    accepted; anything else takes the full path, which explains the refusal."""
    normalised = answer.normalised()
    fits = len(normalised.text) <= max_chars and len(normalised.links) <= max_links
    result = fits and _lean_save(
        user_id, session_id, position, normalised, base_revision, client_id, seq, now
    )
    if result:
        db.session.commit()
        return result
    session, answer = _accepted(user_id, session_id, position, answer, max_chars, max_links, now)
    item, changed = _save(session, position, answer, base_revision, client_id, seq, now)
    result = _result(session, item, changed, now)
    db.session.commit()
    return result


# --- the form path (no JavaScript): save, then do what the button asked ----------------


def _switch(session: PracticeSession, to_position: int, now: datetime) -> bool:
    """Move the candidate to another question, crediting time to the one they leave."""
    if to_position == session.current_position:
        return False
    item_at(session, to_position)
    leaving = item_at(session, session.current_position)
    since = session.position_since or session.started_at
    end = min(now, session.deadline_at)
    leaving.time_spent_seconds += max(0, int((end - since).total_seconds()))
    log_event(session, events.SWITCHED, to_position, at=now, from_position=leaving.position)
    session.current_position = to_position
    session.position_since = now
    return True


def _reveal_hint(session: PracticeSession, position: int, now: datetime) -> int:
    item = item_at(session, position)
    hints = item.question_version.hints or []
    if item.hints_revealed < len(hints):
        item.hints_revealed += 1
        # a costed format moves the deadline earlier (issue 18; clamped in the domain)
        charge = timing.charge_hint(session, now)
        item.hint_penalty_seconds = (item.hint_penalty_seconds or 0) + charge
        extra = {"cost_seconds": charge} if charge else {}
        log_event(
            session, events.HINT_REVEALED, position, at=now, hint=item.hints_revealed, **extra
        )
    return item.hints_revealed


@dataclass(frozen=True)
class HintResult:
    """A hint opened in place: its Markdown (None when all were already shown), hints used
    of the question's total, the seconds it took off the deadline, and the session."""

    text: str | None
    used: int
    total: int
    charged: int
    session: PracticeSession


def reveal_hint(user_id: int, session_id: int, position: int, *, now: datetime) -> HintResult:
    """Show the next hint of a question in place (issue 18), moving the deadline earlier
    when the round's format makes hints cost time. Refused when late."""
    session = owned(user_id, session_id)
    item = item_at(session, position)
    if not timing.accepts_writes(session, now):
        raise _refuse_late(session, position, now)
    before, penalty = item.hints_revealed, session.hint_penalty_seconds or 0
    used = _reveal_hint(session, position, now)
    charged = (session.hint_penalty_seconds or 0) - penalty
    hints = item.question_version.hints or []
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("This round changed in another tab; reload and try again.") from None
    text = hints[used - 1] if used > before else None
    return HintResult(text, used, len(hints), charged, session)


def save_and_go(
    user_id: int,
    session_id: int,
    position: int,
    answer: AnswerInput,
    *,
    base_revision: int,
    max_chars: int,
    max_links: int,
    action: str = "save",
    goto: int | None = None,
    client_id: str | None = None,
    seq: int = 0,
    now: datetime,
) -> SaveResult:
    """The answer form: save the answer, then reveal a hint or switch question as asked."""
    session, answer = _accepted(user_id, session_id, position, answer, max_chars, max_links, now)
    item, changed = _save(
        session, position, answer, base_revision, client_id, seq, now, exclusive=True
    )
    try:
        if action == "hint":
            _reveal_hint(session, position, now)
        target = goto if goto is not None else position
        if action in ("hint", "save", "goto") and target != session.current_position:
            _switch(session, target, now)
        result = _result(session, item, changed, now)
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
            SessionEvent.session_id == session_id, SessionEvent.kind == WARNING_SHOWN_KIND
        )
    ).all()
    return sorted({(data or {}).get("seconds_left") for data in rows} - {None})


def record_warning(user_id: int, session_id: int, threshold: int, *, now: datetime) -> bool:
    """Log that the page showed a time warning (once per threshold per session)."""
    if threshold not in WARNING_THRESHOLDS:
        raise InvalidWarning("Unknown warning.")
    session = owned(user_id, session_id)
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
