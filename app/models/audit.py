"""The audit log: admin edits, role changes, logins and denials (UTC, who, what)."""

from __future__ import annotations

from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db
from app.models.base import UTCDateTime


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        # the audit log: newest first, overall and per action
        Index("ix_audit_events_at_id", "at", "id"),
        Index("ix_audit_events_action_at", "action", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)  # e.g. "question.edit"
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def record(
    action: str,
    *,
    actor_id: int | None = None,
    target_type: str | None = None,
    target_id: object = None,
    ip: str | None = None,
    **details,
) -> AuditEvent:
    """Add an audit event to the current unit of work (the calling service commits).

    Inside a request the request id (`g.request_id`, the id of the JSON request log line)
    is recorded with it, so an audit row leads to the log line and back.
    """
    if has_request_context() and g.get("request_id") and "request_id" not in details:
        details["request_id"] = g.request_id
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        ip=ip,
        details=details,
    )
    db.session.add(event)
    return event


def record_access_denied(
    user_id: int | None, path: str, method: str, *, ip: str | None = None, reason: str | None = None
) -> AuditEvent:
    """Add the audit event of a refused request (403); the error handler commits it."""
    return record(
        "access.denied",
        actor_id=user_id,
        target_type="path",
        target_id=path[:64],
        ip=ip,
        method=method,
        path=path,
        reason=reason,
    )


def record_refusal(
    action: str,
    user_id: int | None,
    path: str,
    method: str,
    *,
    ip: str | None = None,
    **details,
) -> AuditEvent:
    """Add the audit event of a refused request (404 on an object, CSRF, 429)."""
    return record(
        action,
        actor_id=user_id,
        target_type="path",
        target_id=path[:64],
        ip=ip,
        method=method,
        path=path[:500],
        **details,
    )
