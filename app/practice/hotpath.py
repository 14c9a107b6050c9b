"""A running round's two everyday requests, answered below Flask (issue 14).

An open round sends an autosave every few seconds while the candidate types, and a status
read whenever its tab comes back into view: at 3,000 candidates some 300 requests a
second, nearly all of them the same plain case. For those, Flask's per-request machinery
(two contexts, a dozen hooks, the session, CSRF, limiter and login extensions) cost more
than the save itself. `RoundHotPath` is WSGI middleware around Flask's own `wsgi_app`,
inside `TrustedProxies` (so the client's address and scheme are already settled), that
answers such a request itself when, and only when, each check Flask's path would make
passes plainly:

- the URL is the autosave (POST) or status (GET) route, matched by the app's own URL map
  and host rules;
- the session cookie opens with the app's own session interface, carries a sign-in key,
  a sign-in time within PERMANENT_SESSION_LIFETIME and a CSRF secret, and no pending
  remember-me change;
- an autosave's body is a form (read with the app's own request class and limits) with
  no NUL, its CSRF token passes the checks CSRFProtect makes (token, session secret,
  time limit, and over HTTPS a same-origin Referer), and `quick_answer` accepts its fields;
- `quick.save` / `quick.status` find the live sign-in, its user and their open round in
  one query, and the save writes.

The answer is then what the views answered for the same request: the same JSON, headers
(`security.default_headers`, `Cache-Control: no-store`, `Vary`, `X-Request-ID`) and
request log line, and, as there, no Set-Cookie (the session did not change). Anything
else, including an error while reading or writing, goes to Flask untouched (the body is
replayed from the copy read here), and Flask gives the answer it always gives: a 302 or
401 to sign in, 400 for CSRF, 404, 409, 422. The hot path never refuses anything itself.
"""

from __future__ import annotations

import hmac
import io
import logging
import time
from urllib.parse import parse_qsl

from flask import Flask
from flask_wtf.csrf import same_origin
from itsdangerous import BadData
from werkzeug.exceptions import HTTPException

from app import logs
from app.access import sign_in_expired, sign_in_key
from app.accounts.loader import limits_of
from app.clock import utcnow
from app.converters import FORM_TYPES, has_nul
from app.extensions import db
from app.practice import quick
from app.practice.forms import quick_answer
from app.practice.views import save_payload, session_status
from app.security import CheckedOnceSerializer, default_headers

AUTOSAVE = "practice.autosave"
STATUS = "practice.status"
REMEMBER = "_remember"  # Flask-Login's pending remember-me cookie change
CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's
URLENCODED = "application/x-www-form-urlencoded"

log = logging.getLogger(__name__)


def install(app: Flask) -> None:
    """Answer the everyday autosave and status ahead of Flask while ROUND_HOT_PATH is on
    (read on each request). Call before `security.init_app`: the proxy rule wraps this."""
    app.wsgi_app = RoundHotPath(app, app.wsgi_app)


class RoundHotPath:
    """WSGI middleware: the plain autosave and status of a running round (module doc)."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.request_log = logging.getLogger(logs.REQUEST_LOGGER)
        self._csrf_serializers: dict[str, CheckedOnceSerializer] = {}
        self.default_headers = default_headers(app.config)  # as security builds them, once

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO", "")
        if not (
            (method == "POST" and path.endswith("/autosave"))
            or (method == "GET" and path.endswith("/status"))
        ) or not self.app.config.get("ROUND_HOT_PATH", True):
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        body = _buffered_body(environ, self.app.config.get("MAX_CONTENT_LENGTH"))
        if body is not False:
            with self.app.app_context():
                answer = self._answer(environ, started, body)
            if answer is not None:
                headers, content = answer
                start_response("200 OK", headers)
                return [content]
            if body is not None:
                environ["wsgi.input"] = io.BytesIO(body)  # Flask reads the body afresh
        return self.wsgi_app(environ, start_response)

    def _answer(self, environ, started, body):
        """The 200 response to this request (its headers and body), or None for Flask to
        answer it."""
        app = self.app
        request = app.request_class(environ, populate_request=False)
        try:
            endpoint, args = app.create_url_adapter(request).match()
        except HTTPException:  # no such route, another method, an untrusted host: Flask's
            return None
        if endpoint not in (AUTOSAVE, STATUS):
            return None
        session = app.session_interface.open_session(app, request)
        now = utcnow()
        key = sign_in_key(session) if session is not None else None
        if (
            key is None
            or REMEMBER in session
            or app.config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST")
            or sign_in_expired(session, app.permanent_session_lifetime, now)
        ):
            return None
        try:
            if endpoint == AUTOSAVE:
                payload, user_id = self._save(request, body, session, key, args, now)
            else:
                payload, user_id = self._status(session, key, args, now)
        except Exception:
            db.session.rollback()
            log.exception("the round hot path failed; Flask answers this request instead")
            return None
        if payload is None:
            return None
        return self._respond(request, environ, payload, user_id, started)

    def _save(self, request, body, session, key, args, now):
        if request.mimetype not in FORM_TYPES:
            return None, None
        try:
            form = _form(request, body)
        except (HTTPException, ValueError):  # over the form limits, cut short, not UTF-8
            return None, None
        if has_nul(form) or not self._csrf_passes(request, form, session):
            return None, None
        fields = quick_answer(form)
        if fields is None:
            return None, None
        config = self.app.config
        saved = quick.save(
            key,
            args["session_id"],
            args["position"],
            fields.answer,
            base_revision=fields.base_revision,
            client_id=fields.client_id,
            seq=fields.seq,
            max_chars=config["ANSWER_MAX_CHARS"],
            max_links=config["ANSWER_MAX_LINKS"],
            now=now,
            limits=limits_of(self.app),
        )
        if saved is None:
            return None, None
        result, found = saved
        return save_payload(result, found.timezone), found.user_id

    def _status(self, session, key, args, now):
        field = self.app.config["WTF_CSRF_FIELD_NAME"]
        if not isinstance(session.get(field), str):
            return None, None  # generate_csrf() would add a secret to the session
        found = quick.status(key, args["session_id"], now=now, limits=limits_of(self.app))
        if found is None:
            return None, None
        payload = session_status(found.clock, now, found.timezone)
        # generate_csrf(): the session's secret, signed now (a fresh token for the page)
        token = self._csrf_serializer().dumps(session[field])
        return {**payload, "csrf_token": token}, found.user_id

    def _csrf_serializer(self) -> CheckedOnceSerializer:
        secret = self.app.config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key
        serializer = self._csrf_serializers.get(secret)
        if serializer is None:
            self._csrf_serializers = {secret: CheckedOnceSerializer(secret, salt=CSRF_SALT)}
            serializer = self._csrf_serializers[secret]
        return serializer

    def _csrf_passes(self, request, form, session) -> bool:
        """CSRFProtect's check of a POST (flask_wtf.csrf.protect), True only when it passes:
        any doubt is Flask's to decide (and to refuse with its message and audit line)."""
        config = self.app.config
        # (CSRFProtect.init_app has set every WTF_CSRF_* default before the first request)
        if not (config["WTF_CSRF_ENABLED"] and config["WTF_CSRF_CHECK_DEFAULT"]):
            return True
        if request.method not in config["WTF_CSRF_METHODS"]:
            return True
        field = config["WTF_CSRF_FIELD_NAME"]
        token = form.get(field)
        if not token and any(name.endswith(field) for name in form):
            return False  # a prefixed form's token: CSRFProtect's own search decides
        if not token:
            for header in config["WTF_CSRF_HEADERS"]:
                token = request.headers.get(header)
                if token:
                    break
        if not token:
            return False
        try:
            signed = self._csrf_serializer().loads(token, max_age=config["WTF_CSRF_TIME_LIMIT"])
        except BadData:
            return False
        secret = session.get(field)
        if not isinstance(signed, str) or not isinstance(secret, str):
            return False
        if not hmac.compare_digest(secret, signed):
            return False
        if request.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            referrer = request.referrer
            if not referrer or not same_origin(referrer, f"https://{request.host}/"):
                return False
        return True

    def _respond(self, request, environ, payload, user_id, started):
        """The view's JSON response, as WSGI headers and body: written here in one list,
        not set one by one on a Response (a dozen header checks and copies a request)."""
        app = self.app
        content = _json_body(app, payload)
        request_id = logs.request_id_from(environ)
        headers = [
            ("Content-Type", app.json.mimetype),
            ("Content-Length", str(len(content))),
            ("Cache-Control", "no-store"),
            ("X-Request-ID", request_id),
            *self.default_headers,
            ("Vary", "HX-Request, Cookie"),
        ]
        if logs.wants_request_lines(app, self.request_log):
            logs.log_request(
                self.request_log,
                method=request.method,
                path=request.path,
                status=200,
                started=started,
                user_id=user_id,
                client=request.remote_addr,
                request_id=request_id,
            )
        return headers, content


def _json_body(app: Flask, payload: dict) -> bytes:
    """The bytes `app.json.response(payload)` would send (its dumps, compact unless debug,
    a newline), without building a Response to take them from."""
    provider = app.json
    if (provider.compact is None and app.debug) or provider.compact is False:
        text = provider.dumps(payload, indent=2)
    else:
        text = provider.dumps(payload, separators=(",", ":"))
    return f"{text}\n".encode()


def _form(request, body: bytes):
    """The request's form. An urlencoded body (what round.js sends) is parsed here as
    werkzeug's form parser parses it (`parse_qsl` of its UTF-8 text, blank values kept,
    into the request class's storage), from the bytes already read, without the parser's
    stream and objects; a multipart one by the request class itself."""
    if request.mimetype == URLENCODED:
        text = body.decode()  # werkzeug's own decode: not UTF-8 raises, Flask answers it
        items = parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")
        return request.parameter_storage_class(items)
    return request.form


def _buffered_body(environ, limit: int | None):
    """The request body read into memory (and `wsgi.input` replaced by a copy), None when
    there is none, or False when it cannot be read here (no length, or over the limit:
    Flask refuses it as it always has)."""
    if environ.get("REQUEST_METHOD") != "POST":
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return False
    if length < 0 or (limit is not None and length > limit):
        return False
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body if len(body) == length else False  # cut short: Flask refuses what is left
