"""`flask users create|set-password`: accounts from the command line (the first admin).

`flask users set-role` is the admin's (`app.admin.cli`), added to this group by `app.cli`.
"""

import sys

import click
from flask.cli import AppGroup

from app.accounts import recovery, services
from app.models.users import Role

users = AppGroup("users", help="Manage accounts.")


def _read_password(from_stdin: bool) -> str:
    """The password from standard input's first line, or prompted for twice (not echoed)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("create")
@click.argument("email")
@click.option("--role", default=Role.CANDIDATE.value, type=click.Choice([r.value for r in Role]))
@click.option("--name", "display_name", default="", help="Display name (default: from email).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(email: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Create an account with a role; the password is prompted for."""
    password = _read_password(password_stdin)
    try:
        user = services.create_user(email, display_name, password, role)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@users.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(email: str, password_stdin: bool) -> None:
    """Set the password of the account with EMAIL (audited; all its sessions end)."""
    try:
        user = recovery.set_password_by_email(email, _read_password(password_stdin))
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Password set for {user.email}; every session of the account was ended.")
