"""One JSON line per request on stdout, and a request id in every line of that request.

`configure_logging` installs the standard `logging` setup (dictConfig): one stdout handler
whose formatter writes JSON, with a filter that stamps each record with the current
request's id. `init_app` gives every request an id (a trusted proxy's `X-Request-ID`,
see app/proxies.py, else a new one), returns it in the `X-Request-ID` header and logs one
`mockloop.request` line when the response is ready: time, method, path without the query,
status, duration_ms, user id, client address and request_id. Errors are logged once, by
the error handler, with their traceback and the same id; the 500 page shows the id.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect as orm_state

from app.proxies import TRUSTED_REQUEST_ID

REQUEST_LOGGER = "mockloop.request"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None)))


class RequestIdFilter(logging.Filter):
    """Stamp a record with the id of the request it was logged in (or None)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message, extras, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and key not in ("message", "asctime"):
                entry[key] = value
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Route every logger to stdout as JSON lines (standard dictConfig)."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"request_id": {"()": RequestIdFilter}},
            "formatters": {"json": {"()": JsonFormatter}},
            "handlers": {
                "stdout": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stdout",
                    "formatter": "json",
                    "filters": ["request_id"],
                }
            },
            "root": {"level": level, "handlers": ["stdout"]},
        }
    )


def request_id_from(environ: dict) -> str:
    """The trusted proxy's id when it is a sane token, else a fresh one."""
    given = environ.get(TRUSTED_REQUEST_ID, "")
    return given if _SAFE_ID.match(given) else uuid.uuid4().hex


def signed_in_user_id() -> int | None:
    """The id of the user Flask-Login loaded for this request, read from the identity
    map: a view that committed has expired the row, and logging must not load it again."""
    user = g.get("_login_user")
    state = orm_state(user, raiseerr=False) if user is not None else None
    return state.identity[0] if state is not None and state.identity else None


def init_app(app: Flask) -> None:
    """Give each request an id and log one line per request (when LOG_REQUESTS is on)."""
    if app.config.get("LOG_JSON"):
        configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    logger = logging.getLogger(REQUEST_LOGGER)

    @app.before_request
    def start_request() -> None:
        g.request_id = request_id_from(request.environ)
        g.request_started = time.perf_counter()

    @app.after_request
    def finish_request(response):
        request_id = g.get("request_id") or request_id_from(request.environ)
        response.headers["X-Request-ID"] = request_id
        if request.endpoint != "static" and wants_request_lines(app, logger):
            log_request(
                logger,
                method=request.method,
                path=request.path,
                status=response.status_code,
                started=g.get("request_started", time.perf_counter()),
                user_id=signed_in_user_id(),
                client=request.remote_addr,
                request_id=request_id,
            )
        return response


def wants_request_lines(app: Flask, logger: logging.Logger) -> bool:
    """Whether this app logs a line per request (LOG_REQUESTS, and INFO enabled)."""
    return bool(app.config.get("LOG_REQUESTS")) and logger.isEnabledFor(logging.INFO)


def log_request(
    logger: logging.Logger,
    *,
    method: str,
    path: str,
    status: int,
    started: float,
    user_id: int | None,
    client: str | None,
    request_id: str,
) -> None:
    """The request's `mockloop.request` line (`started`: its `time.perf_counter()`)."""
    extra = {
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "user_id": user_id,
        "client": client,
        "request_id": request_id,
    }
    # logger.info() without its stack walk for the caller's file and line, which this
    # line never shows: the same record through the same handlers.
    record = logger.makeRecord(logger.name, logging.INFO, "", 0, "request", (), None, extra=extra)
    logger.handle(record)
