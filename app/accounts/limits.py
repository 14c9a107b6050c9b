"""The sign-in and sign-up limits (docs/security.md), counted in the shared limiter store.

Failed sign-ins count per account *and* client address (so an attacker's failures never
lock the owner out of another client), per client address, and per account across all
clients with a high cap. Every sign-up try counts per client address (each costs a hash).
The client address is `request.remote_addr`, which only a trusted proxy can set
(app/proxies.py).
"""

from __future__ import annotations

from flask import current_app, request

from app.extensions import limiter
from app.models.users import normalise_email


def _account() -> str:
    return normalise_email(request.form.get("email", ""))[:254]


def account_and_client_key() -> str:
    """One account from one client address."""
    return f"account:{_account()}|client:{request.remote_addr}"


def account_key() -> str:
    """One account, from any client address."""
    return f"account:{_account()}"


def client_key() -> str:
    return f"client:{request.remote_addr}"


def failed(response) -> bool:
    """Only failed attempts count towards the sign-in limits."""
    return response.status_code >= 400


def sign_in_limits(view):
    """Decorate the sign-in view with its three limits (POST only, failures only)."""
    config = current_app_config
    for scope, setting, key in (
        ("login-account-client", "LOGIN_LIMIT_PER_ACCOUNT", account_and_client_key),
        ("login-ip", "LOGIN_LIMIT_PER_IP", client_key),
        ("login-account", "LOGIN_LIMIT_PER_ACCOUNT_ALL_CLIENTS", account_key),
    ):
        view = limiter.limit(
            config(setting), key_func=key, methods=["POST"], scope=scope, deduct_when=failed
        )(view)
    return view


def sign_up_limit(view):
    """Decorate the sign-up view: every POST counts per client address."""
    return limiter.limit(
        current_app_config("SIGNUP_LIMIT_PER_IP"),
        key_func=client_key,
        methods=["POST"],
        scope="signup-ip",
    )(view)


def current_app_config(name: str):
    """A limit read from config when each request is checked (tests and env may change it)."""
    return lambda: current_app.config[name]
