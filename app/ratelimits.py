"""Views with no rate limit at all (the autosave, the round status poll, the round page)
say so: `@unlimited`, and Flask-Limiter's request filter gives them none.

(Flask-Limiter's three per-request hooks still run for them and find nothing to do,
about 40 us a request. Skipping them would mean wrapping the library's private hooks by
name, which a Flask-Limiter upgrade could silently undo: not worth 3-4 % of a save.)
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request

from app.extensions import limiter

UNLIMITED_ATTR = "_mockloop_unlimited"


def unlimited(view: Callable) -> Callable:
    """Mark a view as having no rate limit (there are no default limits; see config)."""
    setattr(view, UNLIMITED_ATTR, True)
    return view


def is_unlimited(app: Flask, endpoint: str | None) -> bool:
    view = app.view_functions.get(endpoint) if endpoint else None
    return view is not None and getattr(view, UNLIMITED_ATTR, False)


@limiter.request_filter
def _this_request_unlimited() -> bool:
    return is_unlimited(current_app, request.endpoint)
