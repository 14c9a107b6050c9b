"""Every limit holds with 2 real gunicorn workers sharing Redis, and nobody picks their address.

One host (deploy/gunicorn.conf.py, 2 workers) on PostgreSQL and Redis. Each try opens a
new connection, so the tries spread over both workers; a limit kept per worker would let
through about twice its number. Clients are told apart by X-Forwarded-For, which the host
believes from 127.0.0.1 only when 127.0.0.1 is a trusted proxy (as for a local nginx);
a host that does not trust 127.0.0.1 ignores the header, whatever it says.

Needs PostgreSQL (TEST_DATABASE_URL) and Redis (TEST_REDIS_URL); CI has both.
"""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import create_engine, text

from tests.hosts import Browser, Host, free_port, own_database, production_env, run_redis, wait_for
from tests.hosts import sign_up as sign_up_through

pytestmark = [pytest.mark.postgres_only, pytest.mark.redis, pytest.mark.several_hosts]

PASSWORD = "a long passphrase for the limits"
PER_ACCOUNT_CLIENT = 3
PER_ACCOUNT_ALL = 7
PER_CLIENT = 6
SIGNUPS = 4


@pytest.fixture(scope="module")
def redis():
    with run_redis() as server:
        yield server


@pytest.fixture(scope="module")
def env(redis):
    with own_database("limits") as database:
        yield production_env(
            database,
            MOCKLOOP_LOGIN_LIMIT_PER_ACCOUNT=f"{PER_ACCOUNT_CLIENT} per minute",
            MOCKLOOP_LOGIN_LIMIT_PER_ACCOUNT_ALL_CLIENTS=f"{PER_ACCOUNT_ALL} per hour",
            MOCKLOOP_LOGIN_LIMIT_PER_IP=f"{PER_CLIENT} per minute",
            MOCKLOOP_SIGNUP_LIMIT_PER_IP=f"{SIGNUPS} per hour",
            MOCKLOOP_WORKERS="2",
            MOCKLOOP_THREADS="2",
            MOCKLOOP_DB_POOL_SIZE="2",
        )


@pytest.fixture
def host(env, tmp_path, redis):
    """A 2-worker host that trusts X-Forwarded-For from 127.0.0.1 (a local nginx)."""
    redis.flushdb()
    started = Host(env, free_port(), tmp_path / "host.log")
    try:
        wait_for(started.port)
        yield started
    finally:
        started.stop()


@pytest.fixture
def exposed_host(env, tmp_path, redis):
    """A 2-worker host reached directly: 127.0.0.1 is not a proxy it trusts."""
    redis.flushdb()
    started = Host({**env, "TRUSTED_PROXY_IPS": "192.0.2.1"}, free_port(), tmp_path / "h.log")
    try:
        wait_for(started.port)
        yield started
    finally:
        started.stop()


def client(port: int, address: str) -> Browser:
    """A browser whose requests arrive through the local proxy from `address`."""
    browser = Browser(port)
    original = browser.request

    def request(method, path, form=None, headers=None):
        return original(method, path, form, {"X-Forwarded-For": address, **(headers or {})})

    browser.request = request
    return browser


def sign_up(port: int, email: str, address: str = "198.51.100.200") -> None:
    sign_up_through(client(port, address), email, "Owner", PASSWORD)


def try_sign_in(port: int, address: str, email: str, password: str):
    browser = client(port, address)
    return browser.post("/login", {"email": email, "password": password}, "/login")


def test_an_attacker_cannot_lock_the_owner_out(host):
    email = f"owner-{secrets.token_hex(4)}@example.com"
    sign_up(host.port, email)
    attacker = [
        try_sign_in(host.port, "203.0.113.9", email, "not the password!!")[0]
        for _ in range(PER_ACCOUNT_CLIENT + 3)
    ]
    assert [r.status for r in attacker] == [401] * PER_ACCOUNT_CLIENT + [429] * 3
    retry_after = attacker[-1].getheader("Retry-After")
    assert retry_after and retry_after.isdigit() and 0 < int(retry_after) <= 60
    # the owner, from a client that has not failed, signs in at once
    response, _ = try_sign_in(host.port, "198.51.100.7", email, PASSWORD)
    assert response.status == 302, response.status
    # and the attacker is still refused, even with the right password
    response, page = try_sign_in(host.port, "203.0.113.9", email, PASSWORD)
    assert response.status == 429
    assert "Try again in" in page


def test_an_account_has_a_cap_across_all_clients(host):
    email = f"spread-{secrets.token_hex(4)}@example.com"
    sign_up(host.port, email)
    statuses = [
        try_sign_in(host.port, f"203.0.113.{n + 1}", email, "not the password!!")[0].status
        for n in range(PER_ACCOUNT_ALL + 2)
    ]
    assert statuses == [401] * PER_ACCOUNT_ALL + [429] * 2, statuses


def test_one_client_is_limited_across_accounts(host):
    statuses = [
        try_sign_in(host.port, "203.0.113.50", f"guess{n}@example.com", "not it at all!!")[0].status
        for n in range(PER_CLIENT + 2)
    ]
    assert statuses == [401] * PER_CLIENT + [429] * 2, statuses


def test_sign_up_is_limited_per_client(host):
    statuses = []
    for n in range(SIGNUPS + 2):
        browser = client(host.port, "203.0.113.77")
        email = f"many{n}-{secrets.token_hex(3)}@example.com"
        form = {"email": email, "display_name": "Many", "password": PASSWORD, "confirm": PASSWORD}
        response, page = browser.post("/register", form, token_from="/register")
        statuses.append(response.status)
    assert statuses == [200] * SIGNUPS + [429] * 2, statuses
    assert "Try again in" in page and response.getheader("Retry-After")
    # another client can still sign up
    sign_up(host.port, f"other-{secrets.token_hex(3)}@example.com", "198.51.100.99")


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(exposed_host, env):
    email = f"spoofed-{secrets.token_hex(4)}@example.com"
    sign_up(exposed_host.port, email)
    statuses = [
        try_sign_in(exposed_host.port, f"203.0.113.{n + 1}", email, "not the password!!")[0].status
        for n in range(PER_ACCOUNT_CLIENT + 2)
    ]
    # every try counts for the same client (the real peer), whatever the header said
    assert statuses == [401] * PER_ACCOUNT_CLIENT + [429] * 2, statuses
    engine = create_engine(env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            addresses = set(
                conn.scalars(
                    text(
                        "SELECT a.ip FROM audit_events a JOIN users u "
                        "ON a.target_id = CAST(u.id AS TEXT) "
                        "WHERE a.action = 'login.failed' AND u.email = :email"
                    ),
                    {"email": email},
                )
            )
    finally:
        engine.dispose()
    assert addresses == {"127.0.0.1"}, addresses  # the real peer, never the made-up one
