"""Coach review use cases: linking, sharing, notifications, drafting and publishing reviews.

Each public function that changes something is one transaction (one commit). Reads
live in `app.coach.queries`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.models import audit
from app.models.practice import PracticeSession
from app.models.review import (
    NOTIFICATION_MESSAGE_MAX,
    CoachLink,
    Notification,
    NotificationKind,
    Review,
    ReviewAnswerComment,
    ReviewRevision,
    ReviewScore,
    ReviewStatus,
)
from app.models.users import Role, User

# Unambiguous characters (no 0/O, 1/I/L): easy to read out and to type.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
SHARING_MODES = ("all", "selected")


class CoachError(ValueError):
    """A use case refused its input; the message is safe to show next to `field`."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(LookupError):
    """The thing does not exist or is not the caller's: the route answers 404."""


# --- invite codes and links ----------------------------------------------------------


def new_invite_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str | None) -> str:
    """What a candidate typed, as stored: upper case, "XXXX-XXXX"; spaces and dashes ignored."""
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(raw) != CODE_LENGTH:
        return raw
    return f"{raw[:4]}-{raw[4:]}"


def rotate_invite_code(coach_id: int) -> str:
    """Give the coach a new invite code; the old code and link stop working at once."""
    coach = db.session.get(User, coach_id)
    if coach is None or coach.role != Role.COACH:
        raise NotFound(coach_id)
    code = new_invite_code()
    while db.session.scalar(select(User.id).where(User.invite_code == code)) is not None:
        code = new_invite_code()  # pragma: no cover - 31^8 codes, a clash is vanishingly rare
    had_code = coach.invite_code is not None
    coach.invite_code = code
    audit.record(
        "coach.invite_rotate" if had_code else "coach.invite_create",
        actor_id=coach_id,
        target_type="user",
        target_id=coach_id,
    )
    db.session.commit()
    return code


def coach_for_code(code: str) -> User | None:
    """The active coach whose invite code this is, or None."""
    normalised = normalise_code(code)
    if len(normalised) != CODE_LENGTH + 1:
        return None
    return db.session.scalar(
        select(User).where(
            User.invite_code == normalised, User.role == Role.COACH.value, User.active.is_(True)
        )
    )


@dataclass(frozen=True)
class LinkResult:
    coach: User
    created: bool


def link_coach(candidate_id: int, code: str, *, now: datetime, ip: str | None = None) -> LinkResult:
    """Link the coach whose invite code this is to the candidate (idempotent)."""
    coach = coach_for_code(code)
    if coach is None:
        raise CoachError(
            "No coach has this invite code. Check it with your coach; codes look like ABCD-2345.",
            "code",
        )
    if coach.id == candidate_id:
        raise CoachError("This is your own invite code; share it with your candidates.", "code")
    candidate = db.session.get(User, candidate_id)
    if not candidate.is_verified:
        raise CoachError(
            "Confirm your email address first: open the link we emailed you "
            "(Settings can send it again). Then link your coach.",
            "code",
        )
    existing = db.session.scalar(
        select(CoachLink).where(
            CoachLink.coach_id == coach.id, CoachLink.candidate_id == candidate_id
        )
    )
    if existing is not None:
        return LinkResult(coach, created=False)
    db.session.add(CoachLink(coach_id=coach.id, candidate_id=candidate_id, created_at=now))
    notify(
        coach.id,
        NotificationKind.CANDIDATE_LINKED,
        f"{candidate.display_name} linked you as their coach.",
        _path("coach.candidate", candidate_id=candidate_id),
        now=now,
    )
    audit.record("coach.link", actor_id=candidate_id, target_type="user", target_id=coach.id, ip=ip)
    db.session.commit()
    return LinkResult(coach, created=True)


def unlink_coach(candidate_id: int, coach_id: int, *, ip: str | None = None) -> User:
    """The candidate removes a coach; the coach loses access at once."""
    link = _link(coach_id, candidate_id)
    coach = link.coach
    db.session.delete(link)
    audit.record(
        "coach.unlink", actor_id=candidate_id, target_type="user", target_id=coach_id, ip=ip
    )
    db.session.commit()
    return coach


def remove_candidate(coach_id: int, candidate_id: int, *, ip: str | None = None) -> User:
    """The coach stops coaching a candidate; their sessions disappear from the coach's pages."""
    link = _link(coach_id, candidate_id)
    candidate = link.candidate
    db.session.delete(link)
    audit.record(
        "coach.remove_candidate",
        actor_id=coach_id,
        target_type="user",
        target_id=candidate_id,
        ip=ip,
    )
    db.session.commit()
    return candidate


def _link(coach_id: int, candidate_id: int) -> CoachLink:
    link = db.session.scalar(
        select(CoachLink).where(
            CoachLink.coach_id == coach_id, CoachLink.candidate_id == candidate_id
        )
    )
    if link is None:
        raise NotFound((coach_id, candidate_id))
    return link


# --- sharing ---------------------------------------------------------------------------


def set_sharing(candidate_id: int, mode: str) -> None:
    """Share all finished sessions with linked coaches, or only the ones selected."""
    if mode not in SHARING_MODES:
        raise CoachError("Choose all sessions or selected sessions only.", "mode")
    user = db.session.get(User, candidate_id)
    user.coach_sharing = mode
    db.session.commit()


def set_session_shared(
    candidate_id: int, session_id: int, shared: bool, *, now: datetime
) -> PracticeSession:
    """Mark one of the candidate's sessions as shared (or not) with their coaches."""
    session = db.session.get(PracticeSession, session_id)
    if session is None or session.user_id != candidate_id:
        raise NotFound(session_id)
    if session.shared_with_coaches == shared:
        return session
    session.shared_with_coaches = shared
    owner = db.session.get(User, candidate_id)
    if shared and owner.coach_sharing == "selected" and session.is_finished:
        notify_session_to_review(session, now=now)
    db.session.commit()
    return session


# --- notifications ---------------------------------------------------------------------


def _path(endpoint: str, **values) -> str:
    """A local URL path, with or without a request (the sweep command has none)."""
    return current_app.url_map.bind("").build(endpoint, values)


def notify(user_id: int, kind: str, message: str, link: str = "", *, now: datetime) -> Notification:
    """Add a notification to the current unit of work (the calling service commits)."""
    item = Notification(
        user_id=user_id,
        kind=str(kind),
        message=message[:NOTIFICATION_MESSAGE_MAX],
        link=link,
        created_at=now,
    )
    db.session.add(item)
    return item


def mark_notification_read(user_id: int, notification_id: int, *, now: datetime) -> Notification:
    """Mark one of the user's notifications read; returns it (for its link)."""
    item = db.session.get(Notification, notification_id)
    if item is None or item.user_id != user_id:
        raise NotFound(notification_id)
    if item.read_at is None:
        item.read_at = now
    db.session.commit()
    return item


def mark_all_notifications_read(user_id: int, *, now: datetime) -> int:
    """Mark every unread notification of the user read; returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
    db.session.commit()
    return result.rowcount or 0


def notify_session_to_review(session: PracticeSession, *, now: datetime) -> None:
    """Tell every coach who can see this finished session that it awaits review (no commit:
    called when the candidate shares it, and when one of their rounds finishes)."""
    owner = session.user or db.session.get(User, session.user_id)
    if owner.coach_sharing == "selected" and not session.shared_with_coaches:
        return
    with db.session.no_autoflush:
        coach_ids = db.session.scalars(
            select(CoachLink.coach_id).where(CoachLink.candidate_id == session.user_id)
        ).all()
        stage = session.stage.name if session.stage is not None else session.stage_key
    for coach_id in coach_ids:
        notify(
            coach_id,
            NotificationKind.SESSION_TO_REVIEW,
            f"New session to review: {owner.display_name}, {stage}.",
            _path("coach.session_log", session_id=session.id),
            now=now,
        )


# --- reviews ---------------------------------------------------------------------------


@dataclass
class ReviewInput:
    """What the coach entered: levels and comments keyed by (session question id, criterion)."""

    levels: dict[tuple[int, str], int | None] = field(default_factory=dict)
    comments: dict[tuple[int, str], str] = field(default_factory=dict)
    answer_comments: dict[int, str] = field(default_factory=dict)
    strengths_md: str = ""
    gaps_md: str = ""
    next_steps_md: str = ""


def _review_for(coach_id: int, session: PracticeSession, now: datetime) -> Review:
    review = db.session.scalar(
        select(Review).where(Review.session_id == session.id, Review.coach_id == coach_id)
    )
    if review is None:
        review = Review(
            session_id=session.id,
            coach_id=coach_id,
            status=ReviewStatus.DRAFT.value,
            published_revision=0,
            has_unpublished_changes=False,
            created_at=now,
        )
        db.session.add(review)
    return review


def _apply(review: Review, session: PracticeSession, values: ReviewInput, now: datetime) -> None:
    allowed = {
        (item.id, c["key"]): {lv["value"] for lv in c.get("levels", [])}
        for item in session.items
        for c in item.rubric_version.criteria
    }
    item_ids = {item.id for item in session.items}
    scores = {(s.session_question_id, s.criterion_key): s for s in review.scores}
    for key in set(values.levels) | set(values.comments):
        if key not in allowed:
            raise CoachError("That criterion is not part of this session's rubric.")
        level = values.levels.get(key)
        if level is not None and level not in allowed[key]:
            raise CoachError("Pick one of the rubric's levels.")
        comment = (values.comments.get(key) or "").strip()
        score = scores.get(key)
        if score is None:
            if level is None and not comment:
                continue
            score = ReviewScore(session_question_id=key[0], criterion_key=key[1])
            review.scores.append(score)
        score.level = level
        score.comment_md = comment
    comments = {c.session_question_id: c for c in review.answer_comments}
    for item_id, text in values.answer_comments.items():
        if item_id not in item_ids:
            raise CoachError("That answer is not part of this session.")
        text = (text or "").strip()
        comment = comments.get(item_id)
        if comment is None:
            if not text:
                continue
            comment = ReviewAnswerComment(session_question_id=item_id)
            review.answer_comments.append(comment)
        comment.comment_md = text
    review.strengths_md = values.strengths_md.strip()
    review.gaps_md = values.gaps_md.strip()
    review.next_steps_md = values.next_steps_md.strip()
    review.updated_at = now


def snapshot(review: Review) -> dict:
    """The review's working copy as plain data (what a revision freezes)."""
    return {
        "strengths_md": review.strengths_md,
        "gaps_md": review.gaps_md,
        "next_steps_md": review.next_steps_md,
        "scores": sorted(
            (
                {
                    "session_question_id": s.session_question_id,
                    "criterion_key": s.criterion_key,
                    "level": s.level,
                    "comment_md": s.comment_md,
                }
                for s in review.scores
                if s.level is not None or s.comment_md
            ),
            key=lambda s: (s["session_question_id"], s["criterion_key"]),
        ),
        "answer_comments": sorted(
            (
                {"session_question_id": c.session_question_id, "comment_md": c.comment_md}
                for c in review.answer_comments
                if c.comment_md
            ),
            key=lambda c: c["session_question_id"],
        ),
    }


def _is_empty(snap: dict) -> bool:
    return not (
        snap["scores"]
        or snap["answer_comments"]
        or snap["strengths_md"]
        or snap["gaps_md"]
        or snap["next_steps_md"]
    )


def save_draft(
    coach_id: int, session: PracticeSession, values: ReviewInput, *, now: datetime
) -> Review:
    """Save what the coach has entered so far (the working copy; the candidate sees nothing)."""
    review = _review_for(coach_id, session, now)
    _apply(review, session, values, now)
    if review.is_published:
        review.has_unpublished_changes = snapshot(review) != review.revisions[-1].snapshot
    db.session.commit()
    return review


def publish(
    coach_id: int,
    session: PracticeSession,
    values: ReviewInput | None = None,
    *,
    now: datetime,
    ip: str | None = None,
) -> ReviewRevision:
    """Publish the working copy as a new revision the candidate can read, and tell them."""
    review = _review_for(coach_id, session, now)
    if values is not None:
        _apply(review, session, values, now)
    snap = snapshot(review)
    if _is_empty(snap):
        db.session.rollback()
        raise CoachError("Score a criterion or write a comment or summary before publishing.")
    if review.revisions and review.revisions[-1].snapshot == snap:
        db.session.rollback()
        raise CoachError(
            f"Nothing changed since revision {review.published_revision}; nothing was published."
        )
    number = review.published_revision + 1
    revision = ReviewRevision(number=number, published_at=now, snapshot=snap)
    review.revisions.append(revision)
    review.status = ReviewStatus.PUBLISHED.value
    review.published_revision = number
    review.published_at = now
    review.has_unpublished_changes = False
    db.session.flush()
    coach = db.session.get(User, coach_id)
    stage = session.stage.name if session.stage is not None else session.stage_key
    notify(
        session.user_id,
        NotificationKind.NEW_REVIEW if number == 1 else NotificationKind.REVIEW_UPDATED,
        (
            f"New review from {coach.display_name} on your {stage} round."
            if number == 1
            else f"{coach.display_name} updated their review of your {stage} round."
        ),
        _path("coaching.review", review_id=review.id),
        now=now,
    )
    audit.record(
        "review.publish",
        actor_id=coach_id,
        target_type="review",
        target_id=review.id,
        ip=ip,
        session_id=session.id,
        revision=number,
    )
    db.session.commit()
    return revision
