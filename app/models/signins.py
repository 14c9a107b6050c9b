"""Sign-ins: one row per browser signed in, so a sign-out ends it on the server too.

The session cookie carries only the row's random `key`; every request looks the row up
(one indexed query) and refuses a key that is ended, older than the absolute lifetime or,
for admins, idle too long. Ending a row (sign-out, password change, deactivation) makes
every copy of that cookie worthless at once.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime


def new_sign_in_key() -> str:
    return secrets.token_urlsafe(32)


class SignIn(db.Model):
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True, index=True, default=new_sign_in_key)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    ended_reason: Mapped[str | None] = mapped_column(String(32))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<SignIn {self.id} user={self.user_id} ended={self.ended_reason}>"
