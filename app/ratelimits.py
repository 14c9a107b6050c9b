"""Views with no rate limit at all (the autosave, the round status poll) say so: `@unlimited`.

Flask-Limiter is told by a request filter, so it applies no limit to them, as before. Its
three per-request hooks (before: resolve and test the limits; after: rate-limit headers;
teardown: reset its context) would then find nothing to do, but still cost about 40 us a
request on the two requests a running round sends all the time, so for these views they
are not entered at all. That is the same answer: a filtered request has no limits, hence
no headers and no context to reset. Meta limits (RATELIMIT_META) would count filtered
requests too, so with them configured every hook runs as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import Flask, current_app, request
from flask_limiter import Limiter

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


def _skip_before(hook):
    def check_request_limit():
        return None if _this_request_unlimited() else hook()

    return check_request_limit


def _skip_after(hook):
    def inject_headers(response):
        return response if _this_request_unlimited() else hook(response)

    return inject_headers


def _skip_teardown(hook):
    def release_context(error=None):
        return None if _this_request_unlimited() else hook(error)

    return release_context


def _is_limiter_hook(hook, name: str, extension: Limiter) -> bool:
    if isinstance(hook, partial):  # after_request: partial(Limiter.__inject_headers, limiter)
        return getattr(hook.func, "__name__", "") == name and hook.args[:1] == (extension,)
    return getattr(hook, "__self__", None) is extension and hook.__name__ == name


def init_app(app: Flask, extension: Limiter = limiter) -> None:
    """After `limiter.init_app(app)`: its hooks skip views marked `@unlimited`."""
    if app.config.get("RATELIMIT_META"):
        return
    for table, name, skip in (
        (app.before_request_funcs, "_check_request_limit", _skip_before),
        (app.after_request_funcs, "__inject_headers", _skip_after),
        (app.teardown_request_funcs, "__release_context", _skip_teardown),
    ):
        hooks = table.get(None, [])
        table[None] = [
            skip(hook) if _is_limiter_hook(hook, name, extension) else hook for hook in hooks
        ]
