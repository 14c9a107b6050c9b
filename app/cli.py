"""Command-line groups: `flask users`, `flask bank`, `flask sessions`, `flask notifications`,
`flask maintenance`, `flask jobs`, `flask demo`.

Every command of these groups answers a database that is missing, or not yet migrated,
with one line ("run flask db upgrade") instead of a traceback.
"""

from __future__ import annotations

import functools

import click
from flask import Flask
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.accounts.cli import users
from app.admin.cli import set_role
from app.bank.cli import bank
from app.coach.cli import notifications
from app.home.cli import demo
from app.jobs import jobs_cli
from app.practice.cli import sessions
from app.privacy.cli import maintenance

MISSING_TABLE_MARKERS = ("no such table", "undefinedtable", "does not exist")


def one_line_database_errors(callback):
    """Wrap a command's callback so database trouble is one `Error:` line, exit 1."""

    @functools.wraps(callback)
    def wrapper(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except (OperationalError, ProgrammingError) as error:
            text = str(error.orig or error).lower()
            if any(marker in text for marker in MISSING_TABLE_MARKERS):
                raise click.ClickException(
                    "the database has no mockloop tables yet: run `flask db upgrade` first"
                ) from error
            first_line = str(error.orig or error).strip().splitlines()[0]
            raise click.ClickException(f"the database did not answer: {first_line}") from error

    return wrapper


def _wrap_commands(group: click.Group) -> None:
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _wrap_commands(command)
        elif command.callback is not None:
            command.callback = one_line_database_errors(command.callback)


def register(app: Flask) -> None:
    """Add the command groups to `flask` (admin's `users set-role` joins accounts' group)."""
    users.add_command(set_role)
    for group in (users, bank, sessions, notifications, maintenance, jobs_cli, demo):
        if not getattr(group, "_mockloop_wrapped", False):
            _wrap_commands(group)
            group._mockloop_wrapped = True
        app.cli.add_command(group)
