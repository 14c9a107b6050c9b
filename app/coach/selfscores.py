"""The candidate's self-scores, as the coach pages need them.

The one place that reads the feedback area's self-scoring models (`SelfAssessment`,
`SelfScore`), so the coach pages do not depend on how they are stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.scoring import SelfAssessment


@dataclass
class SelfScores:
    levels: dict[tuple[int, str], int] = field(default_factory=dict)  # (question id, criterion)
    notes: dict[tuple[int, str], str] = field(default_factory=dict)
    reflection: str = ""
    finished: bool = False
    overall: float | None = None  # the report's overall score, written when scoring finished

    @property
    def any(self) -> bool:
        return bool(self.levels) or bool(self.reflection)


def self_scores_for(session_ids: list[int]) -> dict[int, SelfScores]:
    """Self-scores per session id (sessions the candidate has not started scoring are absent).

    Scoring still in progress is included and marked `finished=False`.
    """
    if not session_ids:
        return {}
    assessments = db.session.scalars(
        select(SelfAssessment)
        .where(SelfAssessment.session_id.in_(set(session_ids)))
        .options(selectinload(SelfAssessment.scores))
    )
    return {
        a.session_id: SelfScores(
            levels={
                (s.session_question_id, s.criterion_key): s.level
                for s in a.scores
                if s.level is not None
            },
            notes={(s.session_question_id, s.criterion_key): s.note for s in a.scores if s.note},
            reflection=a.reflection or "",
            finished=a.completed_at is not None,
            overall=a.overall_score if a.completed_at is not None else None,
        )
        for a in assessments
    }
