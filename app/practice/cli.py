"""`flask sessions sweep`: finalise practice sessions whose deadline has passed, then run
the background jobs that are due (`app.jobs`)."""

import click
from flask.cli import AppGroup

from app import jobs
from app.clock import utcnow
from app.practice import lifecycle

sessions = AppGroup("sessions", help="Practice session maintenance.")


@sessions.command("sweep")
def sweep_command() -> None:
    """Finalise open sessions past deadline plus grace, at their deadline (safe from cron)."""
    result = lifecycle.sweep(now=utcnow())
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(result.statuses.items())) or "none"
    click.echo(
        f"checked {result.checked}, finalised {result.finalised} ({statuses}), "
        f"still in grace {result.not_due}, skipped {result.skipped}"
    )
    click.echo(jobs.summary(jobs.run_due()))  # then the due background jobs (grading)
