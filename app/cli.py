"""Command-line groups: users, bank, sessions, notifications, maintenance."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from app.accounts.cli import users
    from app.bank.cli import bank
    from app.coach.cli import notifications
    from app.practice.cli import sessions
    from app.privacy.cli import maintenance

    app.cli.add_command(users)
    app.cli.add_command(bank)
    app.cli.add_command(sessions)
    app.cli.add_command(maintenance)
    app.cli.add_command(notifications)
