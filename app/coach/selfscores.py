"""The candidate's self-scores, as the coach pages need them.

The one place that reads the feedback area's self-scoring models, so the coach pages do
not depend on how they are stored. Until those models land, sessions have no
self-scores and the pages say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SelfScores:
    levels: dict[tuple[int, str], int] = field(default_factory=dict)  # (question id, criterion)
    notes: dict[tuple[int, str], str] = field(default_factory=dict)
    reflection: str = ""
    finished: bool = False

    @property
    def any(self) -> bool:
        return bool(self.levels) or bool(self.reflection)


def self_scores_for(session_ids: list[int]) -> dict[int, SelfScores]:
    """Self-scores per session id (sessions without any are absent)."""
    return {}
