"""Light or dark colours (issue 18): the system's choice unless Settings chose one.

The choice lives in a cookie (per browser, also before signing in); the server puts
`theme-light` or `theme-dark` on <html>, so the page is drawn in its colours from the
first paint (no script, no flash). Without a choice the CSS follows prefers-color-scheme.
"""

from __future__ import annotations

from flask import Request

COOKIE = "theme"
CHOICES = (
    ("system", "As the system (light or dark)"),
    ("light", "Light"),
    ("dark", "Dark"),
)
MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie


def chosen(request: Request) -> str:
    """The browser's choice: system, light or dark (anything else reads as system)."""
    value = request.cookies.get(COOKIE, "system")
    return value if value in dict(CHOICES) else "system"


def html_class(request: Request) -> str:
    """The class for <html>: theme-light / theme-dark, or '' to follow the system."""
    value = chosen(request)
    return "" if value == "system" else f"theme-{value}"
