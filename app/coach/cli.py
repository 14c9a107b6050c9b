"""`flask notifications email`: send the pending notification emails (cron, any host)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.clock import utcnow
from app.coach import emails

notifications = AppGroup("notifications", help="Notification emails.")


@notifications.command("email")
def email() -> None:
    """Email the recent notifications of users who turned notification emails on."""
    public_url = current_app.config.get("PUBLIC_URL")
    if not public_url:
        raise click.ClickException("Set PUBLIC_URL (https://...) so emails can link back.")
    with current_app.test_request_context(base_url=public_url):
        run = emails.email_pending(utcnow(), public_url)
    click.echo(f"Sent {run.sent} notification emails; {run.failed} failed (retried next run).")
    if run.failed:
        raise SystemExit(1)
