"""Sign-up requests: an account is made only when the address's owner opens the link.

Signing up answers "check your inbox" whether or not the address has an account, so the
form tells nobody who is registered. The typed password's hash waits here, with the
digest of the link's random token (the link itself is never stored), until the owner
opens the link; each try has its own row, so someone who signs up with another person's
address never chooses that account's password. Rows expire and `flask maintenance prune`
deletes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime
from app.models.users import DISPLAY_NAME_MAX, EMAIL_MAX


class SignUpRequest(db.Model):
    __tablename__ = "sign_up_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), index=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX))
    password_hash: Mapped[str] = mapped_column(String(255))
    next_url: Mapped[str | None] = mapped_column(String(512))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    def __repr__(self) -> str:
        return f"<SignUpRequest {self.id} expires={self.expires_at:%Y-%m-%d %H:%M}>"
