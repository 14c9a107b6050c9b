"""Access control: deny by default.

Every endpoint requires a signed-in user unless its view is marked `@public`.
Blueprints that belong to one role guard themselves with `require_role` in
`before_request`, so a new view is protected the moment it is written.
Ownership checks (another candidate's session, an unlinked coach) answer 404.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from app.extensions import login_manager

PUBLIC_ATTR = "_mockloop_public"


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in."""
    setattr(view, PUBLIC_ATTR, True)
    return view


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
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


def safe_next(target: str | None, fallback: str = "accounts.dashboard") -> str:
    """A local path to redirect to after sign-in; anything else becomes `fallback`."""
    if target:
        target = target.strip().replace("\\", "/")
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for(fallback)


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"

    @app.before_request
    def deny_by_default():
        if is_public_endpoint(current_app, request.endpoint):
            return None
        if not current_user.is_authenticated:
            if request.headers.get("HX-Request"):
                # htmx follows HX-Redirect with a full page load
                response = current_app.response_class(status=401)
                response.headers["HX-Redirect"] = url_for(
                    "accounts.login", next=request.full_path.rstrip("?")
                )
                return response
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        return None

    @login_manager.user_loader
    def load_user(login_id: str):
        from app.accounts.services import user_for_login_id

        return user_for_login_id(login_id)


def owner_or_404(owner_id: int) -> None:
    """404 (not 403) when the signed-in user does not own a resource: don't reveal it exists."""
    if not current_user.is_authenticated or current_user.id != owner_id:
        abort(404)
