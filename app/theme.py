"""Light or dark colours (issue 18): the system's choice unless Settings chose one.

Signed in, the choice is the account's (`users.theme`), so it follows the user to every
browser; Settings also writes it to this browser's cookie, which is what signed-out pages
(and accounts that never chose) read. On sign-in the account's stored choice wins; an
account with none adopts the cookie's (accounts.signins.start), so a choice made while
signed out is kept. The server puts `theme-light` or `theme-dark` on <html>, so the page
is drawn in its colours from the first paint (no script, no flash). Without a choice the
CSS follows prefers-color-scheme.
"""

from __future__ import annotations

from flask import Request
from flask_login import current_user

COOKIE = "theme"
CHOICES = (
    ("system", "As the system (light or dark)"),
    ("light", "Light"),
    ("dark", "Dark"),
)
VALUES = tuple(value for value, _ in CHOICES)
MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie


def browser_choice(request: Request) -> str | None:
    """This browser's cookie choice, or None when it has none (or an unknown value)."""
    value = request.cookies.get(COOKIE)
    return value if value in VALUES else None


def chosen(request: Request) -> str:
    """The choice in force: the signed-in account's, else this browser's, else system."""
    stored = getattr(current_user, "theme", None) if current_user else None
    if stored in VALUES:
        return stored
    return browser_choice(request) or "system"


def html_class(request: Request) -> str:
    """The class for <html>: theme-light / theme-dark, or '' to follow the system."""
    value = chosen(request)
    return "" if value == "system" else f"theme-{value}"
