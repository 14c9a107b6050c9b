"""Sign-in throttling with Flask-Limiter: per account and client, per client, and per account
across all clients (a high cap), so nobody can lock the owner out (docs/security.md)."""

from __future__ import annotations

import os
import random
import re
import uuid

import pytest

from app.extensions import db, limiter
from tests.conftest import PASSWORD, make_app, require_or_skip, wipe_tables


def attempt(client, email, password="wrong password, wrong password", ip="198.51.100.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_per_account_limit_counts_every_spelling_from_one_client(app, client, make_user):
    make_user(email="victim@example.com")
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    spellings = ["victim@example.com", " VICTIM@example.com", "Victim@Example.com "]
    for n in range(limit):
        response = attempt(client, spellings[n % 3], ip="198.51.100.1")
        assert response.status_code == 401
    blocked = attempt(client, "victim@example.com", password=PASSWORD, ip="198.51.100.1")
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "<h1>Too many attempts</h1>" in page
    assert re.search(r"Try again in \d+ (seconds?|minutes?)", page), page
    assert 0 < int(blocked.headers["Retry-After"]) <= 60
    assert "<nav" in page  # a whole page with navigation, not a bare message
    # another account from the same client is not affected
    make_user(email="other@example.com")
    assert (
        attempt(client, "other@example.com", password=PASSWORD, ip="198.51.100.1").status_code
        == 302
    )


def test_someone_elses_failures_do_not_lock_the_owner_out(app, client, make_user):
    make_user(email="owner@example.com")
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for _ in range(limit + 3):
        attempt(client, "owner@example.com", ip="203.0.113.66")
    assert (
        attempt(client, "owner@example.com", password=PASSWORD, ip="203.0.113.66").status_code
        == 429
    )
    owner = app.test_client()
    assert (
        attempt(owner, "owner@example.com", password=PASSWORD, ip="198.51.100.5").status_code == 302
    )


def test_an_account_has_a_high_cap_across_all_clients(database_url, _schema):
    app = make_app(
        database_url, WTF_CSRF_ENABLED=False, LOGIN_LIMIT_PER_ACCOUNT_ALL_CLIENTS="6 per hour"
    )
    try:
        client = app.test_client()
        for n in range(6):
            assert attempt(client, "spread@example.com", ip=f"203.0.113.{n + 1}").status_code == 401
        refused = attempt(client, "spread@example.com", ip="203.0.113.200")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 60  # the hour's window, not a minute
        assert "Try again in" in refused.get_data(as_text=True)
    finally:
        with app.app_context():
            wipe_tables()
        dispose(app)


def test_the_default_cap_across_clients_is_100_an_hour():
    from app.config import Config

    assert Config.LOGIN_LIMIT_PER_ACCOUNT_ALL_CLIENTS == "100 per hour"


def test_per_ip_limit_counts_every_account(app, client):
    limit = int(app.config["LOGIN_LIMIT_PER_IP"].split()[0])
    for n in range(limit):
        assert attempt(client, f"guess{n}@example.com", ip="192.0.2.7").status_code == 401
    assert attempt(client, "fresh@example.com", ip="192.0.2.7").status_code == 429
    assert attempt(client, "fresh@example.com", ip="192.0.2.8").status_code == 401


def test_successful_sign_ins_do_not_count(app, client, auth, make_user):
    make_user(email="often@example.com")
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for _ in range(limit + 2):
        assert auth.login("often@example.com").status_code == 302
        auth.logout()


def test_the_sign_in_page_itself_is_not_limited(app, client):
    limit = int(app.config["LOGIN_LIMIT_PER_IP"].split()[0])
    for _ in range(limit + 1):
        attempt(client, "x@example.com", ip="192.0.2.50")
    assert client.get("/login", environ_base={"REMOTE_ADDR": "192.0.2.50"}).status_code == 200


def test_htmx_request_gets_the_429_fragment(app, client):
    limit = int(app.config["LOGIN_LIMIT_PER_IP"].split()[0])
    for _ in range(limit):
        attempt(client, "y@example.com", ip="192.0.2.60")
    response = client.post(
        "/login",
        data={"email": "y@example.com", "password": "x"},
        headers={"HX-Request": "true"},
        environ_base={"REMOTE_ADDR": "192.0.2.60"},
    )
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "Too many attempts" in body and "<html" not in body


def test_each_app_starts_with_fresh_limits(app, database_url):
    limit = int(app.config["LOGIN_LIMIT_PER_IP"].split()[0])
    client = app.test_client()
    for _ in range(limit):
        attempt(client, "z@example.com", ip="192.0.2.70")
    assert attempt(client, "z@example.com", ip="192.0.2.70").status_code == 429
    second = make_app(database_url, WTF_CSRF_ENABLED=False)
    try:
        assert attempt(second.test_client(), "z@example.com", ip="192.0.2.70").status_code == 401
    finally:
        dispose(second)


def test_storage_is_memory_by_default_and_redis_url_when_set(monkeypatch):
    from app.config import load_config

    monkeypatch.delenv("REDIS_URL", raising=False)
    assert load_config(SINGLE_HOST_PRODUCTION)["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/3")
    config = load_config(SINGLE_HOST_PRODUCTION)
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/3"


SINGLE_HOST_PRODUCTION = {"ENV_NAME": "production", "SECRET_KEY": "k", "ALLOW_SINGLE_HOST": True}


def dispose(app) -> None:
    """Close an extra app's database connections (the fixture closes its own app's)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def redis_url_or_skip() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        connection = redis.Redis.from_url(url, socket_connect_timeout=1)
        connection.ping()
    except Exception as error:  # no server, refused, wrong URL
        require_or_skip(f"no Redis server reachable at {url} ({type(error).__name__})")
    connection.close()
    return url


@pytest.mark.redis
def test_limits_are_kept_in_redis_when_configured(database_url, _schema):
    import redis

    url = redis_url_or_skip()
    server = redis.Redis.from_url(url)
    # Other developers' runs may share this Redis: use keys of our own, delete only those.
    email = f"redis-{uuid.uuid4().hex[:10]}@example.com"
    ips = [f"203.0.113.{n}" for n in random.sample(range(1, 255), 8)]
    apps = [make_app(database_url, WTF_CSRF_ENABLED=False, RATELIMIT_STORAGE_URI=url)]
    try:
        assert type(limiter.storage).__name__ == "RedisStorage"
        limit = int(apps[0].config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
        client = apps[0].test_client()
        for _ in range(limit):
            assert attempt(client, email, ip=ips[0]).status_code == 401
        keys = [key.decode() for key in server.scan_iter(f"*{email}*")]
        assert any(f"account:{email}|client:{ips[0]}" in key for key in keys), keys
        assert attempt(client, email, ip=ips[0]).status_code == 429
        # A new app (another gunicorn host) gets a new storage connection and still sees
        # the counts: they live in Redis, not in the process.
        apps.append(make_app(database_url, WTF_CSRF_ENABLED=False, RATELIMIT_STORAGE_URI=url))
        assert attempt(apps[1].test_client(), email, ip=ips[0]).status_code == 429
        assert attempt(apps[1].test_client(), email, ip=ips[1]).status_code == 401
    finally:
        for pattern in [f"*{email}*", *(f"*{ip}/*" for ip in ips)]:
            for key in server.scan_iter(pattern):
                server.delete(key)
        server.close()
        with apps[0].app_context():
            wipe_tables()
        for app in apps:
            dispose(app)


def test_forwarded_for_is_ignored_without_trusted_proxies(app, client):
    limit = int(app.config["LOGIN_LIMIT_PER_IP"].split()[0])
    for n in range(limit):
        response = client.post(
            "/login",
            data={"email": f"spoof{n}@example.com", "password": "x"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},  # a spoofer rotating addresses
            environ_base={"REMOTE_ADDR": "192.0.2.90"},
        )
        assert response.status_code == 401
    assert attempt(client, "spoof@example.com", ip="192.0.2.90").status_code == 429


def test_behind_a_trusted_proxy_the_client_address_is_limited(database_url, _schema):
    app = make_app(database_url, WTF_CSRF_ENABLED=False, TRUSTED_PROXY_IPS=("192.0.2.254",))
    try:
        client = app.test_client()
        limit = int(app.config["LOGIN_LIMIT_PER_IP"].split()[0])
        proxy = {"REMOTE_ADDR": "192.0.2.254"}

        def via_proxy(client_ip, email):
            return client.post(
                "/login",
                data={"email": email, "password": "x"},
                headers={"X-Forwarded-For": client_ip},
                environ_base=proxy,
            )

        for n in range(limit):
            # the client made up the first hop; the proxy appended what it saw
            spoofed = f"203.0.113.{n}, 198.51.100.77"
            assert via_proxy(spoofed, f"p{n}@example.com").status_code == 401
        assert via_proxy("198.51.100.77", "late@example.com").status_code == 429
        assert via_proxy("198.51.100.78", "late@example.com").status_code == 401  # others go on
    finally:
        with app.app_context():
            wipe_tables()
        dispose(app)


def test_sign_in_still_works_and_is_limited_when_redis_is_down(database_url, _schema, caplog):
    dead = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once
    app = make_app(database_url, WTF_CSRF_ENABLED=False, RATELIMIT_STORAGE_URI=dead)
    try:
        client = app.test_client()
        limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
        for _ in range(limit):
            assert attempt(client, "fallback@example.com", ip="203.0.113.9").status_code == 401
        assert attempt(client, "fallback@example.com", ip="203.0.113.9").status_code == 429
    finally:
        with app.app_context():
            wipe_tables()
        dispose(app)
        limiter._storage_dead = False  # the extension object is shared by every test app
