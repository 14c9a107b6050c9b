"""People: candidates, coaches and admins."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Float, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db
from app.models.base import UTCDateTime

EMAIL_MAX = 254  # the longest address SMTP allows; the forms check the same
DISPLAY_NAME_MAX = 80
MY_PROJECTS_MAX = 2000  # "My projects" in Settings (plain text); the form says the same


class Role(StrEnum):
    CANDIDATE = "candidate"
    COACH = "coach"
    ADMIN = "admin"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


def normalise_email(email: str) -> str:
    """Emails are compared case- and whitespace-insensitively."""
    return (email or "").strip().lower()


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # the admin user list: newest first
        Index("ix_users_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.CANDIDATE.value)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login id: rotating it signs the user out of every device at once.
    # Unused since server-side sign-ins (user_sessions, revision 0005) replaced it; kept so
    # hosts still running the older release during an upgrade find it. A later revision
    # drops it once no such host can remain.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Coaches: the code candidates enter to link them (rotatable).
    invite_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Candidates: "all" sessions visible to linked coaches, or only those "selected".
    coach_sharing: Mapped[str] = mapped_column(String(16), default="all")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the user opened the link sent to their address (None: not verified yet).
    # Unverified accounts can practise but cannot link a coach or get notification emails.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A new address waiting for its confirmation link; `email` changes once it is opened.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # Notification emails (a review published, a round shared), off until the user opts in.
    email_notifications: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set when the account was deleted: the row stays, emptied of personal data, so that
    # reviews the user wrote can say "a former coach" and the audit log keeps its events.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Extra time (accommodations, issue 18): every round's length is multiplied by this,
    # one of app.domain.timing.TIME_MULTIPLIERS; set by an admin or a linked coach, audited.
    time_multiplier: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    # "My projects" (issue 18): plain text shown above résumé questions in a round, so a
    # recruiter-screen question asks about the candidate's own work.
    my_projects: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Colours (issue 18): 'system', 'light' or 'dark', chosen in Settings and followed in
    # every browser the user signs in from; None: never chosen (a sign-in then adopts the
    # browser's cookie choice, app.theme / accounts.signins.start).
    theme: Mapped[str | None] = mapped_column(String(8))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_coach(self) -> bool:
        return self.role == Role.COACH

    @property
    def is_candidate(self) -> bool:
        return self.role == Role.CANDIDATE

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"
