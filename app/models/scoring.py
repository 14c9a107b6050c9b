"""Self-scoring against pinned rubric versions, and the practise-next schedule.

- `SelfAssessment`: one per practice session; the overall reflection, when scoring
  finished, and (written once, at finish) the score summary the progress page charts
  and the practise-next list as it stood then, so a report never changes afterwards.
- `SelfScore`: one per session question and rubric criterion key; the chosen level on
  the criterion's scale of the rubric version the session pinned, and an optional note.
- `PracticeScheduleItem`: the spaced-repetition state (SM-2) of one criterion or skill
  area for one user; see `app.domain.scheduling`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.models.base import UTCDateTime


class SelfAssessment(db.Model):
    __tablename__ = "self_assessments"
    __table_args__ = (
        # progress: a candidate's latest scored rounds
        Index("ix_self_assessments_user_completed", "user_id", "completed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("practice_sessions.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reflection: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Written once when scoring is finished (see app.learning.scoring.save_scoring):
    # {"overall": float|None, "skills": {key: float}, "criteria": {key: float}}
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    overall_score: Mapped[float | None] = mapped_column(Float)
    # The practise-next list as it stood when scoring finished (the report shows it).
    practise_next: Mapped[dict] = mapped_column(JSON, default=dict)

    session = relationship("PracticeSession")
    scores: Mapped[list[SelfScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="SelfScore.id"
    )

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class SelfScore(db.Model):
    """A candidate's level for one criterion of one session question (pinned rubric version)."""

    __tablename__ = "self_scores"
    __table_args__ = (UniqueConstraint("session_question_id", "criterion_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("self_assessments.id"), index=True)
    session_question_id: Mapped[int] = mapped_column(ForeignKey("session_questions.id"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    criterion_key: Mapped[str] = mapped_column(String(60))
    level: Mapped[int | None]  # None: left unscored (a note may still be there)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assessment: Mapped[SelfAssessment] = relationship(back_populates="scores")


class ScheduleItemKind(StrEnum):
    CRITERION = "criterion"
    SKILL = "skill"


class PracticeScheduleItem(db.Model):
    """SM-2 state of one criterion or skill area for one user."""

    __tablename__ = "practice_schedule"
    __table_args__ = (UniqueConstraint("user_id", "kind", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # ScheduleItemKind
    item_key: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200), default="")
    repetitions: Mapped[int] = mapped_column(default=0)
    ease: Mapped[float] = mapped_column(Float, default=2.5)
    interval_days: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_grade: Mapped[int | None]
    last_score: Mapped[float | None] = mapped_column(Float)
    recent_score: Mapped[float | None] = mapped_column(Float)  # recency-weighted mean (0-100)
    reviews: Mapped[int] = mapped_column(default=0)
    last_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
