"""Response headers every page carries (CSP, HSTS, nosniff, frames, referrer, permissions,
opener, caching)."""

from __future__ import annotations

from flask import Flask, Response, request

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


def no_store(response: Response) -> Response:
    """Mark a response (answers, reports) as never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Trust the configured proxies (by address) and add the security headers everywhere."""
    app.wsgi_app = TrustedProxies(app.wsgi_app, app.config["TRUSTED_PROXY_IPS"])

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and "Cache-Control" not in headers:
            # Pages are per user; keep them out of shared caches.
            headers["Cache-Control"] = "private, no-cache"
        headers.add("Vary", "HX-Request")
        return response
