"""Views marked `@unlimited` (app/ratelimits.py) get no limit from Flask-Limiter's request
filter, so none of them may carry a limit of its own, and they answer as before: no
rate-limit headers, while a limited view still counts and refuses."""

from __future__ import annotations

from flask_limiter.util import get_qualified_name

from app.extensions import limiter
from app.ratelimits import UNLIMITED_ATTR, is_unlimited


def test_no_view_marked_unlimited_has_a_limit(app):
    marked = {
        endpoint: view
        for endpoint, view in app.view_functions.items()
        if getattr(view, UNLIMITED_ATTR, False)
    }
    assert {"practice.autosave", "practice.status", "practice.round_page"} <= set(marked)
    for endpoint, view in marked.items():
        assert get_qualified_name(view) not in limiter._marked_for_limiting, endpoint
        assert not limiter.limit_manager.has_hints(endpoint), endpoint
        assert is_unlimited(app, endpoint)
    assert not app.config.get("RATELIMIT_META")


def test_an_unlimited_view_has_no_limit_headers_and_a_limited_one_still_counts(
    app, client, running
):
    session_id = running()
    status = client.get(f"/practice/sessions/{session_id}/status")
    assert status.status_code == 200
    assert not any(name.lower().startswith("x-ratelimit") for name, _ in status.headers)
    client.post("/logout")
    for _ in range(30):  # the sign-in form keeps its limits (20 per minute per address)
        last = client.post("/login", data={"email": "nobody@example.com", "password": "x"})
    assert last.status_code == 429
