"""Error pages: full pages, htmx fragments, and a 500 that hides the traceback and rolls back."""

from __future__ import annotations

import pytest
from flask import abort
from sqlalchemy import func, select

from app.access import public
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.users import User
from tests import factories

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
}


@pytest.fixture
def failing_app(app):
    """The test app plus throwaway routes that fail in each way."""

    @public
    def fail(status: int):
        abort(status)

    @public
    def crash():
        db.session.add(
            factories.User(
                email="half@example.com", display_name="Half", password_hash="x", role="candidate"
            )
        )
        db.session.flush()  # written inside the transaction, never committed
        raise RuntimeError("secret internal detail: db password hunter2")

    app.add_url_rule("/test-fail/<int:status>", "test_fail", fail)
    app.add_url_rule("/test-crash", "test_crash", crash)
    return app


@pytest.mark.parametrize("status", [400, 403, 404, 405, 413, 429])
def test_each_error_has_a_full_page(failing_app, status):
    response = failing_app.test_client().get(f"/test-fail/{status}")
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert body.startswith("<!doctype html>")
    assert f"<h1>{TITLES[status]}</h1>" in body
    assert 'class="site-header"' in body  # navigation, so the user can go on
    assert response.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("status", [400, 403, 404, 405, 413, 429])
def test_each_error_is_a_fragment_for_htmx(failing_app, status):
    response = failing_app.test_client().get(f"/test-fail/{status}", headers={"HX-Request": "true"})
    assert response.status_code == status
    body = response.get_data(as_text=True).strip()
    assert body.startswith('<section class="error-page"')
    assert f"<h1>{TITLES[status]}</h1>" in body
    assert "<html" not in body


def test_boosted_navigation_gets_the_full_page(failing_app):
    response = failing_app.test_client().get(
        "/test-fail/404", headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert response.get_data(as_text=True).startswith("<!doctype html>")


def test_unknown_url_is_a_404_page(client):
    response = client.get("/definitely/not/here")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.get_data(as_text=True)


def test_wrong_method_is_a_405_page_with_allow(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"].split(", ")
    assert "<h1>Method not allowed</h1>" in response.get_data(as_text=True)


def test_500_hides_the_traceback_and_rolls_back(failing_app, caplog):
    client = failing_app.test_client()
    response = client.get("/test-crash")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "<h1>Something went wrong</h1>" in body
    assert "Traceback" not in body and "hunter2" not in body and "RuntimeError" not in body
    with failing_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert "hunter2" in caplog.text  # logged for the operator, not shown to the user
    # the app is still healthy afterwards
    assert client.get("/login").status_code == 200


def test_500_fragment_for_htmx(failing_app):
    response = failing_app.test_client().get("/test-crash", headers={"HX-Request": "true"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "<html" not in body and "hunter2" not in body


def test_403_is_audited(app, client, login_as):
    user_id = login_as("candidate")
    assert client.get("/admin/users").status_code == 403
    with app.app_context():
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "access.denied")
        ).all()
    assert event.actor_id == user_id
    assert event.details["path"] == "/admin/users"
    assert event.details["method"] == "GET"
    assert "candidate" in event.details["reason"]
