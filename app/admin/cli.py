"""`flask users set-role`: give an account another role from the command line."""

import click
from flask.cli import with_appcontext

from app.accounts.services import AccountError
from app.admin import services


@click.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(services.ROLES))
@with_appcontext
def set_role(email: str, role: str) -> None:
    """Change the role of the account with EMAIL."""
    try:
        user = services.set_role_by_email(email, role)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{user.email} is now {user.role}.")
