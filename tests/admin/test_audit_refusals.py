"""Refusals leave a trace: 404 on someone else's object, CSRF failures, 429s and sign-outs are
audited with who, what, the client address and the request id; the audit page filters by
kind and downloads as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from tests.conftest import PASSWORD

IP = "203.0.113.44"


def events(app, action):
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def signed_in(app, make_user, role="candidate", email=None):
    email = email or f"{role}-audit@example.com"
    user_id = make_user(role=role, email=email)
    client = app.test_client()
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": IP}
    )
    assert response.status_code == 302
    return user_id, client


def test_a_404_on_an_object_is_audited_with_who_where_and_request_id(app, make_user):
    user_id, client = signed_in(app, make_user)
    response = client.get("/practice/sessions/4242", environ_base={"REMOTE_ADDR": IP})
    assert response.status_code == 404
    [event] = events(app, "access.not_found")
    assert event.actor_id == user_id and event.ip == IP
    assert event.details["path"] == "/practice/sessions/4242"
    assert event.details["request_id"] == response.headers["X-Request-ID"]


def test_a_page_that_does_not_exist_is_not_an_object_refusal(app, make_user):
    _, client = signed_in(app, make_user)
    assert client.get("/no-such-page").status_code == 404
    assert events(app, "access.not_found") == []


@pytest.mark.csrf
def test_a_csrf_failure_is_audited(app, make_user):
    from tests.conftest import csrf_token

    make_user(email="csrf-audit@example.com")
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": "csrf-audit@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    response = client.post("/settings/timezone", data={"timezone": "UTC", "csrf_token": "forged"})
    assert response.status_code == 400
    [event] = events(app, "csrf.failed")
    assert event.details["path"] == "/settings/timezone"
    assert event.details["request_id"] == response.headers["X-Request-ID"]


def test_a_429_is_audited(app):
    client = app.test_client()
    limit = int(app.config["LOGIN_LIMIT_PER_IP"].split()[0])
    for n in range(limit + 1):
        response = client.post(
            "/login",
            data={"email": f"x{n}@example.com", "password": "wrong wrong wrong"},
            environ_base={"REMOTE_ADDR": IP},
        )
    assert response.status_code == 429
    [event] = events(app, "rate_limited")
    assert event.ip == IP and event.details["path"] == "/login"
    assert event.details["retry_after"] > 0 and "request_id" in event.details


def test_a_sign_out_is_audited(app, make_user):
    user_id, client = signed_in(app, make_user)
    response = client.post("/logout", environ_base={"REMOTE_ADDR": IP})
    assert response.status_code == 302
    [event] = events(app, "logout")
    assert event.actor_id == user_id and event.ip == IP
    assert event.details["request_id"] == response.headers["X-Request-ID"]


def test_the_audit_log_filters_by_kind_and_downloads_as_csv(app, make_user):
    _, candidate = signed_in(app, make_user)
    candidate.get("/practice/sessions/777", environ_base={"REMOTE_ADDR": IP})
    candidate.post("/logout")
    _, admin = signed_in(app, make_user, role="admin")
    page = admin.get("/admin/audit?action=access.not_found").get_data(as_text=True)
    assert "/practice/sessions/777" in page and "logout</td>" not in page
    assert 'href="/admin/audit.csv?action=access.not_found"' in page
    response = admin.get("/admin/audit.csv?action=access.not_found")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["access.not_found"]
    assert rows[0]["ip"] == IP and rows[0]["actor_email"] == "candidate-audit@example.com"
    assert rows[0]["request_id"]
    everything = admin.get("/admin/audit.csv").get_data(as_text=True)
    assert "logout" in everything and "login" in everything


def test_csv_cells_cannot_run_as_spreadsheet_formulas(app, make_user):
    _, admin = signed_in(app, make_user, role="admin")
    with app.app_context():
        from app.models import audit

        audit.record("test.formula", ip='=HYPERLINK("http://evil")')
        db.session.commit()
    body = admin.get("/admin/audit.csv?action=test.formula").get_data(as_text=True)
    assert "'=HYPERLINK" in body


def test_a_data_download_is_audited(app, make_user):
    user_id, client = signed_in(app, make_user)
    response = client.get("/settings/data/export.zip", environ_base={"REMOTE_ADDR": IP})
    assert response.status_code == 200
    response.get_data()  # the stream, read to the end
    [event] = events(app, "data.export")
    assert event.actor_id == user_id and event.ip == IP and event.details["request_id"]
