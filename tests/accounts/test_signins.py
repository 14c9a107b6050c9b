"""Server-side sign-ins: a sign-out ends the sign-in everywhere its cookie was copied to.

Each sign-in is a row; the cookie carries its key. Sign-out, password change,
"sign out everywhere", deactivation and "sign out" on one device in Settings end rows;
admins are signed out after 30 idle minutes, everyone 12 hours after signing in; activity
(autosave included) refreshes last_seen_at at most once a minute.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models.signins import SignIn
from tests.conftest import PASSWORD

COOKIE = "mockloop_session"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def sign_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def rows(app, user_id: int) -> list[SignIn]:
    with app.app_context():
        found = db.session.scalars(select(SignIn).where(SignIn.user_id == user_id)).all()
        for row in found:
            db.session.expunge(row)
        return list(found)


def test_a_cookie_copied_before_sign_out_does_not_work_after_it(app, make_user):
    user_id = make_user(email="copied@example.com")
    browser = sign_in(app, "copied@example.com")
    thief = copy_of(app, browser)
    assert signed_in(thief)  # the copy works while the sign-in lives
    assert browser.post("/logout").status_code == 302
    assert not signed_in(browser)
    assert not signed_in(thief)
    [row] = rows(app, user_id)
    assert row.ended_reason == "signed out" and row.ended_at is not None


def test_the_cookie_holds_the_sign_in_key_not_the_user(app, make_user):
    user_id = make_user(email="key@example.com")
    browser = sign_in(app, "key@example.com")
    [row] = rows(app, user_id)
    with browser.session_transaction() as session:
        assert session["_user_id"] == row.key
    assert len(row.key) >= 40


def test_a_password_change_ends_the_other_sign_ins_and_keeps_this_one(app, make_user):
    make_user(email="change@example.com")
    here = sign_in(app, "change@example.com")
    there = sign_in(app, "change@example.com")
    copied = copy_of(app, there)
    new = "a brand new passphrase 2026"
    response = here.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(there) and not signed_in(copied)


def test_sign_out_everywhere_ends_the_others(app, make_user):
    make_user(email="everywhere2@example.com")
    here = sign_in(app, "everywhere2@example.com")
    there = sign_in(app, "everywhere2@example.com")
    assert here.post("/settings/sign-out-everywhere").status_code in (200, 302)
    assert signed_in(here) and not signed_in(there)


def test_deactivation_ends_every_sign_in(app, make_user):
    user_id = make_user(email="leaving@example.com")
    make_user(role="admin", email="boss@example.com")
    browser = sign_in(app, "leaving@example.com")
    admin = sign_in(app, "boss@example.com")
    assert admin.post(f"/admin/users/{user_id}/deactivate").status_code == 302
    assert not signed_in(browser)
    assert all(row.ended_at is not None for row in rows(app, user_id))


def test_settings_lists_the_devices_and_signs_one_out(app, make_user):
    user_id = make_user(email="devices@example.com")
    here = sign_in(app, "devices@example.com")
    there = sign_in(app, "devices@example.com")
    page = here.get("/settings").get_data(as_text=True)
    assert "Signed-in devices" in page
    assert page.count('data-sign-in="') == 2
    assert "This device" in page
    here_key = _key_of(here)
    other = next(r for r in rows(app, user_id) if r.key != here_key)
    response = here.post(f"/settings/devices/{other.id}/sign-out")
    assert response.status_code == 302
    assert not signed_in(there) and signed_in(here)


def _key_of(client) -> str:
    with client.session_transaction() as session:
        return session["_user_id"]


def test_nobody_signs_out_someone_elses_device(app, make_user):
    victim_id = make_user(email="victim@example.com")
    make_user(email="mallory@example.com")
    victim = sign_in(app, "victim@example.com")
    mallory = sign_in(app, "mallory@example.com")
    [row] = rows(app, victim_id)
    assert mallory.post(f"/settings/devices/{row.id}/sign-out").status_code == 404
    assert signed_in(victim)


def test_an_admin_is_signed_out_after_30_idle_minutes(app, make_user):
    make_user(role="admin", email="idle-admin@example.com")
    make_user(email="idle-candidate@example.com")
    with freeze_time(T0) as frozen:
        admin = sign_in(app, "idle-admin@example.com")
        candidate = sign_in(app, "idle-candidate@example.com")
        frozen.tick(timedelta(minutes=29))
        assert signed_in(admin)  # activity: last seen refreshed
        frozen.tick(timedelta(minutes=29))
        assert signed_in(admin)
        frozen.tick(timedelta(minutes=30))
        assert not signed_in(admin)
        assert signed_in(candidate)  # candidates have no idle limit


def test_everyone_is_signed_out_12_hours_after_signing_in(app, make_user):
    make_user(email="long@example.com")
    with freeze_time(T0) as frozen:
        browser = sign_in(app, "long@example.com")
        for _ in range(11):
            frozen.tick(timedelta(hours=1))
            assert signed_in(browser)
        frozen.tick(timedelta(hours=1))
        assert not signed_in(browser)


def test_last_seen_is_written_at_most_once_a_minute(app, make_user):
    user_id = make_user(email="touch@example.com")
    with freeze_time(T0) as frozen:
        browser = sign_in(app, "touch@example.com")
        frozen.tick(timedelta(seconds=30))
        assert signed_in(browser)
        assert rows(app, user_id)[0].last_seen_at == T0
        frozen.tick(timedelta(seconds=31))
        assert signed_in(browser)
        assert rows(app, user_id)[0].last_seen_at == T0 + timedelta(seconds=61)


def test_each_request_checks_the_sign_in_with_one_query(app, make_user):
    from sqlalchemy import event

    make_user(email="one-query@example.com")
    browser = sign_in(app, "one-query@example.com")
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert signed_in(browser)  # /dashboard uses current_user many times
    finally:
        event.remove(engine, "before_cursor_execute", record)
    lookups = [s for s in statements if "FROM user_sessions" in s]
    assert len(lookups) == 1, lookups
    assert re.search(r'user_sessions\."?key"? = ', lookups[0]) and "JOIN users" in lookups[0]
    assert not [s for s in statements if s.startswith("UPDATE user_sessions")]
