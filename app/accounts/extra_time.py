"""Extra time (accommodations, issue 18): a candidate's round-length multiplier.

An admin (Users page) or a coach the candidate is linked to (the coach checks the link
before calling) sets it; every change is audited with who, the old and the new value.
Rounds pin the multiplier when they start (app.practice.starting.open_round), so a
change here never moves the deadline of a round already running.
"""

from __future__ import annotations

from app.accounts.services import AccountError, user_or_error
from app.domain import timing
from app.extensions import db
from app.models import audit
from app.models.users import Role, User

REFUSED = "Extra time is one of 1× (none), 1.25×, 1.5× or 2×; nothing was changed."


def set_time_multiplier(
    user_id: int, value: object, *, actor_id: int, via: str, ip: str | None = None
) -> User:
    """Set a candidate's extra-time multiplier (one of timing.TIME_MULTIPLIERS)."""
    multiplier = timing.allowed_multiplier(value)
    if multiplier is None:
        raise AccountError(REFUSED, "time_multiplier")
    user = user_or_error(user_id)
    if user.role != Role.CANDIDATE.value:
        raise AccountError("Extra time is for candidates; this account is not one.", "role")
    old = user.time_multiplier or 1.0
    if timing.allowed_multiplier(old) == multiplier:
        return user
    user.time_multiplier = multiplier
    audit.record(
        "user.extra_time",
        actor_id=actor_id,
        target_type="user",
        target_id=user.id,
        ip=ip,
        email=user.email,
        old=old,
        new=multiplier,
        via=via,
    )
    db.session.commit()
    return user
