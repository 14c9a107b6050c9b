"""Coach review: coach links, reviews with per-criterion scores, and notifications.

A candidate links a coach with the coach's invite code (`CoachLink`). A coach reviews a
finished session the candidate lets them see (`Review`, one per session and coach): a
level and comment per criterion of each answer (`ReviewScore`), a comment per answer
(`ReviewAnswerComment`) and a summary. The working copy is what the coach edits;
publishing freezes it into a `ReviewRevision` snapshot, and the candidate only ever
reads snapshots, so edits after publishing are versioned and the history is kept.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.models.base import UTCDateTime


class ReviewStatus(StrEnum):
    DRAFT = "draft"  # never published
    PUBLISHED = "published"  # at least one revision published


class CoachLink(db.Model):
    """A candidate chose this coach; deleting the row removes the coach's access at once."""

    __tablename__ = "coach_links"
    __table_args__ = (UniqueConstraint("coach_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    coach = relationship("User", foreign_keys=[coach_id])
    candidate = relationship("User", foreign_keys=[candidate_id])


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("session_id", "coach_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("practice_sessions.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.DRAFT.value, index=True)
    strengths_md: Mapped[str] = mapped_column(Text, default="")
    gaps_md: Mapped[str] = mapped_column(Text, default="")
    next_steps_md: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Number of the latest published revision (0 while a draft).
    published_revision: Mapped[int] = mapped_column(default=0)
    # The working copy differs from the latest published revision.
    has_unpublished_changes: Mapped[bool] = mapped_column(default=False)

    session = relationship("PracticeSession")
    coach = relationship("User")
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewScore.id"
    )
    answer_comments: Mapped[list[ReviewAnswerComment]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewAnswerComment.id"
    )
    revisions: Mapped[list[ReviewRevision]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewRevision.number"
    )

    @property
    def is_published(self) -> bool:
        return self.status == ReviewStatus.PUBLISHED


class ReviewScore(db.Model):
    """The coach's level (and comment) for one criterion of one answer."""

    __tablename__ = "review_scores"
    __table_args__ = (UniqueConstraint("review_id", "session_question_id", "criterion_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    session_question_id: Mapped[int] = mapped_column(ForeignKey("session_questions.id"))
    criterion_key: Mapped[str] = mapped_column(String(60))
    level: Mapped[int | None]
    comment_md: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")


class ReviewAnswerComment(db.Model):
    __tablename__ = "review_answer_comments"
    __table_args__ = (UniqueConstraint("review_id", "session_question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    session_question_id: Mapped[int] = mapped_column(ForeignKey("session_questions.id"))
    comment_md: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="answer_comments")


class ReviewRevision(db.Model):
    """A published version of a review, frozen.

    `snapshot` = {"strengths_md", "gaps_md", "next_steps_md",
    "scores": [{"session_question_id", "criterion_key", "level", "comment_md"}],
    "answer_comments": [{"session_question_id", "comment_md"}]}
    """

    __tablename__ = "review_revisions"
    __table_args__ = (UniqueConstraint("review_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    number: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)

    review: Mapped[Review] = relationship(back_populates="revisions")


class NotificationKind(StrEnum):
    SESSION_TO_REVIEW = "session_to_review"  # to a coach
    CANDIDATE_LINKED = "candidate_linked"  # to a coach
    NEW_REVIEW = "new_review"  # to a candidate
    REVIEW_UPDATED = "review_updated"  # to a candidate


NOTIFICATION_MESSAGE_MAX = 300


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(NOTIFICATION_MESSAGE_MAX))
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When it was emailed (users who opted in; see app/coach/emails.py); None: not (yet).
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
