"""Passwords with control characters (NUL, line breaks, DEL, lone surrogates) are refused.

Some libraries cut a password at NUL, so "correct horse\\0anything" could mean two things.
"""

from __future__ import annotations

import pytest

from app.accounts.passwords import password_problem
from tests.conftest import PASSWORD

MESSAGE = "Your password contains a control character"


@pytest.mark.parametrize(
    "password",
    [
        "horse battery\x00staple",
        "horse battery\nstaple",
        "horse\tbattery staple",
        "horse\x7fbattery staple x",
        "horse battery\ud800staple",
    ],
)
def test_control_characters_are_refused(password):
    assert password_problem(password).startswith(MESSAGE)


@pytest.mark.parametrize(
    "password", ["horse battery staple ünï", "пароль-лошадь-батарея", "a b c d e f g h 😀"]
)
def test_spaces_symbols_and_other_scripts_are_fine(password):
    assert password_problem(password) is None


def test_sign_up_refuses_a_control_character_with_a_clear_message(client):
    password = "horse battery\x01staple"
    response = client.post(
        "/register",
        data={
            "email": "nul@example.com",
            "display_name": "Nul",
            "password": password,
            "confirm": password,
        },
    )
    assert response.status_code in (200, 422)
    assert MESSAGE in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_a_nul_anywhere_in_a_form_is_refused_before_the_password_is_looked_at(client):
    password = "horse battery\x00staple"
    response = client.post(
        "/register",
        data={
            "email": "nul@example.com",
            "display_name": "N",
            "password": password,
            "confirm": password,
        },
    )
    assert response.status_code == 422
    assert "NUL character" in response.get_data(as_text=True)


def test_password_change_refuses_a_control_character(client, login_as):
    login_as("candidate")
    new = "horse battery\x1bstaple"
    response = client.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code == 422
    assert MESSAGE in response.get_data(as_text=True)
