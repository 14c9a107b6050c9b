"""Delete an account: the person's data goes, the row stays as an empty tombstone.

Removed: the rounds with their answers, events, self-scores and reports, the reviews
coaches wrote *of those rounds*, the schedule, loop runs, coach links (both ways),
notifications, and the account's email, name, password, invite code and choices. Kept:
reviews the user published as a coach (their candidates still read them, signed "a
former coach"), bank versions they authored, and the audit log, with the user's
address and IPs scrubbed from their events. The row keeps its id so those references
still hold; it can never sign in again (no password, inactive, new session token).
"""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select

from app.accounts.passwords import verify_password
from app.accounts.services import AccountError
from app.bank import stats as item_stats
from app.clock import utcnow
from app.extensions import db
from app.learning.grading import KIND as GRADING_KIND
from app.models import audit
from app.models.audit import AuditEvent
from app.models.grading import ModelSuggestion
from app.models.jobs import Job
from app.models.practice import LoopRun, PracticeSession, SessionEvent, SessionQuestion
from app.models.review import (
    CoachLink,
    Notification,
    Review,
    ReviewAnswerComment,
    ReviewRevision,
    ReviewScore,
    ReviewStatus,
)
from app.models.scoring import PracticeScheduleItem, SelfAssessment, SelfScore
from app.models.signins import SignIn
from app.models.signups import SignUpRequest
from app.models.users import Role, User

FORMER_COACH = "a former coach"
FORMER_USER = "a deleted account"


class UnknownAccount(AccountError):
    """No such (live) account."""


def _live_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted:
        raise UnknownAccount("There is no such account.")
    return user


def _guard_last_admin(user: User) -> None:
    if user.role != Role.ADMIN.value or not user.active:
        return
    admins = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN.value, User.active, User.deleted_at.is_(None))
    )
    if admins <= 1:
        raise AccountError(
            "This is the last active admin account; make someone else an admin first.",
            "password",
        )


def _erase(user: User) -> dict[str, int]:
    """Delete the user's rows and empty the account row; returns counts (no commit)."""
    uid = user.id
    sessions = select(PracticeSession.id).where(PracticeSession.user_id == uid)
    items = select(SessionQuestion.id).where(SessionQuestion.session_id.in_(sessions))
    reviews_of_mine = select(Review.id).where(Review.session_id.in_(sessions))
    # A coach's unpublished drafts are theirs alone: they go too.
    my_drafts = select(Review.id).where(
        Review.coach_id == uid, Review.status == ReviewStatus.DRAFT.value
    )
    doomed_reviews = or_(Review.id.in_(reviews_of_mine), Review.id.in_(my_drafts))
    doomed_review_ids = select(Review.id).where(doomed_reviews)
    counts = {
        "rounds": db.session.scalar(select(func.count()).select_from(sessions.subquery())),
    }
    steps = [
        delete(ReviewScore).where(
            or_(
                ReviewScore.review_id.in_(doomed_review_ids),
                ReviewScore.session_question_id.in_(items),
            )
        ),
        delete(ReviewAnswerComment).where(
            or_(
                ReviewAnswerComment.review_id.in_(doomed_review_ids),
                ReviewAnswerComment.session_question_id.in_(items),
            )
        ),
        delete(ReviewRevision).where(ReviewRevision.review_id.in_(doomed_review_ids)),
        delete(Review).where(doomed_reviews),
        delete(SelfScore).where(
            or_(
                SelfScore.session_question_id.in_(items),
                SelfScore.assessment_id.in_(
                    select(SelfAssessment.id).where(SelfAssessment.user_id == uid)
                ),
            )
        ),
        delete(SelfAssessment).where(
            or_(SelfAssessment.user_id == uid, SelfAssessment.session_id.in_(sessions))
        ),
        delete(SessionEvent).where(SessionEvent.session_id.in_(sessions)),
        # the optional model's suggestions (prompt and replies hold the answer) and jobs
        delete(ModelSuggestion).where(ModelSuggestion.session_question_id.in_(items)),
        delete(Job).where(Job.kind == GRADING_KIND, Job.ref_id.in_(items)),
        delete(SessionQuestion).where(SessionQuestion.session_id.in_(sessions)),
        delete(PracticeSession).where(PracticeSession.user_id == uid),
        delete(LoopRun).where(LoopRun.user_id == uid),
        delete(PracticeScheduleItem).where(PracticeScheduleItem.user_id == uid),
        delete(CoachLink).where(or_(CoachLink.coach_id == uid, CoachLink.candidate_id == uid)),
        delete(Notification).where(Notification.user_id == uid),
        delete(SignIn).where(SignIn.user_id == uid),  # its sign-ins (devices, addresses) too
        delete(SignUpRequest).where(SignUpRequest.email == user.email),  # a try since
    ]
    item_stats.uncount_rounds_of(uid)  # the bank's counters lose these rounds, in this transaction
    for statement in steps:
        db.session.execute(statement.execution_options(synchronize_session=False))
    _scrub_audit(user)
    was_coach = user.is_coach or db.session.scalar(select(Review.id).where(Review.coach_id == uid))
    user.email = f"deleted-{uid}@deleted.invalid"
    user.display_name = FORMER_COACH if was_coach else FORMER_USER
    user.password_hash = "!"  # never a valid hash: no password opens it
    user.active = False
    user.invite_code = None
    user.pending_email = None
    user.email_verified_at = None
    user.email_notifications = False
    user.timezone = "UTC"
    user.my_projects = ""  # free text about the person's own work
    user.time_multiplier = 1.0  # an accommodation says something about the person
    user.last_login_at = None
    user.deleted_at = utcnow()
    db.session.flush()
    db.session.expire_all()  # the bulk deletes bypassed the session's loaded objects
    return counts


def _scrub_audit(user: User) -> None:
    """The user's audit events stay, without their addresses (email, IP)."""
    emails = {user.email, user.pending_email} - {None}
    events = db.session.scalars(
        select(AuditEvent).where(
            or_(
                AuditEvent.actor_id == user.id,
                (AuditEvent.target_type == "user") & (AuditEvent.target_id == str(user.id)),
            )
        )
    )
    for event in events:
        event.ip = None
        details = dict(event.details or {})
        event.details = {
            key: value
            for key, value in details.items()
            if not (isinstance(value, str) and ("@" in value or value in emails))
        }


def delete_own_account(user_id: int, password: str) -> dict[str, int]:
    """The user deletes their account (password checked)."""
    user = _live_user(user_id)
    if not verify_password(user.password_hash, password):
        raise AccountError("Your password is not right; nothing was deleted.", "password")
    _guard_last_admin(user)
    counts = _erase(user)
    audit.record(
        "account.delete", actor_id=user_id, target_type="user", target_id=user_id, **counts
    )
    db.session.commit()
    return counts


def delete_account_as_admin(
    user_id: int, admin_id: int, admin_password: str, *, ip: str | None = None
) -> dict[str, int]:
    """An admin deletes someone's account (the admin's own password checked)."""
    admin = _live_user(admin_id)
    if not admin.is_admin or not verify_password(admin.password_hash, admin_password):
        raise AccountError("Your password is not right; nothing was deleted.", "password")
    user = _live_user(user_id)
    _guard_last_admin(user)
    counts = _erase(user)
    audit.record(
        "account.delete", actor_id=admin_id, target_type="user", target_id=user_id, ip=ip, **counts
    )
    db.session.commit()
    return counts
