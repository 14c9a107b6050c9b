"""Retention: old notifications, audit events and sign-ins are deleted, in small batches.

Sign-ins (the "signed-in devices" rows) go once they ended, or outlived the absolute
lifetime, more than `sign_in_days` ago; a sign-up request goes as soon as its link
expired (it holds a password hash nobody can use any more).

Safe to run from cron on several hosts at once: each batch deletes rows chosen by age,
and a row another host already deleted is simply not there to delete again, so two
runs never fail or double-count; batches keep each transaction (and its locks) short.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select

from app.extensions import db
from app.models import audit
from app.models.audit import AuditEvent
from app.models.review import Notification
from app.models.signins import SignIn
from app.models.signups import SignUpRequest

BATCH = 1000


@dataclass(frozen=True)
class Pruned:
    notifications: int
    audit_events: int
    sign_ins: int = 0
    sign_up_requests: int = 0


def _delete_older(model, column, cutoff: datetime, batch: int) -> int:
    """Delete rows whose `column` is before `cutoff`, `batch` rows per transaction."""
    return _delete_where(model, column < cutoff, batch)


def _delete_where(model, condition, batch: int) -> int:
    """Delete the rows matching `condition`, `batch` rows per transaction."""
    total = 0
    while True:
        ids = list(
            db.session.scalars(select(model.id).where(condition).order_by(model.id).limit(batch))
        )
        if not ids:
            return total
        result = db.session.execute(
            delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False)
        )
        db.session.commit()
        total += result.rowcount or 0
        if len(ids) < batch:
            return total


def prune(
    now: datetime,
    *,
    notification_days: int,
    audit_days: int,
    sign_in_days: int = 30,
    sign_in_lifetime: timedelta = timedelta(hours=12),
    batch: int = BATCH,
) -> Pruned:
    """Delete notifications, audit events and dead sign-ins older than their ages, and
    expired sign-up requests; audit the run."""
    if notification_days < 1 or audit_days < 1 or sign_in_days < 1:
        raise ValueError("Keep at least one day of notifications, audit events and sign-ins.")
    sign_in_cutoff = now - timedelta(days=sign_in_days)
    sign_ins = _delete_where(
        SignIn,
        or_(
            SignIn.ended_at < sign_in_cutoff,
            SignIn.created_at < sign_in_cutoff - sign_in_lifetime,  # expired, never ended
        ),
        batch,
    )
    sign_up_requests = _delete_where(SignUpRequest, SignUpRequest.expires_at <= now, batch)
    notifications = _delete_older(
        Notification, Notification.created_at, now - timedelta(days=notification_days), batch
    )
    audit_events = _delete_older(AuditEvent, AuditEvent.at, now - timedelta(days=audit_days), batch)
    audit.record(
        "maintenance.prune",
        notifications=notifications,
        audit_events=audit_events,
        sign_ins=sign_ins,
        sign_up_requests=sign_up_requests,
        notification_days=notification_days,
        audit_days=audit_days,
        sign_in_days=sign_in_days,
    )
    db.session.commit()
    return Pruned(notifications, audit_events, sign_ins, sign_up_requests)
