"""Sign-up: limited per client address, and an existing email costs the same time as a new one
(both hash the password once and send one email)."""

from __future__ import annotations

import statistics
import time

from tests import factories
from tests.conftest import make_app, wipe_tables
from tests.factories import PASSWORD

FORM = {"display_name": "New", "password": PASSWORD, "confirm": PASSWORD}


def sign_up(client, email: str, ip: str = "198.51.100.10"):
    return client.post("/register", data={"email": email, **FORM}, environ_base={"REMOTE_ADDR": ip})


def test_sign_up_is_limited_per_client_address(app):
    limit = int(app.config["SIGNUP_LIMIT_PER_IP"].split()[0])
    assert app.config["SIGNUP_LIMIT_PER_IP"] == "10 per hour"
    for n in range(limit):
        assert sign_up(app.test_client(), f"new{n}@example.com").status_code == 200
    refused = sign_up(app.test_client(), "one-more@example.com")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "<h1>Too many attempts</h1>" in page and "Try again in" in page
    assert int(refused.headers["Retry-After"]) > 60
    # another client address can still sign up
    assert (
        sign_up(app.test_client(), "elsewhere@example.com", ip="198.51.100.11").status_code == 200
    )


def test_an_existing_email_takes_as_long_as_a_new_one(database_url, _schema):
    """With production's argon2 cost (~50 ms a hash) both answers hash once."""
    app = make_app(
        database_url,
        WTF_CSRF_ENABLED=False,
        ARGON2_TIME_COST=2,
        ARGON2_MEMORY_COST=19 * 1024,
        SIGNUP_LIMIT_PER_IP="1000 per hour",
        SIGNUP_LIMIT_PER_ADDRESS="1000 per hour",
    )
    try:
        with app.app_context():
            factories.user(email="taken@example.com")
        new, existing = [], []
        for n in range(5):
            started = time.perf_counter()
            assert sign_up(app.test_client(), f"fresh{n}@example.com").status_code == 200
            new.append(time.perf_counter() - started)
            started = time.perf_counter()
            response = sign_up(app.test_client(), "taken@example.com")
            existing.append(time.perf_counter() - started)
            assert response.status_code == 200
            assert "Check your inbox" in response.get_data(as_text=True)
        ratio = statistics.median(existing) / statistics.median(new)
        assert 0.5 < ratio < 2, (new, existing)
    finally:
        with app.app_context():
            wipe_tables()
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
