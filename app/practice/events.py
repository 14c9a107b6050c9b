"""The session event log that coaches read: one helper, used by every area.

`log_event(session, "hint_revealed", 1, at=now, hint=2)` adds a `SessionEvent` to the
current unit of work; the caller's service commits it with the rest of its use case.
"""

from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.models.practice import PracticeSession, SessionEvent

STARTED = "started"
SAVED = "saved"
SWITCHED = "question_switched"
HINT_REVEALED = "hint_revealed"
WARNING_SHOWN = "warning_shown"
SAVE_REFUSED = "save_refused"
SUBMITTED = "submitted"
AUTO_SUBMITTED = "auto_submitted"
CLOSED = "closed"
CODE_RUN = "code_run"  # a Run of a code question's tests in the browser (coderuns)


def log_event(
    session: PracticeSession,
    kind: str,
    position: int | None = None,
    *,
    at: datetime,
    **data,
) -> SessionEvent:
    """Add an event for `session` to the unit of work (no commit) and return it."""
    if session.id is None:
        db.session.flush()
    event = SessionEvent(
        session_id=session.id,
        kind=kind,
        position=position,
        at=at,
        data=data,
    )
    db.session.add(event)
    return event
