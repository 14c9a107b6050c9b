"""Colours per account (issue 18): Settings stores the choice with the user, so it follows
them to every browser; signed-out pages read the browser's cookie; on sign-in the stored
choice wins, and an account that never chose adopts the browser's cookie choice."""

from __future__ import annotations

import pytest

from app.accounts import services
from app.accounts.services import AccountError
from app.extensions import db
from app.models.users import User
from tests.factories import PASSWORD

HTML_DARK = '<html lang="en" class="theme-dark">'
HTML_LIGHT = '<html lang="en" class="theme-light">'


def _theme(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).theme


def test_settings_store_the_choice_with_the_account(app, client, login_as):
    me = login_as()
    assert _theme(app, me) is None
    response = client.post("/settings/theme", data={"theme": "dark"})
    assert response.status_code == 302
    assert _theme(app, me) == "dark"
    page = client.get("/settings").get_data(as_text=True)
    assert HTML_DARK in page and "Colours saved for your account." in page


def test_a_bad_choice_is_refused_with_a_message_and_nothing_is_stored(app, client, login_as):
    me = login_as()
    response = client.post("/settings/theme", data={"theme": "purple"})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _theme(app, me) is None
    with app.app_context(), pytest.raises(AccountError):
        services.set_theme(me, "purple")


def test_the_stored_choice_follows_the_user_to_a_fresh_browser(app, make_user):
    me = make_user(email="two@example.com")
    first, second = app.test_client(), app.test_client()
    assert (
        first.post("/login", data={"email": "two@example.com", "password": PASSWORD}).status_code
        == 302
    )
    first.post("/settings/theme", data={"theme": "dark"})
    # a fresh browser with no cookie: signed out it follows the system, signed in: dark
    assert HTML_DARK not in second.get("/login").get_data(as_text=True)
    second.post("/login", data={"email": "two@example.com", "password": PASSWORD})
    assert HTML_DARK in second.get("/settings").get_data(as_text=True)
    assert _theme(app, me) == "dark"


def test_on_sign_in_the_stored_choice_wins_over_the_cookie(app, client, make_user):
    me = make_user(email="three@example.com")
    with app.app_context():
        db.session.get(User, me).theme = "light"
        db.session.commit()
    client.set_cookie("theme", "dark")
    assert HTML_DARK in client.get("/login").get_data(as_text=True)  # signed out: cookie
    client.post("/login", data={"email": "three@example.com", "password": PASSWORD})
    assert HTML_LIGHT in client.get("/settings").get_data(as_text=True)
    assert _theme(app, me) == "light"


def test_an_account_that_never_chose_adopts_the_cookie_at_sign_in(app, client, make_user):
    me = make_user(email="four@example.com")
    client.set_cookie("theme", "dark")
    client.post("/login", data={"email": "four@example.com", "password": PASSWORD})
    assert _theme(app, me) == "dark"
    other = app.test_client()
    other.post("/login", data={"email": "four@example.com", "password": PASSWORD})
    assert HTML_DARK in other.get("/settings").get_data(as_text=True)


def test_an_unknown_cookie_value_is_not_adopted(app, client, make_user):
    me = make_user(email="five@example.com")
    client.set_cookie("theme", "<script>")
    client.post("/login", data={"email": "five@example.com", "password": PASSWORD})
    assert _theme(app, me) is None
    page = client.get("/settings").get_data(as_text=True)
    assert '<html lang="en">' in page
