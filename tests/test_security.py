"""Security headers, production cookie flags and HSTS, request size limit, CSRF everywhere,
signed values checked once."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.errors import CSRF_MESSAGE, CSRF_TYPED_MESSAGE
from app.extensions import db
from app.security import CheckedOnceSerializer
from tests.conftest import PASSWORD, csrf_token, make_app
from tests.test_access import walk

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def directives(csp: str) -> dict[str, list[str]]:
    parsed = {}
    for part in csp.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page"])
def test_security_headers_on_every_kind_of_page(client, path):
    response = client.get(path)
    csp = directives(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    for values in csp.values():
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # testing runs over http
    policy = dict(
        item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()", feature
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_are_not_cached_by_shared_caches(client):
    assert client.get("/login").headers["Cache-Control"] == "private, no-cache"
    assert "HX-Request" in client.get("/login").headers.get("Vary", "")


@pytest.fixture
def production_app(database_url, _schema, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    app = make_app(
        database_url,
        ENV_NAME="production",
        ALLOW_SINGLE_HOST=True,
        SECRET_KEY="a production secret for the test",
        WTF_CSRF_ENABLED=False,
        ARGON2_TIME_COST=1,
        ARGON2_MEMORY_COST=8,
    )
    yield app
    with app.app_context():
        from tests.conftest import wipe_tables

        db.session.remove()
        wipe_tables()
        db.engine.dispose()


def test_production_sends_hsts_and_secure_cookies(production_app):
    assert not production_app.testing and not production_app.debug
    with production_app.app_context():
        from tests import factories

        factories.user(email="prod@example.com")
    client = production_app.test_client()
    https = {"base_url": "https://mockloop.example"}
    home = client.get("/", **https)
    assert home.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    response = client.post(
        "/login", data={"email": "prod@example.com", "password": PASSWORD}, **https
    )
    assert response.status_code == 302
    [cookie] = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # __Host-: Secure, Path=/ and no Domain, or browsers drop it.
    assert cookie.startswith("__Host-mockloop_session=")
    assert "Path=/;" in cookie + ";" and "Domain=" not in cookie
    assert client.get("/dashboard", **https).status_code == 200


def test_development_cookies_are_not_secure(database_url, _schema):
    app = make_app(database_url, ENV_NAME="development", SECRET_KEY="dev")
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is False
        assert app.config["HSTS"] is False
    finally:
        with app.app_context():
            db.engine.dispose()


def test_requests_over_one_mib_get_the_413_page(app, client):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    response = client.post(
        "/login", data={"email": "a@example.com", "password": "x" * (1024 * 1024)}
    )
    assert response.status_code == 413
    assert "larger than 1 MiB" in response.get_data(as_text=True)
    just_under = client.post("/login", data={"email": "a@example.com", "password": "x" * 1000})
    assert just_under.status_code == 401


def test_the_413_page_names_the_configured_limit(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 512 * 1024
    response = client.post("/login", data={"email": "a@example.com", "password": "x" * 600_000})
    assert response.status_code == 413
    assert "larger than 512 KiB" in response.get_data(as_text=True)


def sign_in_with_csrf(app, make_user):
    make_user(role="admin", email="csrf-admin@example.com")
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": "csrf-admin@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    return client


@pytest.mark.csrf
def test_every_unsafe_endpoint_refuses_a_request_without_token(app, make_user):
    client = sign_in_with_csrf(app, make_user)
    checked = []
    for rule, method, url in walk(app):
        if method not in UNSAFE_METHODS:
            continue
        response = client.open(url, method=method, data={"anything": "typed"})
        assert response.status_code == 400, (method, url, response.status_code)
        page = response.get_data(as_text=True)
        # Refused, and what was sent comes back to copy (tests/test_csrf_recovery.py).
        assert CSRF_TYPED_MESSAGE in page and ">typed</textarea>" in page, (method, url)
        checked.append(rule.endpoint)
    assert {"accounts.logout", "accounts.change_password", "admin.change_role"} <= set(checked)
    assert client.get("/dashboard").status_code == 200  # nothing above signed us out


@pytest.mark.csrf
def test_anonymous_login_and_register_need_the_token(client):
    assert (
        client.post("/login", data={"email": "a@example.com", "password": "x"}).status_code == 400
    )
    assert client.post("/register", data={"email": "a@example.com"}).status_code == 400


@pytest.mark.csrf
def test_a_token_from_another_session_is_refused(app, make_user):
    client = sign_in_with_csrf(app, make_user)
    stranger = app.test_client()
    foreign = csrf_token(stranger)
    response = client.post("/settings/sign-out-everywhere", headers={"X-CSRFToken": foreign})
    assert response.status_code == 400


@pytest.mark.csrf
def test_htmx_requests_with_the_header_token_are_accepted_everywhere(app, make_user):
    """The header app.js sets (X-CSRFToken) satisfies CSRF on every unsafe endpoint."""
    make_user(role="admin", email="csrf-admin@example.com")
    checked = 0
    for _rule, method, url in walk(app):
        if method not in UNSAFE_METHODS:
            continue
        client = app.test_client()  # a fresh session each time: some endpoints sign out
        token = csrf_token(client)
        client.post(
            "/login",
            data={"email": "csrf-admin@example.com", "password": PASSWORD, "csrf_token": token},
        )
        token = csrf_token(client, "/dashboard")
        response = client.open(
            url, method=method, headers={"X-CSRFToken": token, "HX-Request": "true"}
        )
        assert CSRF_MESSAGE not in response.get_data(as_text=True), (method, url)
        assert response.status_code != 400 or url == "/login", (method, url)
        checked += 1
    assert checked >= 5


@pytest.mark.csrf
def test_htmx_sign_out_everywhere_with_header_token(app, make_user):
    client = sign_in_with_csrf(app, make_user)
    token = csrf_token(client, "/settings")
    response = client.post(
        "/settings/sign-out-everywhere", headers={"X-CSRFToken": token, "HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Every other device has been signed out." in response.get_data(as_text=True)


def test_a_signed_value_checked_once_is_judged_as_itsdangerous_judges_it():
    """CheckedOnceSerializer (the session cookie's and the hot path's CSRF serializer)
    gives the answer URLSafeTimedSerializer gives for every value, seen before or not."""
    plain = URLSafeTimedSerializer("k" * 32, salt="s")
    memo = CheckedOnceSerializer("k" * 32, salt="s")
    with freeze_time("2026-12-01 12:00:00") as clock:
        value = plain.dumps({"user": 1, "seen": [1, 2]})
        for _ in range(2):  # first verified, then from the memo: the same answer
            assert memo.loads(value, max_age=60) == plain.loads(value, max_age=60)
        first = memo.loads(value, max_age=60)
        first["seen"].append(3)  # each caller has its own objects
        assert memo.loads(value, max_age=60)["seen"] == [1, 2]
        tampered = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
        for serializer in (plain, memo):
            with pytest.raises(BadSignature):
                serializer.loads(tampered, max_age=60)
            with pytest.raises(BadSignature):  # another purpose's salt
                serializer.loads(value, salt="other")
        clock.tick(61)  # older than max_age, though remembered
        for serializer in (plain, memo):
            with pytest.raises(SignatureExpired):
                serializer.loads(value, max_age=60)
        assert memo.loads(value, max_age=120) == {"user": 1, "seen": [1, 2]}
        clock.move_to("2026-12-01 11:00:00")  # signed "in the future"
        for serializer in (plain, memo):
            with pytest.raises(SignatureExpired):
                serializer.loads(value, max_age=60)


def test_a_flat_value_is_decoded_once_and_each_caller_gets_its_own_copy(monkeypatch):
    """A session cookie's flat dict is kept decoded: no second decode, and a caller that
    changes its dict changes no one else's. A value with a list inside is decoded afresh."""
    memo = CheckedOnceSerializer("k" * 32, salt="s")
    flat_value = {"_user_id": "key", "_fresh": True, "signed_in_at": 5, "gone": None}
    flat = memo.dumps(flat_value)
    nested = memo.dumps({"seen": [1]})
    first = memo.loads(flat, max_age=60)
    memo.loads(nested, max_age=60)

    def no_decoding(*_args, **_kwargs):
        raise AssertionError("decoded again")

    monkeypatch.setattr(memo, "load_payload", no_decoding)
    first["_user_id"] = "changed by its caller"
    assert memo.loads(flat, max_age=60) == flat_value
    assert memo.loads(flat, max_age=60) is not memo.loads(flat, max_age=60)
    with pytest.raises(AssertionError, match="decoded again"):
        memo.loads(nested, max_age=60)


def test_the_memo_is_bounded_and_a_new_key_forgets_it(app, monkeypatch):
    memo = CheckedOnceSerializer("k" * 32)
    monkeypatch.setattr(CheckedOnceSerializer, "MEMO", 3)
    for n in range(7):
        memo.loads(memo.dumps(n))
        assert len(memo._verified) <= 3
    with app.test_request_context():
        interface = app.session_interface
        cookie = interface.get_signing_serializer(app).dumps({"_user_id": "1"})
        assert interface.get_signing_serializer(app).loads(cookie) == {"_user_id": "1"}
        monkeypatch.setitem(app.config, "SECRET_KEY", "another key entirely, 32 bytes.")
        with pytest.raises(BadSignature):  # remembered under the old key: refused now
            interface.get_signing_serializer(app).loads(cookie)
