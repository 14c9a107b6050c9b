"""Session security: token in the login id, cookie flags, a 12-hour absolute lifetime."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from app.extensions import db
from app.models.users import User

SIGNED_IN = "2026-03-02 08:00:00"


def set_cookie(response) -> str:
    [cookie] = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    return cookie


def test_session_cookie_is_httponly_lax_and_permanent(client, auth, make_user):
    make_user(email="cookie@example.com")
    with freeze_time(SIGNED_IN):
        cookie = set_cookie(auth.login("cookie@example.com"))
    assert cookie.startswith("mockloop_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # testing profile runs over http
    assert "Expires=Mon, 02 Mar 2026 20:00:00 GMT" in cookie  # 12 h


def test_no_remember_me_cookie_is_ever_set(client, auth, make_user):
    make_user(email="noremember@example.com")
    response = auth.login("noremember@example.com", remember="y")
    assert all("remember_token" not in v for k, v in response.headers.items() if k == "Set-Cookie")
    assert "remember" not in client.get("/login").get_data(as_text=True).lower()


def test_signed_out_after_12_hours_even_when_active(client, auth, make_user):
    with freeze_time(SIGNED_IN) as frozen:
        make_user(email="busy@example.com")
        assert auth.login("busy@example.com").status_code == 302
        for _ in range(11):
            frozen.tick(timedelta(hours=1))
            assert client.get("/dashboard").status_code == 200
        frozen.tick(timedelta(minutes=59, seconds=59))
        assert client.get("/dashboard").status_code == 200  # 11:59:59 after sign-in
        frozen.tick(timedelta(seconds=1))
        response = client.get("/dashboard")
        assert response.status_code == 302
        assert response.location.startswith("/login")
        page = client.get(response.location).get_data(as_text=True)
        assert "You were signed out after 12 hours." in page
        assert auth.login("busy@example.com").status_code == 302  # a new sign-in works
        assert client.get("/dashboard").status_code == 200


def test_the_sign_out_notice_follows_the_configured_lifetime(app, client, auth, make_user):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=2)
    with freeze_time(SIGNED_IN) as frozen:
        make_user(email="short@example.com")
        assert auth.login("short@example.com").status_code == 302
        frozen.tick(timedelta(hours=2))
        response = client.get("/dashboard")
        assert response.status_code == 302
        page = client.get(response.location).get_data(as_text=True)
        assert "You were signed out after 2 hours." in page


def test_ending_other_sessions_does_not_extend_this_one(client, auth, make_user):
    with freeze_time(SIGNED_IN) as frozen:
        make_user(email="extend@example.com")
        auth.login("extend@example.com")
        frozen.tick(timedelta(hours=11))
        assert client.post("/settings/sign-out-everywhere").status_code == 302
        assert client.get("/dashboard").status_code == 200
        frozen.tick(timedelta(hours=1))
        assert client.get("/dashboard").status_code == 302


def test_a_session_without_sign_in_time_is_ended(app, client, auth, make_user):
    user_id = make_user(email="old@example.com")
    with app.app_context():
        token = db.session.get(User, user_id).session_token
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:{token}"  # a cookie from before the lifetime rule
    assert client.get("/dashboard").status_code == 302


def test_an_ended_sign_in_resolves_to_nobody(app, client, auth, make_user):
    from app.models.signins import SignIn

    user_id = make_user(email="stale@example.com")
    auth.login("stale@example.com")
    with app.app_context():
        row = db.session.scalar(db.select(SignIn).where(SignIn.user_id == user_id))
        row.ended_at = row.created_at
        db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_a_forged_login_id_without_token_resolves_to_nobody(app, client, make_user):
    user_id = make_user(email="forge@example.com")
    for forged in [str(user_id), f"{user_id}:", f"{user_id}:guess", "x:y"]:
        with client.session_transaction() as session:
            session["_user_id"] = forged
            session["_signed_in_at"] = 4_000_000_000
        assert client.get("/dashboard").status_code == 302, forged
