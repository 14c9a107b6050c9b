"""Practice: timed sessions, their pinned questions and answers, the event log, loop runs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.config import DEFAULT_GRACE_SECONDS
from app.extensions import db
from app.models.base import UTCDateTime


class SessionStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"  # by the candidate
    AUTO_SUBMITTED = "auto_submitted"  # time ran out, policy auto_submit
    CLOSED = "closed"  # time ran out, policy grace_then_close

    @property
    def finished(self) -> bool:
        return self is not SessionStatus.IN_PROGRESS


class PracticeSession(db.Model):
    __tablename__ = "practice_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    round_format_id: Mapped[int] = mapped_column(ForeignKey("round_formats.id"))
    stage_key: Mapped[str] = mapped_column(ForeignKey("stages.key"), index=True)
    loop_run_id: Mapped[int | None] = mapped_column(ForeignKey("loop_runs.id"), index=True)
    loop_position: Mapped[int | None]
    status: Mapped[str] = mapped_column(
        String(20), default=SessionStatus.IN_PROGRESS.value, index=True
    )
    # The server is the clock. Pinned from the round format at start.
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    grace_seconds: Mapped[int] = mapped_column(default=DEFAULT_GRACE_SECONDS)
    expiry_policy: Mapped[str] = mapped_column(String(20), default="auto_submit")
    is_take_home: Mapped[bool] = mapped_column(default=False)
    # Extra time (issue 18): the candidate's multiplier pinned at start; the deadline
    # already includes it, so a later change of the multiplier never moves a running round.
    time_multiplier: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    # An untimed drill: no countdown is the point, the deadline is only the upper bound
    # (the take-home window) after which the sweep closes it.
    untimed: Mapped[bool] = mapped_column(default=False, server_default=false())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The coach queue's sort key, stored so it can be indexed: when the round finished, or
    # its deadline while none is recorded (coalesce(finished_at, deadline_at)). Kept up to
    # date on every ORM insert and update (see `_keep_queued_at`); backfilled by 0006.
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Visible to linked coaches when the candidate shares "selected" sessions only.
    shared_with_coaches: Mapped[bool] = mapped_column(default=False)
    current_position: Mapped[int] = mapped_column(default=0)  # question on screen
    # since when the current question has been on screen (time per question)
    position_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)  # optimistic lock for state changes
    # follow-ups each question may reveal, pinned from the round format at start (issue
    # 13); 0 for rounds started before follow-ups existed, which therefore show none
    follow_up_limit: Mapped[int] = mapped_column(default=0, server_default="0")
    # Hint cost (issue 18): the seconds one hint takes off the deadline, pinned at start
    # from the format (x the extra-time multiplier; 0 for untimed drills), and the seconds
    # the hints opened so far actually took (each charge clamped, app.domain.timing).
    hint_cost_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    hint_penalty_seconds: Mapped[int] = mapped_column(default=0, server_default="0")

    items: Mapped[list[SessionQuestion]] = relationship(
        back_populates="session", order_by="SessionQuestion.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[SessionEvent]] = relationship(
        back_populates="session", order_by="SessionEvent.id", cascade="all, delete-orphan"
    )
    round_format = relationship("RoundFormat")
    stage = relationship("Stage")
    user = relationship("User")

    __mapper_args__ = {"version_id_col": version}
    # At most one timed round and one take-home open per candidate, enforced by the
    # database too (two simultaneous "start" clicks cannot both win).
    __table_args__ = (
        Index(
            "uq_practice_sessions_one_open",
            "user_id",
            "is_take_home",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
        # the coach queue: oldest first, per linked candidate and overall
        Index("ix_practice_sessions_queued", "queued_at", "id"),
        Index("ix_practice_sessions_user_queued", "user_id", "queued_at", "id"),
        # the dashboard's recent rounds and practice history, newest first
        Index("ix_practice_sessions_user_started", "user_id", "started_at", "id"),
        # progress: a candidate's finished rounds, newest first
        Index("ix_practice_sessions_user_finished", "user_id", "finished_at", "id"),
    )

    @property
    def is_finished(self) -> bool:
        return self.status != SessionStatus.IN_PROGRESS


@event.listens_for(PracticeSession, "before_insert")
@event.listens_for(PracticeSession, "before_update")
def _keep_queued_at(mapper, connection, target: PracticeSession) -> None:
    """Write the queue's sort key wherever finished_at or deadline_at is written."""
    queued_at = target.finished_at or target.deadline_at
    if target.queued_at != queued_at:
        target.queued_at = queued_at


class SessionQuestion(db.Model):
    """One question of a session, pinned to the question and rubric versions, with its answer."""

    __tablename__ = "session_questions"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("practice_sessions.id"), index=True)
    position: Mapped[int]
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    # The answer (last saved draft; final once the session is finished).
    answer_text: Mapped[str] = mapped_column(Text, default="")
    answer_number: Mapped[float | None] = mapped_column(Float)
    answer_unit: Mapped[str | None] = mapped_column(String(40))
    answer_links: Mapped[list] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(default=0)  # bumped by every accepted save
    # The browser tab that wrote the last save and its save counter: a tab's own saves
    # never conflict with each other (only another tab's or device's do).
    client_id: Mapped[str | None] = mapped_column(String(40))
    client_seq: Mapped[int] = mapped_column(default=0)
    hints_revealed: Mapped[int] = mapped_column(default=0)
    # seconds this question's hints took off the round's deadline (issue 18)
    hint_penalty_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    time_spent_seconds: Mapped[int] = mapped_column(default=0)
    # Code answers: {"examples": run, "hidden": run}, the latest run of each set as the
    # candidate's browser reported it (app.practice.coderuns); None until a Run.
    code_results: Mapped[dict | None] = mapped_column(JSON)

    session: Mapped[PracticeSession] = relationship(back_populates="items")
    follow_up_answers: Mapped[list[FollowUpAnswer]] = relationship(
        back_populates="item", order_by="FollowUpAnswer.number", cascade="all, delete-orphan"
    )
    question = relationship("Question")
    question_version = relationship("QuestionVersion")
    rubric_version = relationship("RubricVersion")

    @property
    def is_answered(self) -> bool:
        return (
            bool(self.answer_text.strip())
            or self.answer_number is not None
            or bool(self.answer_links)
        )


class FollowUpAnswer(db.Model):
    """A follow-up the round revealed for one question, and the candidate's answer to it.

    `prompt` is the follow-up as shown, copied from the pinned question version, so the
    report shows what the candidate saw whatever later happens to the bank. Saved like
    the main answer: revision-checked, this tab's own saves never conflict.
    """

    __tablename__ = "follow_up_answers"
    __table_args__ = (UniqueConstraint("session_question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_question_id: Mapped[int] = mapped_column(ForeignKey("session_questions.id"), index=True)
    number: Mapped[int]  # 1-based, in the order the version lists them
    prompt: Mapped[str] = mapped_column(Text)
    revealed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reveal_reason: Mapped[str] = mapped_column(String(8))  # "done" or "time"
    answer_text: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=0)
    client_id: Mapped[str | None] = mapped_column(String(40))
    client_seq: Mapped[int] = mapped_column(default=0)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    item: Mapped[SessionQuestion] = relationship(back_populates="follow_up_answers")


class SessionEvent(db.Model):
    """The session log coaches read: started, saved, switched, warned, submitted, scored..."""

    __tablename__ = "session_events"
    # a round's events by kind (its few warnings among an event per autosave), and all of
    # them by session_id alone (migration 0018)
    __table_args__ = (Index("ix_session_events_session_id_kind", "session_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("practice_sessions.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    position: Mapped[int | None]  # which question, when it concerns one
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    session: Mapped[PracticeSession] = relationship(back_populates="events")


class LoopRun(db.Model):
    """A candidate's pass through a loop plan."""

    __tablename__ = "loop_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("loop_plans.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, finished, abandoned
    # "scheduled" (each step's gap) or "back_to_back" (app.domain.loops.PACES), issue 18
    pace: Mapped[str] = mapped_column(String(16), default="scheduled", server_default="scheduled")
    note: Mapped[str] = mapped_column(Text, default="")

    plan = relationship("LoopPlan")
    sessions: Mapped[list[PracticeSession]] = relationship(order_by="PracticeSession.loop_position")
