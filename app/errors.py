"""Error pages: a full page, or a small fragment when htmx asked."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    401: ("Please sign in", "You need to sign in to see this page."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "There is nothing here, or it is not yours to see."),
    405: ("Method not allowed", "This page cannot be used that way."),
    409: ("Conflict", "This was changed somewhere else. Reload to see the latest version."),
    413: ("Too large", "What you sent is larger than 1 MiB. Nothing was saved."),
    422: ("Cannot accept this", "Some of what you sent cannot be accepted. Nothing was saved."),
    429: (
        "Too many attempts",
        "Too many requests in a short time. Please wait a minute and try again.",
    ),
    500: (
        "Something went wrong",
        "An unexpected error happened on our side. Nothing was lost "
        "that had already been saved; please try again.",
    ),
}


def render_error(status: int, detail: str | None = None):
    title, message = MESSAGES.get(status, (f"Error {status}", "Something went wrong."))
    if isinstance(detail, str) and detail and status in (400, 409, 422, 429):
        message = detail
    template = "errors/_fragment.html" if request.headers.get("HX-Request") else "errors/page.html"
    return render_template(template, status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400,
            "Your form expired or was sent from elsewhere. Reload the page and try again; "
            "nothing was changed.",
        )

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        response = render_error(429)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        description = error.description if error.code in (400, 409, 422) else None
        body, status = render_error(error.code, description)
        response = app.make_response((body, status))
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        app.logger.exception("Unhandled error", exc_info=error)
        return render_error(InternalServerError.code)
