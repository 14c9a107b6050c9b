"""Deny by default, proven over the whole url_map (routes added later are walked too).

Anonymous visitors are sent to sign in everywhere except the @public pages; candidates
and coaches get 403 on every /admin endpoint; candidates get 403 on every /coach one.
The only hand-kept list is PUBLIC_ENDPOINTS, and it is checked against the @public marks.
"""

from __future__ import annotations

import uuid

import pytest
from werkzeug.routing import AnyConverter, FloatConverter, IntegerConverter, UUIDConverter

from app.access import is_public_endpoint
from tests.conftest import PASSWORD

PUBLIC_ENDPOINTS = {
    "home.landing",
    "accounts.login",
    "accounts.register",
    "health.healthz",
    # links from emails: opened in any browser, the token is the credential
    "accounts.forgot_password",
    "accounts.reset_password",
    "accounts.verify_email",
    "accounts.finish_sign_up",
    "accounts.confirm_email_change",
    "accounts.unsubscribe",
}
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def dummy_value(converter):
    """A value each converter accepts, so every rule can be built."""
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, FloatConverter):
        return 1.0
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    if isinstance(converter, AnyConverter):
        return converter.items[0] if hasattr(converter, "items") else "x"
    return "x"


def walk(app):
    """Every (rule, method, url) the app answers, static files excluded."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        values = {name: dummy_value(conv) for name, conv in rule._converters.items()}
        url = rule.build(values)[1]
        for method in sorted(rule.methods - SKIPPED_METHODS):
            yield rule, method, url


def signed_in_client(app, make_user, role):
    make_user(role=role, email=f"walk-{role}@example.com")
    client = app.test_client()
    response = client.post(
        "/login", data={"email": f"walk-{role}@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_public_allow_list_matches_the_public_marks(app):
    marked = {
        endpoint
        for endpoint in app.view_functions
        if endpoint != "static" and is_public_endpoint(app, endpoint)
    }
    assert marked == PUBLIC_ENDPOINTS


def test_the_walk_covers_every_blueprint(app):
    walked = {rule.endpoint.split(".")[0] for rule, _, _ in walk(app)}
    assert {"accounts", "admin", "coach", "practice", "bank", "learning", "home"} <= walked


def test_anonymous_is_sent_to_sign_in_everywhere_but_public_pages(app, client):
    checked = 0
    for rule, method, url in walk(app):
        response = client.open(url, method=method)
        if rule.endpoint in PUBLIC_ENDPOINTS:
            assert response.status_code < 500, (method, url)
            continue
        assert response.status_code == 302, (method, url, response.status_code)
        assert response.location.startswith("/login?next="), (method, url, response.location)
        checked += 1
    assert checked >= 10


def test_anonymous_htmx_request_gets_hx_redirect(client):
    response = client.get("/dashboard", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["candidate", "coach"])
def test_non_admins_get_403_on_every_admin_endpoint(app, make_user, role):
    client = signed_in_client(app, make_user, role)
    admin_urls = [(m, u) for rule, m, u in walk(app) if rule.rule.startswith("/admin")]
    assert len(admin_urls) >= 4
    for method, url in admin_urls:
        response = client.open(url, method=method)
        assert response.status_code == 403, (role, method, url, response.status_code)


def test_candidates_get_403_on_every_coach_endpoint(app, make_user):
    client = signed_in_client(app, make_user, "candidate")
    coach_urls = [(m, u) for rule, m, u in walk(app) if rule.rule.startswith("/coach/")]
    assert coach_urls
    for method, url in coach_urls:
        response = client.open(url, method=method)
        assert response.status_code == 403, (method, url, response.status_code)


@pytest.mark.parametrize("role", ["candidate", "coach", "admin"])
def test_no_endpoint_fails_with_a_server_error(app, make_user, role):
    """Dummy ids and empty forms get 4xx or a page, never a 500, for every role."""
    client = signed_in_client(app, make_user, role)
    for rule, method, url in walk(app):
        if rule.endpoint in {
            "accounts.logout",
            "accounts.sign_out_device",
            "admin.deactivate",
            "admin.change_role",
        }:
            continue  # these would end the walk's own session
        response = client.open(url, method=method)
        assert response.status_code < 500, (role, method, url)
