"""Retention: old notifications and audit events are deleted, in small batches.

Safe to run from cron on several hosts at once: each batch deletes rows chosen by age,
and a row another host already deleted is simply not there to delete again, so two
runs never fail or double-count; batches keep each transaction (and its locks) short.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from app.extensions import db
from app.models import audit
from app.models.audit import AuditEvent
from app.models.review import Notification

BATCH = 1000


@dataclass(frozen=True)
class Pruned:
    notifications: int
    audit_events: int


def _delete_older(model, column, cutoff: datetime, batch: int) -> int:
    """Delete rows whose `column` is before `cutoff`, `batch` rows per transaction."""
    total = 0
    while True:
        ids = list(
            db.session.scalars(
                select(model.id).where(column < cutoff).order_by(model.id).limit(batch)
            )
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


def prune(now: datetime, *, notification_days: int, audit_days: int, batch: int = BATCH) -> Pruned:
    """Delete notifications and audit events older than their ages; audit the run."""
    if notification_days < 1 or audit_days < 1:
        raise ValueError("Keep at least one day of notifications and audit events.")
    notifications = _delete_older(
        Notification, Notification.created_at, now - timedelta(days=notification_days), batch
    )
    audit_events = _delete_older(AuditEvent, AuditEvent.at, now - timedelta(days=audit_days), batch)
    audit.record(
        "maintenance.prune",
        notifications=notifications,
        audit_events=audit_events,
        notification_days=notification_days,
        audit_days=audit_days,
    )
    db.session.commit()
    return Pruned(notifications, audit_events)
