"""Command-line groups: `flask users`, `flask bank`, `flask sessions`."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from app.accounts.cli import users
    from app.bank.cli import bank
    from app.practice.cli import sessions

    app.cli.add_command(users)
    app.cli.add_command(bank)
    app.cli.add_command(sessions)
