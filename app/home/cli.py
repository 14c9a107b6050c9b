"""`flask demo seed`: demo accounts and data for a first look (never in production)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.clock import utcnow
from app.home import demo as demo_data

demo = AppGroup("demo", help="Demo accounts and data for a first look (development only).")


@demo.command("seed")
def seed_command() -> None:
    """Create a demo candidate, coach and admin, a scored round, a review; print passwords."""
    config = current_app.config
    try:
        result = demo_data.seed(
            env_name=config["ENV_NAME"],
            now=utcnow(),
            max_chars=config["ANSWER_MAX_CHARS"],
            max_links=config["ANSWER_MAX_LINKS"],
        )
    except demo_data.DemoError as error:
        raise click.ClickException(str(error)) from error
    click.echo("Demo data created. Sign in with (passwords are shown only now):")
    for account in result.accounts:
        click.echo(f"  {account.role:<9} {account.email:<32} {account.password}")
    click.echo(
        f"The candidate has a finished, self-scored round (/feedback/sessions/"
        f"{result.session_id}/report) with a published coach review and a practise-next list."
    )
