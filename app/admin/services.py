"""Administration use cases: find accounts, change roles, (de)activate, read the audit log.

Each function that changes something is one transaction and leaves an audit event.
The accounts themselves (sign-up, sign-in, passwords) live in `app.accounts.services`.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from sqlalchemy import func, or_, select

from app import keyset, pagination
from app.accounts import signins
from app.accounts.services import AccountError, user_by_email, user_or_error
from app.extensions import db
from app.models import audit
from app.models.audit import AuditEvent
from app.models.users import Role, User, normalise_email

ROLES = tuple(role.value for role in Role)


def search_users(query: str | None, page: int, per_page: int):
    """Users whose email or display name contains `query`, newest first, one page."""
    stmt = (
        select(User)
        .where(User.deleted_at.is_(None))  # deleted accounts are tombstones, not users
        .order_by(User.created_at.desc(), User.id.desc())
    )
    query = (query or "").strip()
    if query:
        needle = query.lower()  # % and _ are matched literally
        stmt = stmt.where(
            or_(
                User.email.contains(needle, autoescape=True),
                func.lower(User.display_name).contains(needle, autoescape=True),
            )
        )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def _active_admin_count() -> int:
    """How many admins can still sign in."""
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active)
    )


def _guard_last_admin(user: User, *, new_role: str, new_active: bool) -> None:
    """Refuse a change that would leave no active admin."""
    was_active_admin = user.role == Role.ADMIN.value and user.active
    stays_active_admin = new_role == Role.ADMIN.value and new_active
    if was_active_admin and not stays_active_admin and _active_admin_count() <= 1:
        raise AccountError(
            f"{user.email} is the last active admin; make someone else an admin first.", "role"
        )


def change_role(
    user_id: int, role: str, *, actor_id: int | None = None, ip: str | None = None
) -> User:
    """Give a user another role (candidate, coach or admin)."""
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; use candidate, coach or admin.", "role")
    user = user_or_error(user_id)
    if user.role == role:
        return user
    _guard_last_admin(user, new_role=role, new_active=user.active)
    old_role = user.role
    user.role = role
    audit.record(
        "user.role_change",
        actor_id=actor_id,
        target_type="user",
        target_id=user.id,
        ip=ip,
        email=user.email,
        old=old_role,
        new=role,
    )
    db.session.commit()
    return user


def set_active(
    user_id: int,
    active: bool,
    *,
    now: datetime,
    actor_id: int | None = None,
    ip: str | None = None,
) -> User:
    """Deactivate (signed out at once, cannot sign in) or reactivate an account."""
    user = user_or_error(user_id)
    if user.active == active:
        return user
    _guard_last_admin(user, new_role=user.role, new_active=active)
    user.active = active
    if not active:
        signins.end_all(user.id, signins.DEACTIVATED, now=now)
    audit.record(
        "user.reactivate" if active else "user.deactivate",
        actor_id=actor_id,
        target_type="user",
        target_id=user.id,
        ip=ip,
        email=user.email,
    )
    db.session.commit()
    return user


def set_role_by_email(email: str, role: str) -> User:
    """`flask users set-role`: change the role of the account with this email."""
    user = user_by_email(email)
    if user is None:
        raise AccountError(f"No account has the email {normalise_email(email)}.", "email")
    return change_role(user.id, role)


AUDIT_ORDER = keyset.Order((AuditEvent.at, AuditEvent.id), cursor=AuditEvent.id, descending=True)


def audit_page(
    action: str | None,
    page: int | None,
    per_page: int,
    *,
    after: int | None = None,
    before: int | None = None,
    count_cap: int = keyset.COUNT_CAP,
) -> pagination.KeysetPage:
    """One page of the audit log, newest first, optionally one action only.

    Read by key (`app.keyset`): Next carries `after` (the page's oldest event id),
    Previous `before` (its newest), and either reads by `(at, id)` past that event's
    along ix_audit_events_at_id (or ix_audit_events_action_at for one action); the total
    is a count capped at `count_cap` ("1,000+"). An id not on the (filtered) log is
    ignored."""
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return keyset.read(
        stmt,
        AUDIT_ORDER,
        after=after,
        before=before,
        page=page,
        per_page=per_page,
        count_cap=count_cap,
    )


AUDIT_CSV_MAX_ROWS = 50_000  # newest first; a larger export is a database dump's job
CSV_COLUMNS = ("at", "action", "actor_id", "actor_email", "target_type", "target_id", "ip")


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: a leading = + - @ (or tab/CR) gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def audit_csv(action: str | None, *, limit: int = AUDIT_CSV_MAX_ROWS) -> str:
    """The audit log (one action, or all) as CSV, newest first, with request ids."""
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    events = list(db.session.scalars(stmt))
    emails = emails_by_id({e.actor_id for e in events if e.actor_id})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CSV_COLUMNS, "request_id", "details"])
    for e in events:
        details = dict(e.details or {})
        request_id = details.pop("request_id", "")
        row = [e.at.isoformat(timespec="seconds"), e.action, e.actor_id, emails.get(e.actor_id)]
        row += [e.target_type, e.target_id, e.ip, request_id]
        row.append(json.dumps(details, ensure_ascii=False, sort_keys=True, default=str))
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


AUDIT_ACTIONS_MAX = 500  # the filter lists at most this many actions (the code has ~40)


def audit_actions(limit: int = AUDIT_ACTIONS_MAX) -> list[str]:
    """The distinct actions in the audit log, for the filter, in order.

    Read as a skip scan of the action index, one probe per action (the next action past
    the last one found), not a DISTINCT over every event: the cost follows how many kinds
    of action there are, not how long the log is."""
    events = AuditEvent.__table__
    later = events.alias("later")
    found = select(func.min(events.c.action).label("action")).cte("actions", recursive=True)
    following = select(
        select(func.min(later.c.action)).where(later.c.action > found.c.action).scalar_subquery()
    ).where(found.c.action.is_not(None))
    found = found.union_all(following)
    return list(
        db.session.scalars(
            select(found.c.action)
            .where(found.c.action.is_not(None))
            .order_by(found.c.action)
            .limit(limit)
        )
    )


def emails_by_id(user_ids: set[int]) -> dict[int, str]:
    """Emails of the given users in one query (the audit page shows who acted)."""
    if not user_ids:
        return {}
    rows = db.session.execute(select(User.id, User.email).where(User.id.in_(user_ids)))
    return {row.id: row.email for row in rows}
