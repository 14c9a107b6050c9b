"""Notification emails: an outbox read by `flask notifications email` (cron, any host).

A notification row is the outbox entry: the command emails the recent ones of users
who turned the emails on and confirmed their address, so sending always happens after
the commit that created them, never inside a coach's or candidate's request. Each row
is claimed with a conditional UPDATE before sending, so hosts running the command at
once never send one twice; a failed send is logged and the claim released, to retry on
the next run. Every email has an unsubscribe link (and a List-Unsubscribe header).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app import mailer
from app.accounts import recovery
from app.extensions import db
from app.models.review import Notification
from app.models.users import User

log = logging.getLogger(__name__)

# Notifications older than this are never emailed (e.g. made before the user opted in).
WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class EmailRun:
    sent: int
    failed: int


def _pending(now: datetime, limit: int) -> list[tuple[Notification, User]]:
    rows = db.session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.emailed_at.is_(None),
            Notification.created_at >= now - WINDOW,
            User.email_notifications,
            User.email_verified_at.is_not(None),
            User.active,
            User.deleted_at.is_(None),
        )
        .order_by(Notification.id)
        .limit(limit)
    )
    return [(row.Notification, row.User) for row in rows]


def _claim(notification_id: int, now: datetime) -> bool:
    """Mark the row emailed unless another run did already; True when this run owns it."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.emailed_at.is_(None))
        .values(emailed_at=now)
    )
    db.session.commit()
    return result.rowcount == 1


def email_pending(now: datetime, public_url: str, limit: int = 200) -> EmailRun:
    """Email every pending notification (needs a request context for the templates)."""
    sent = failed = 0
    for notification, user in _pending(now, limit):
        if not _claim(notification.id, now):
            continue
        unsubscribe = mailer.external_url(
            "accounts.unsubscribe", token=recovery.unsubscribe_token(user.id)
        )
        context = dict(
            name=user.display_name,
            message=notification.message,
            link=public_url + notification.link if notification.link else public_url + "/",
            unsubscribe=unsubscribe,
        )
        headers = {"List-Unsubscribe": f"<{unsubscribe}>"}
        if mailer.send(user.email, "notification", headers=headers, **context):
            sent += 1
            continue
        failed += 1
        db.session.execute(
            update(Notification).where(Notification.id == notification.id).values(emailed_at=None)
        )
        db.session.commit()
    return EmailRun(sent, failed)
