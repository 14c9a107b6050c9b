"""Flask-Login's user loader: accounts registers it, so the floor's `access` needs no accounts."""

from __future__ import annotations

from flask import Flask

from app.accounts import signins
from app.clock import utcnow
from app.extensions import login_manager


def lifetimes(config) -> signins.Lifetimes:
    """The sign-in limits from config (docs/security.md)."""
    return signins.Lifetimes(
        absolute=config["PERMANENT_SESSION_LIFETIME"],
        admin_idle=config["ADMIN_IDLE_TIMEOUT"],
        touch_every=config["SIGN_IN_TOUCH_EVERY"],
    )


def limits_of(app: Flask) -> signins.Lifetimes:
    """This app's sign-in limits (built once, at `init_app`)."""
    return app.extensions["mockloop.sign_in_limits"]


def init_app(app: Flask) -> None:
    """Resolve the session's sign-in key to its account, on every request (one query)."""
    limits = app.extensions["mockloop.sign_in_limits"] = lifetimes(app.config)

    @login_manager.user_loader
    def load_user(key: str):
        return signins.user_for_key(key, now=utcnow(), limits=limits)
