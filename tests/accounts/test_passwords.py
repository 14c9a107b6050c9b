"""Password policy (12-128 characters, common passwords refused) and argon2id hashing."""

from __future__ import annotations

import pytest

from app.accounts.passwords import (
    COMMON_PASSWORDS_FILE,
    common_passwords,
    hash_password,
    password_problem,
    verify_password,
)


def test_the_common_list_is_a_real_list():
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    assert len(common_passwords()) >= 10_000
    assert lines[:3] == ["123456", "password", "12345678"]  # most common first
    assert all(line == line.strip().lower() and line for line in lines)


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("a" * 11, True),
        ("Abcdefgh1234"[:11], True),
        ("plum kettle x", False),  # 13 characters
        ("twelve chars", False),  # exactly 12
        ("x" * 127 + "y", False),  # exactly 128
        ("y" * 128 + "z", True),  # 129
    ],
)
def test_length_is_12_to_128(password, refused):
    assert (password_problem(password) is not None) is refused


@pytest.mark.parametrize(
    "password",
    [
        "123456789012",  # straight from the list
        "QWERTYUIOPASDFGH"[:12],  # list entry, other case
        "Password2026!",  # a listed word padded with digits and symbols
        "!!Sunshine!!123",
        "abcabcabcabc",  # a short unit repeated
        "zzzzzzzzzzzzzz",
    ],
)
def test_common_and_patterned_passwords_are_refused(password):
    problem = password_problem(password)
    assert problem is not None and ("too common" in problem or "repeated" in problem)


def test_password_equal_to_email_is_refused():
    assert password_problem("Long.Name@Example.com", "long.name@example.com") is not None


@pytest.mark.parametrize(
    "password", ["correct horse battery staple 42", "plum kettle orbit", "Gr4dient-desc3nt-at-dawn"]
)
def test_reasonable_passphrases_are_accepted(password):
    assert password_problem(password) is None


def test_hashes_are_argon2id_and_verify(app):
    with app.app_context():
        hashed = hash_password("plum kettle orbit")
        assert hashed.startswith("$argon2id$")
        assert verify_password(hashed, "plum kettle orbit")
        assert not verify_password(hashed, "plum kettle orbiT")
        assert not verify_password("not a hash", "plum kettle orbit")


def test_production_cost_is_owasp_profile():
    from app.config import Config, TestConfig

    assert (Config.ARGON2_MEMORY_COST, Config.ARGON2_TIME_COST) == (19 * 1024, 2)
    assert TestConfig.ARGON2_MEMORY_COST < Config.ARGON2_MEMORY_COST  # tests stay fast


def test_registration_refuses_a_common_password(client):
    response = client.post(
        "/register",
        data={
            "email": "weak@example.com",
            "display_name": "Weak",
            "password": "qwertyuiop123",
            "confirm": "qwertyuiop123",
        },
    )
    assert response.status_code == 422
    assert "This password is too common" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
