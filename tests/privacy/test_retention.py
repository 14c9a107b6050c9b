"""`flask maintenance prune`: old notifications, audit events and sign-ins go, recent ones stay."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.clock import utcnow
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.review import Notification
from app.models.signins import SignIn
from app.privacy import retention
from tests.conftest import make_app


def fill(app, user_id: int, ages_days: list[int]) -> None:
    now = utcnow()
    with app.app_context():
        for days in ages_days:
            at = now - timedelta(days=days)
            db.session.add(
                Notification(user_id=user_id, kind="new_review", message=f"{days}", created_at=at)
            )
            db.session.add(AuditEvent(at=at, action="login", actor_id=user_id, details={}))
        db.session.commit()


def remaining(app, model, column) -> list[int]:
    now = utcnow()
    with app.app_context():
        return sorted((now - at).days for at in db.session.scalars(select(column)))


def test_prune_deletes_what_is_older_than_a_year_by_default(app, runner, make_user):
    user = make_user()
    fill(app, user, [1, 200, 364, 366, 400, 900])
    result = runner.invoke(args=["maintenance", "prune"])
    assert result.exit_code == 0, result.output
    assert "Deleted 3 notifications, 3 audit events, " in result.output
    assert remaining(app, Notification, Notification.created_at) == [1, 200, 364]
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert sorted(actions) == ["login", "login", "login", "maintenance.prune"]


def test_ages_come_from_options_or_config(app, runner, make_user, database_url):
    user = make_user()
    fill(app, user, [10, 40, 100])
    result = runner.invoke(args=["maintenance", "prune", "--notification-days", "30"])
    assert "Deleted 2 notifications, 0 audit events, " in result.output
    configured = make_app(database_url, AUDIT_RETENTION_DAYS=50)
    try:
        out = configured.test_cli_runner().invoke(args=["maintenance", "prune"])
        assert "Deleted 0 notifications, 1 audit events, " in out.output
    finally:
        with configured.app_context():
            db.engine.dispose()
    bad = runner.invoke(args=["maintenance", "prune", "--audit-days", "-3"])
    assert bad.exit_code != 0 and "Keep at least one day" in bad.output


@pytest.mark.real_commits
def test_batches_and_two_hosts_at_once_delete_each_row_once(app, make_user, database_url):
    user = make_user()
    fill(app, user, [400] * 120 + [5] * 3)
    apps = [make_app(database_url) for _ in range(2)]
    results, errors = [], []

    def run(other):
        try:
            with other.app_context():
                results.append(
                    retention.prune(utcnow(), notification_days=365, audit_days=365, batch=7)
                )
                db.session.remove()
                db.engine.dispose()
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(a,)) for a in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(r.notifications for r in results) == 120
    assert sum(r.audit_events for r in results) == 120
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 3


def test_dead_sign_ins_go_after_a_month_and_live_ones_stay(app, runner, make_user):
    """Ended sign-ins (and ones past the absolute lifetime that nobody ended) are pruned
    after SIGN_IN_RETENTION_DAYS; a live sign-in and a recently ended one stay."""
    user = make_user()
    now = utcnow()
    rows = {
        "live": dict(created_at=now - timedelta(hours=1), ended_at=None),
        "ended recently": dict(
            created_at=now - timedelta(days=6), ended_at=now - timedelta(days=5)
        ),
        "ended long ago": dict(
            created_at=now - timedelta(days=41), ended_at=now - timedelta(days=40)
        ),
        "expired, never ended": dict(created_at=now - timedelta(days=45), ended_at=None),
    }
    with app.app_context():
        for reason, times in rows.items():
            db.session.add(
                SignIn(user_id=user, last_seen_at=times["created_at"], ended_reason=reason, **times)
            )
        db.session.commit()
    result = runner.invoke(args=["maintenance", "prune"])
    assert result.exit_code == 0, result.output
    assert "2 ended sign-ins and 0 expired sign-up links." in result.output
    with app.app_context():
        left = sorted(db.session.scalars(select(SignIn.ended_reason)))
    assert left == ["ended recently", "live"]
