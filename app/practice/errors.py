"""Practice refusals and the plain values its use cases take and return.

Every error's message is safe to show to the candidate; routes map the classes to
status codes (`NotFound` 404, `SaveRefused.status` for saves).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.models.practice import LoopRun, PracticeSession

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
    """Over ANSWER_MAX_CHARS (or ANSWER_MAX_LINKS links): refused whole, never cut."""

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


class InvalidWarning(PracticeError):
    """Only the 5- and 1-minute warnings are logged."""


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
