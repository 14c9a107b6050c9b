"""Flask-Login's user loader: accounts registers it, so the floor's `access` needs no accounts."""

from __future__ import annotations

from flask import Flask

from app.accounts.services import user_for_login_id
from app.extensions import login_manager


def init_app(app: Flask) -> None:
    """Resolve the session's login id ("<user id>:<session token>") to an active account."""
    login_manager.user_loader(user_for_login_id)
