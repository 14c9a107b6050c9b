"""`flask maintenance prune`: the retention job (cron, any number of hosts)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.clock import utcnow
from app.privacy import retention

maintenance = AppGroup("maintenance", help="Housekeeping jobs.")


@maintenance.command("prune")
@click.option("--notification-days", type=int, default=None, help="Keep this many days.")
@click.option("--audit-days", type=int, default=None, help="Keep this many days.")
@click.option("--sign-in-days", type=int, default=None, help="Keep this many days.")
def prune(notification_days: int | None, audit_days: int | None, sign_in_days: int | None) -> None:
    """Delete notifications and audit events older than the retention ages (default 365 days),
    ended sign-ins (default 30 days) and expired sign-up links."""
    config = current_app.config
    try:
        result = retention.prune(
            utcnow(),
            notification_days=notification_days or config["NOTIFICATION_RETENTION_DAYS"],
            audit_days=audit_days or config["AUDIT_RETENTION_DAYS"],
            sign_in_days=sign_in_days or config["SIGN_IN_RETENTION_DAYS"],
            sign_in_lifetime=config["PERMANENT_SESSION_LIFETIME"],
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Deleted {result.notifications} notifications, {result.audit_events} audit events, "
        f"{result.sign_ins} ended sign-ins and {result.sign_up_requests} expired sign-up links."
    )
