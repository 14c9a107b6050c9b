"""Account settings: change password, sign out other devices, time zone."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.passwords import verify_password
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.users import User
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase 2026"


def second_device(app, email):
    other = app.test_client()
    assert other.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    assert other.get("/dashboard").status_code == 200
    return other


def user(app, user_id) -> User:
    with app.app_context():
        found = db.session.get(User, user_id)
        db.session.expunge(found)
        return found


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_settings_page_shows_the_three_forms(client, login_as):
    login_as("candidate")
    page = client.get("/settings").get_data(as_text=True)
    assert "Change password" in page
    assert "End all other sessions" in page
    assert '<option selected value="UTC">UTC</option>' in page
    assert page.count("<option") > 300  # every IANA zone
    assert 'data-hx-post="/settings/sign-out-everywhere"' in page


def test_change_password_signs_out_other_devices_and_keeps_this_one(app, client, login_as):
    user_id = login_as("candidate", email="rotate@example.com")
    other = second_device(app, "rotate@example.com")
    response = client.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    after = user(app, user_id)
    with app.app_context():
        assert verify_password(after.password_hash, NEW_PASSWORD)
    assert client.get("/dashboard").status_code == 200  # this browser stays in
    assert other.get("/dashboard").status_code == 302  # the other device is out at once
    assert "account.password_change" in actions(app)
    fresh = app.test_client()
    assert (
        fresh.post("/login", data={"email": "rotate@example.com", "password": PASSWORD}).status_code
        == 401
    )
    assert (
        fresh.post(
            "/login", data={"email": "rotate@example.com", "password": NEW_PASSWORD}
        ).status_code
        == 302
    )


def test_change_password_needs_the_current_password(app, client, login_as):
    user_id = login_as("candidate")
    before = user(app, user_id)
    response = client.post(
        "/settings/password",
        data={
            "current_password": "not my password!!",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 422
    assert "Your current password is not right." in response.get_data(as_text=True)
    after = user(app, user_id)
    assert after.password_hash == before.password_hash
    assert after.session_token == before.session_token


def test_new_password_follows_the_policy(app, client, login_as):
    login_as("candidate")
    for new, message in [
        ("short", "Field must be between 12 and 128 characters long."),
        ("password1234", "This password is too common"),
        (PASSWORD, "Choose a password different from the current one."),
    ]:
        response = client.post(
            "/settings/password",
            data={"current_password": PASSWORD, "new_password": new, "confirm": new},
        )
        assert response.status_code == 422, new
        assert message in response.get_data(as_text=True), new
    mismatch = client.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": "other"},
    )
    assert "Passwords differ." in mismatch.get_data(as_text=True)


def test_sign_out_everywhere_keeps_this_browser(app, client, login_as):
    login_as("candidate", email="everywhere@example.com")
    other = second_device(app, "everywhere@example.com")
    response = client.post("/settings/sign-out-everywhere")
    assert response.status_code == 302 and response.location == "/settings"
    assert other.get("/dashboard").status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert "account.sign_out_everywhere" in actions(app)


def test_sign_out_everywhere_by_htmx_returns_a_status_fragment(app, client, login_as):
    login_as("candidate", email="hx@example.com")
    other = second_device(app, "hx@example.com")
    response = client.post("/settings/sign-out-everywhere", headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Every other device has been signed out." in body
    assert "<html" not in body
    assert other.get("/dashboard").status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_time_zone_is_chosen_from_iana_names(app, client, login_as):
    user_id = login_as("candidate")
    response = client.post(
        "/settings/timezone", data={"timezone": "America/Argentina/Buenos_Aires"}
    )
    assert response.status_code == 302
    assert user(app, user_id).timezone == "America/Argentina/Buenos_Aires"
    page = client.get("/settings").get_data(as_text=True)
    assert '<option selected value="America/Argentina/Buenos_Aires">' in page


def test_unknown_time_zone_is_refused_and_nothing_changes(app, client, login_as):
    user_id = login_as("candidate")
    for bad in ["Mars/Olympus_Mons", "", "../../etc/passwd", "utc+2"]:
        response = client.post("/settings/timezone", data={"timezone": bad})
        assert response.status_code == 422, bad
        assert user(app, user_id).timezone == "UTC"
    assert "Choose a time zone from the list" in response.get_data(as_text=True)


def test_set_time_zone_service_validates_too(app, make_user):
    import pytest

    from app.accounts import services

    user_id = make_user()
    with app.app_context():
        with pytest.raises(services.AccountError):
            services.set_time_zone(user_id, "Nowhere/Special")
        assert services.set_time_zone(user_id, "Asia/Kolkata").timezone == "Asia/Kolkata"
