"""Command-line groups: `flask users`, `flask bank`, `flask sessions`."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from app.accounts.cli import users
    from app.practice.cli import sessions
    from app.questions.cli import bank

    app.cli.add_command(users)
    app.cli.add_command(bank)
    app.cli.add_command(sessions)
