"""The coach section of a candidate's feedback report, in learning's one input shape.

`for_report(session, now) -> app.learning.report.CoachInput` is registered by the app
factory (`app.learning.wiring.configure`), so learning shows coach reviews without
importing the coach area. The report route has already checked that the signed-in user
owns the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.coach import present, queries
from app.coach.selfscores import self_scores_for
from app.domain import report as report_domain
from app.learning.report import CoachInput
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


def for_report(session: PracticeSession, now: datetime) -> CoachInput:
    """The session's published coach reviews, as report input and as the page's section."""
    reviews = [
        r for r in queries.published_reviews_of_session(session.user_id, session.id) if r.revisions
    ]
    if not reviews:
        return CoachInput()
    return CoachInput(
        reviews=tuple(_report_input(session, review) for review in reviews),
        section=_section(session, reviews, now),
    )


def _section(session: PracticeSession, reviews: list, now: datetime) -> CoachSection:
    """Each published review with its scores beside the self-scores, and calibration."""
    history = queries.reviewed_sessions(session.user_id)
    selfs = self_scores_for([r.session_id for r in history] + [session.id])
    entries = [
        ReviewEntry(
            review=review,
            revision=review.revisions[-1],
            view=present.session_log(
                session, selfs.get(session.id), now, review.revisions[-1].snapshot
            ),
        )
        for review in reviews
    ]
    return CoachSection(entries=entries, trends=present.trends(history, selfs))


def _report_input(session: PracticeSession, review) -> report_domain.CoachReviewInput:
    """The latest *published* revision of a coach review, keyed by question position.

    Drafts and unpublished edits never reach a report or its exports: only frozen
    revision snapshots are read here.
    """
    positions = {item.id: item.position for item in session.items}
    revision = review.revisions[-1]
    levels, comments, answer_comments = present.coach_values(revision.snapshot)
    return report_domain.CoachReviewInput(
        coach_name=review.coach.display_name,
        revision=revision.number,
        published_at=revision.published_at,
        levels={
            (positions[sq], key): level for (sq, key), level in levels.items() if sq in positions
        },
        comments={
            (positions[sq], key): text for (sq, key), text in comments.items() if sq in positions
        },
        answer_comments={
            positions[sq]: text for sq, text in answer_comments.items() if sq in positions
        },
        strengths_md=revision.snapshot.get("strengths_md", ""),
        gaps_md=revision.snapshot.get("gaps_md", ""),
        next_steps_md=revision.snapshot.get("next_steps_md", ""),
    )
