"""The coach section of a candidate's feedback report (the feedback area's extension point).

`feedback.services.coach_review_for_report(session_id)` delegates here. The report route
has already checked that the signed-in user owns the session.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.clock import utcnow
from app.coach import present, queries
from app.coach.selfscores import self_scores_for
from app.domain import report as report_domain
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


def published_reviews_for_report(session) -> list[report_domain.CoachReviewInput]:
    """The latest *published* revision of each coach review of the session, as report input.

    Drafts and unpublished edits never reach a report or its exports: only frozen
    revision snapshots are read here.
    """
    positions = {item.id: item.position for item in session.items}
    inputs = []
    for review in queries.published_reviews_of_session(session.user_id, session.id):
        if not review.revisions:
            continue
        revision = review.revisions[-1]
        levels, comments, answer_comments = present.coach_values(revision.snapshot)
        inputs.append(
            report_domain.CoachReviewInput(
                coach_name=review.coach.display_name,
                revision=revision.number,
                published_at=revision.published_at,
                levels={
                    (positions[sq], key): level
                    for (sq, key), level in levels.items()
                    if sq in positions
                },
                comments={
                    (positions[sq], key): text
                    for (sq, key), text in comments.items()
                    if sq in positions
                },
                answer_comments={
                    positions[sq]: text for sq, text in answer_comments.items() if sq in positions
                },
                strengths_md=revision.snapshot.get("strengths_md", ""),
                gaps_md=revision.snapshot.get("gaps_md", ""),
                next_steps_md=revision.snapshot.get("next_steps_md", ""),
            )
        )
    return inputs
