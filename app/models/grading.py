"""A model's suggested levels for one answer (issue 13, optional): `ModelSuggestion`.

One row per session question, written by the grading job (`app.learning.grading`) once
it has an outcome: `status` "suggested" with `levels` ({criterion key: {"level",
"rationale", "quote"}} on the scale of the rubric version the round pinned), or "none"
with the `reason` (invalid replies twice, the server unreachable…). The prompt sent and
every raw reply are kept for coaches and admins. The candidate's own self-score is never
changed by it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db
from app.models.base import UTCDateTime


class SuggestionStatus(StrEnum):
    SUGGESTED = "suggested"
    NONE = "none"  # no suggestion: `reason` says why


class ModelSuggestion(db.Model):
    __tablename__ = "model_suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_question_id: Mapped[int] = mapped_column(
        ForeignKey("session_questions.id", ondelete="CASCADE"), unique=True
    )
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(300), default="")
    levels: Mapped[dict] = mapped_column(JSON, default=dict)
    model: Mapped[str] = mapped_column(String(200), default="")
    prompt: Mapped[list] = mapped_column(JSON, default=list)  # the messages sent
    raw_replies: Mapped[list] = mapped_column(JSON, default=list)  # one text per attempt
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_suggested(self) -> bool:
        return self.status == SuggestionStatus.SUGGESTED.value

    def level_for(self, criterion_key: str) -> dict | None:
        """{"level", "rationale", "quote"} for one criterion, or None."""
        return (self.levels or {}).get(criterion_key) if self.is_suggested else None
