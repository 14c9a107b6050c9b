"""Error pages: a full page, or a small fragment when htmx asked for a part of a page."""

from __future__ import annotations

import time

from flask import Flask, current_app, g, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db, limiter
from app.logs import request_id_from
from app.models import audit
from app.security import no_store
from app.typed import back_url, known_fields, typed_fields

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    401: ("Please sign in", "You need to sign in to see this page."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "There is nothing here, or it is not yours to see."),
    405: ("Method not allowed", "This page cannot be used that way."),
    409: ("Conflict", "This was changed somewhere else. Reload to see the latest version."),
    413: ("Too large", "What you sent is larger than {limit}. Nothing was saved."),
    422: ("Cannot accept this", "Some of what you sent cannot be accepted. Nothing was saved."),
    429: (
        "Too many attempts",
        "Too many attempts in a short time; nothing was changed.",
    ),
    500: (
        "Something went wrong",
        "An unexpected error happened on our side. Nothing was lost "
        "that had already been saved; please try again.",
    ),
}

CSRF_MESSAGE = (
    "Your form expired or was sent from elsewhere. Reload the page and try again; "
    "nothing was changed."
)
CSRF_TYPED_MESSAGE = (
    "This page had expired, so nothing was saved. Here is what you typed: copy it, "
    "then reload the page and paste it."
)


def wants_fragment() -> bool:
    """htmx asked for part of a page (a boosted link or form still gets the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-Request-Type") != "full"
    )


def _size(limit: int | None) -> str:
    """A request size limit as people read it: "1 MiB", "512 KiB"."""
    if not limit:
        return "the server accepts"
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit // 1024} KiB" if limit % 1024 == 0 else f"{limit} bytes"


def render_error(status: int, detail: str | None = None, **context):
    """The error page (or fragment) for `status`, with an optional safe detail message."""
    title, message = MESSAGES.get(status, (f"Error {status}", "Something went wrong."))
    if isinstance(detail, str) and detail and status in (400, 409, 422, 429):
        message = detail
    if status == 413:
        message = message.format(limit=_size(current_app.config["MAX_CONTENT_LENGTH"]))
    template = "errors/_fragment.html" if wants_fragment() else "errors/page.html"
    return render_template(template, status=status, title=title, message=message, **context), status


def render_csrf_error():
    """The stale-token page. A plain form gets back what it carried, to copy; never resent.

    htmx fragment requests (autosaves) get the short fragment and a fresh token, which
    app.js uses to send the request again (see `_fresh_token_for_htmx`). A boosted form
    is a whole action: it is never resent for the user, since the sign-in may now be
    someone else's; it gets the page that gives back what was typed.
    """
    if wants_fragment():
        return _fresh_token_for_htmx(render_error(400, CSRF_MESSAGE))
    if request.method == "GET":
        return render_error(400, CSRF_MESSAGE)
    typed = typed_fields(
        request.form,
        current_app.extensions["mockloop.form_fields"],
        current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"),
    )
    if not typed:
        return render_error(400, CSRF_MESSAGE)
    body, status = render_error(
        400, CSRF_TYPED_MESSAGE, typed=typed, back_url=back_url(current_app)
    )
    return no_store(current_app.make_response((body, status)))


def _fresh_token_for_htmx(rendered):
    """Hand an htmx autosave a valid token for this session in `X-CSRF-Token`: the page's
    went stale (signed in again in another tab), and app.js sends the request once more
    with it instead of swapping this error in. Only the page's own script can read a
    response header (no CORS here), and only it sends HX-Request. Should the new sign-in
    be another user's, the resent save is refused like any other (404: not theirs)."""
    response = current_app.make_response(rendered)
    response.headers["X-CSRF-Token"] = generate_csrf()
    return no_store(response)


def retry_after_seconds() -> int:
    """Seconds until the limit that refused this request lets it through again."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))


def wait_words(seconds: int) -> str:
    """ "45 seconds", "1 minute", "38 minutes": how long to wait, for a person."""
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def audit_refusal(action: str, **details) -> None:
    """Record a refused request (CSRF, 429, 404 on an object); never turn it into a 500."""
    if not g.get("request_id"):  # refused before the request log gave it its id (CSRF)
        g.request_id = request_id_from(request.environ)
    g.refusal_audited = True
    db.session.rollback()
    try:
        audit.record_refusal(
            action,
            current_user.id if current_user.is_authenticated else None,
            request.path,
            request.method,
            ip=request.remote_addr,
            **details,
        )
        db.session.commit()
    except Exception:  # the database itself is failing; the refusal still stands
        db.session.rollback()
        current_app.logger.exception("could not audit a refused request")


def audit_denial() -> None:
    """Record a 403 in the audit log; never let auditing turn a 403 into a 500."""
    db.session.rollback()
    try:
        audit.record_access_denied(
            current_user.id if current_user.is_authenticated else None,
            request.path,
            request.method,
            ip=request.remote_addr,
            reason=g.get("access_denied_reason"),
        )
        db.session.commit()
    except Exception:  # the database itself is failing; the 403 still stands
        db.session.rollback()
        current_app.logger.exception("could not audit an access denial")


def register(app: Flask) -> None:
    """Install the error handlers."""

    # Read after the blueprints (and so all their forms) are imported.
    app.extensions["mockloop.form_fields"] = known_fields()

    @app.after_request
    def audit_object_refusals(response):
        """A 404 from a real route with ids (someone else's object, or none): probing ids
        leaves a trace, whichever handler (the app's or a blueprint's) made the 404."""
        if (
            response.status_code == 404
            and request.view_args
            and not g.get("refusal_audited")
            and current_user.is_authenticated
        ):
            audit_refusal("access.not_found", reason="not yours or not there")
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        audit_refusal("csrf.failed", reason=str(error.description)[:200])
        return render_csrf_error()

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        seconds = retry_after_seconds()
        audit_refusal("rate_limited", limit=str(error.limit.limit), retry_after=seconds)
        return render_error(429, f"{MESSAGES[429][1]} Try again in {wait_words(seconds)}.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 403:
            audit_denial()
        description = error.description if error.code in (400, 409, 422) else None
        body, status = render_error(error.code, description)
        response = app.make_response((body, status))
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        app.logger.exception("Unhandled error", exc_info=error)
        return render_error(InternalServerError.code)
