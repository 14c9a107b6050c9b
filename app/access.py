"""Access control: deny by default.

Every endpoint requires a signed-in user unless its view is marked `@public`.
Blueprints that belong to one role guard themselves with `require_role` in
`before_request`, so a new view is protected the moment it is written.
Ownership checks (another candidate's session, an unlinked coach) answer 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.clock import utcnow
from app.extensions import login_manager

PUBLIC_ATTR = "_mockloop_public"
SIGNED_IN_AT = "_signed_in_at"  # epoch seconds of the sign-in, for the absolute lifetime


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in."""
    setattr(view, PUBLIC_ATTR, True)
    return view


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    """True for static files and views marked @public."""
    if endpoint is None or endpoint == "static":
        return True
    view = app.view_functions.get(endpoint)
    return view is not None and getattr(view, PUBLIC_ATTR, False)


def require_role(*roles: str) -> Callable[[], None]:
    """A `before_request` hook that answers 403 unless the user has one of `roles`."""

    def guard() -> None:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in roles:
            g.access_denied_reason = f"role {current_user.role} not in {', '.join(roles)}"
            abort(403)
        return None

    return guard


def sign_in(user, key: str) -> None:
    """Start a fresh session for `user` holding the server-side sign-in `key` (the cookie
    carries only that key); nothing from before survives (session fixation)."""
    session.clear()
    login_user(user)
    session["_user_id"] = key  # Flask-Login hands this to the user loader on each request
    session.permanent = True
    session[SIGNED_IN_AT] = int(utcnow().timestamp())


def current_sign_in_key() -> str | None:
    """The server-side sign-in key this browser's session carries, if any."""
    return sign_in_key(session)


def sign_in_key(data) -> str | None:
    """The sign-in key the session `data` carries, if any."""
    key = data.get("_user_id")
    return key if isinstance(key, str) else None


def renew_sign_in(user) -> None:
    """Re-issue this browser's session (new CSRF secret) on the same sign-in and its time."""
    signed_in_at = session.get(SIGNED_IN_AT)
    key = current_sign_in_key()
    sign_in(user, key or "")
    if isinstance(signed_in_at, int):
        session[SIGNED_IN_AT] = signed_in_at


def sign_out() -> None:
    """End the session in this browser (the caller ends the server-side sign-in)."""
    logout_user()
    session.clear()


def session_expired() -> bool:
    """True when the signed-in session is older than PERMANENT_SESSION_LIFETIME."""
    return sign_in_expired(session, current_app.permanent_session_lifetime, utcnow())


def sign_in_expired(data, lifetime: timedelta, now: datetime) -> bool:
    """True when the session `data` holds no sign-in time or one `lifetime` ago or more."""
    signed_in_at = data.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int):
        return True
    return now.timestamp() - signed_in_at >= lifetime.total_seconds()


# A role whose home is not the candidate's dashboard. Admins keep the dashboard: the admin
# pages are a tool list, not an overview.
HOME_BY_ROLE = {"coach": "coach.dashboard"}
DEFAULT_HOME = "home.dashboard"


def home_endpoint() -> str:
    """The signed-in user's home page: a coach's is the coach overview (/coach/), everyone
    else's the dashboard. Sign-in, the landing page and the header's links all go here."""
    return HOME_BY_ROLE.get(getattr(current_user, "role", None) or "", DEFAULT_HOME)


def safe_next(target: str | None, fallback: str | None = None) -> str:
    """A local path to redirect to after sign-in; anything else becomes `fallback`
    (by default the signed-in user's home, `home_endpoint`)."""
    target = (target or "").strip()
    # Browsers drop tabs and newlines inside URLs ("/\t/evil.com" is "//evil.com") and
    # read a backslash as a slash, so refuse the first and normalise the second.
    if target and not any(ord(char) < 32 or ord(char) == 127 for char in target):
        target = target.replace("\\", "/")
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for(fallback or home_endpoint())


def init_app(app: Flask) -> None:
    """Install the session lifetime check and deny-by-default.

    The user loader belongs to accounts (`app.accounts.loader.init_app`, called by the
    factory): this floor module knows signing in, not how an account is stored."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    app.jinja_env.globals["home_endpoint"] = home_endpoint

    @app.before_request
    def end_old_sessions():
        """Absolute lifetime: a sign-in ends PERMANENT_SESSION_LIFETIME after it began."""
        if "_user_id" in session and session_expired():
            sign_out()
            hours = round(current_app.permanent_session_lifetime.total_seconds() / 3600)
            flash(f"You were signed out after {hours} hours. Please sign in again.", "info")

    @app.before_request
    def deny_by_default():
        if is_public_endpoint(current_app, request.endpoint):
            return None
        if not current_user.is_authenticated:
            return refuse_anonymous()
        return None


def refuse_anonymous():
    """The answer to a request that is not signed in: to the sign-in page (htmx: 401 with
    HX-Redirect, which htmx follows with a full page load)."""
    target = url_for("accounts.login", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request"):
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def owner_or_404(owner_id: int) -> None:
    """404 (not 403) when the signed-in user does not own a resource: don't reveal it exists."""
    if not current_user.is_authenticated or current_user.id != owner_id:
        abort(404)
