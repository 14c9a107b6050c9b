"""Response headers every page carries (CSP, HSTS, nosniff, frames, referrer, permissions,
opener, caching)."""

from __future__ import annotations

import mimetypes
import time

from flask import Flask, Response, request
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes

from app.proxies import TrustedProxies

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# No page uses these browser features; a script injected somehow cannot either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "serial",
        "hid",
        "midi",
        "display-capture",
        "accelerometer",
        "gyroscope",
        "magnetometer",
    )
)


PYODIDE_DIR = "vendor/pyodide-314.0.8/"
# The vendored files, by name, for templates (`vendor.codemirror`); rebuilt by `make vendor`.
VENDOR = {
    "htmx": "vendor/htmx-4.0.1.min.js",
    "codemirror": "vendor/codemirror-6.0.2/codemirror.min.js",
    "pyodide": PYODIDE_DIR,
}
CODE_WORKER = "js/code-worker.js"
# Vendored files carry their version in the path, so they can be cached for a year.
VENDOR_CACHE = "public, max-age=31536000, immutable"


def worker_csp(origin: str) -> str:
    """The CSP of the code-runner Web Worker (a dedicated worker obeys its script's own CSP).

    Pyodide compiles WebAssembly, which needs 'wasm-unsafe-eval'; that alone is granted,
    and only here: the pages keep script-src 'self'. The worker may load scripts and fetch
    files only from the vendored Pyodide folder, so a candidate's code (pyodide.http,
    js.fetch, importScripts) reaches neither the app's routes nor the network.
    """
    pyodide = f"{origin}/static/{PYODIDE_DIR}"
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {pyodide} 'wasm-unsafe-eval'",
            f"connect-src {pyodide}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def is_vendored_file() -> bool:
    """This request is for a file under static/vendor/ (the same bytes for everyone)."""
    return request.endpoint == "static" and str(
        (request.view_args or {}).get("filename", "")
    ).startswith("vendor/")


class CheckedOnceSerializer(URLSafeTimedSerializer):
    """A timed serializer that remembers which signed values it has already verified.

    A browser sends the same session cookie (and a round the same CSRF token) on every
    request until something changes it; verifying its signature anew each time (two
    HMACs, two base64 decodes) cost an autosave ~12 % of its CPU (measured in-process,
    paired with URLSafeTimedSerializer; status ~5 %). A value that passed is kept
    with its signing time, keyed by the exact bytes and salt, and a later identical value
    skips the signature check only: its age is checked against `max_age` as itsdangerous
    does. What it decodes to is kept too when nothing in it can be changed in place (a
    scalar, or a flat dict of strings, numbers, booleans and None: a session cookie, a CSRF
    token), and each caller gets its own copy of the dict; anything else is decoded afresh
    (decoding was another ~4 % of an autosave). Anything not seen before, too old or from
    the future takes itsdangerous's own path, which raises as it always did. Only values
    that verified are ever kept, and a serializer belongs to one set of keys (a new one is
    built when the keys change), so nothing forged or signed with a retired key is
    accepted from the memo. At most MEMO values are kept; the memo starts afresh when full.
    """

    MEMO = 4096

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # (value, salt) -> (decoded, or the signed payload to decode; signed at; decoded?)
        self._verified: dict[tuple[bytes, object], tuple[object, int, bool]] = {}

    def loads(self, s, max_age=None, return_timestamp=False, salt=None):
        if return_timestamp:
            return super().loads(s, max_age=max_age, return_timestamp=True, salt=salt)
        key = (want_bytes(s), salt)
        seen = self._verified.get(key)
        if seen is not None:
            kept, signed_at, decoded = seen
            age = int(time.time()) - signed_at
            if age >= 0 and (max_age is None or age <= max_age):
                if not decoded:
                    return self.load_payload(kept)
                return dict(kept) if isinstance(kept, dict) else kept
        value, signed = super().loads(s, max_age=max_age, return_timestamp=True, salt=salt)
        if _unchangeable(value):
            kept, decoded = (dict(value) if isinstance(value, dict) else value), True
        else:
            sep = want_bytes(self.make_signer(salt).sep)
            kept, decoded = key[0].rsplit(sep, 2)[0], False  # payload, sep, time, sep, sig
        if len(self._verified) >= self.MEMO:
            self._verified.clear()
        self._verified[key] = (kept, int(signed.timestamp()), decoded)
        return value


_SCALARS = (str, int, float, bool, type(None))


def _unchangeable(value) -> bool:
    """A scalar, or a dict of string keys and scalar values: nothing a caller can change in
    place once it has its own copy of the dict."""
    if isinstance(value, _SCALARS):
        return True
    return isinstance(value, dict) and all(
        isinstance(name, str) and isinstance(item, _SCALARS) for name, item in value.items()
    )


def keep_sessions_off_vendored_files(app: Flask) -> None:
    """Never save the session on a vendored file's response.

    Flask adds "Vary: Cookie" (and may refresh the cookie) whenever a hook looked at the
    session, as Flask-Login's does on every request. A browser then revalidates or
    refetches a cached file each time the cookie changes: Pyodide is 13 MB.
    """
    base = type(app.session_interface)

    class VendorFreeSessions(base):
        def save_session(self, app, session, response):
            if is_vendored_file():
                return None
            return super().save_session(app, session, response)

        def get_signing_serializer(self, app):
            """Flask builds the cookie's serializer (and its signers) for every request;
            it depends only on the keys, so build it once per set of keys, as Flask
            builds it but one that checks each cookie's signature once."""
            if not app.secret_key:
                return None
            fallbacks = tuple(app.config.get("SECRET_KEY_FALLBACKS") or ())
            keys = (app.secret_key, fallbacks)
            cache = self.__dict__.setdefault("_serializers", {})
            if keys not in cache:
                cache.clear()  # keys changed (a test, a rotation): forget the old ones
                cache[keys] = CheckedOnceSerializer(
                    [*fallbacks, app.secret_key],  # itsdangerous: the current key last
                    salt=self.salt,
                    serializer=self.serializer,
                    signer_kwargs={
                        "key_derivation": self.key_derivation,
                        "digest_method": self.digest_method,
                    },
                )
            return cache[keys]

    app.session_interface = VendorFreeSessions()


def default_headers(config) -> tuple[tuple[str, str], ...]:
    """The headers every response carries unless it set its own (HSTS when configured)."""
    headers = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if config.get("HSTS"):
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return tuple(headers)


def no_store(response: Response) -> Response:
    """Mark a response (answers, reports) as never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Trust the configured proxies (by address) and add the security headers everywhere."""
    app.wsgi_app = TrustedProxies(app.wsgi_app, app.config["TRUSTED_PROXY_IPS"])
    app.jinja_env.globals["vendor"] = VENDOR
    keep_sessions_off_vendored_files(app)
    # Module workers and WebAssembly streaming refuse files served with a wrong type.
    mimetypes.add_type("application/wasm", ".wasm")
    mimetypes.add_type("text/javascript", ".mjs")

    defaults = tuple((name.lower(), name, value) for name, value in default_headers(app.config))

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        # One pass over the headers already set (a view's own CSP or caching wins), not a
        # lookup per default (each miss raises and catches a KeyError inside Werkzeug).
        present = {name.lower() for name, _ in headers}
        if request.endpoint == "static":
            static_file = (request.view_args or {}).get("filename", "")
            if static_file == CODE_WORKER:
                headers["Content-Security-Policy"] = worker_csp(request.host_url.rstrip("/"))
                present.add("content-security-policy")
            elif is_vendored_file() and response.status_code in (200, 304):
                headers["Cache-Control"] = VENDOR_CACHE
        elif "cache-control" not in present:
            # Pages are per user; keep them out of shared caches.
            headers["Cache-Control"] = "private, no-cache"
        for lowered, name, value in defaults:
            if lowered not in present:
                headers[name] = value
        headers.add("Vary", "HX-Request")
        return response
