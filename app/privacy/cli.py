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
def prune(notification_days: int | None, audit_days: int | None) -> None:
    """Delete notifications and audit events older than the retention ages (default 365 days)."""
    config = current_app.config
    try:
        result = retention.prune(
            utcnow(),
            notification_days=notification_days or config["NOTIFICATION_RETENTION_DAYS"],
            audit_days=audit_days or config["AUDIT_RETENTION_DAYS"],
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Deleted {result.notifications} notifications and {result.audit_events} audit events."
    )
