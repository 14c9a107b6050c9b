"""The coach section of a candidate's feedback report (the feedback area's extension point).

`feedback.services.coach_review_for_report(session_id)` delegates here. The report route
has already checked that the signed-in user owns the session.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.clock import utcnow
from app.coach import present, queries
from app.coach.selfscores import self_scores_for
from app.extensions import db
from app.models.practice import PracticeSession


@dataclass
class ReviewEntry:
    review: object  # Review
    revision: object  # its latest ReviewRevision
    view: present.SessionLogView  # the session with the coach's published scores


@dataclass
class CoachSection:
    entries: list[ReviewEntry]
    trends: list  # calibration across the candidate's reviewed sessions


def coach_review_for_report(session_id: int) -> CoachSection | None:
    """Published coach reviews of the session with calibration, or None when there are none."""
    session = db.session.get(PracticeSession, session_id)
    if session is None:
        return None
    reviews = queries.published_reviews_of_session(session.user_id, session_id)
    if not reviews:
        return None
    history = queries.reviewed_sessions(session.user_id)
    selfs = self_scores_for([r.session_id for r in history] + [session_id])
    now = utcnow()
    entries = [
        ReviewEntry(
            review=review,
            revision=review.revisions[-1],
            view=present.session_log(
                session, selfs.get(session_id), now, review.revisions[-1].snapshot
            ),
        )
        for review in reviews
    ]
    return CoachSection(entries=entries, trends=present.trends(history, selfs))
