"""Fixtures: app, client, runner, auth, factories, and a real browser for tests/browser.

The database is SQLite in a temporary file by default, or the server named by
TEST_DATABASE_URL (PostgreSQL in CI). The schema is built once per run; each test
starts from empty tables.

A test that needs a service or a browser skips with a reason on a machine without it,
except when CI is set, where that skip is a failure (`require_or_skip`). Tests marked
`postgres_only` are not skipped on SQLite but deselected, with a line in the summary
saying why: the SQLite leg has nothing to run them on, the PostgreSQL leg runs them.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import make_url, text

from app import create_app
from app.config import normalise_database_url
from app.extensions import db
from tests import factories
from tests.mailbox import smtp_server

PASSWORD = factories.PASSWORD


POSTGRES_ONLY_DESELECTED = pytest.StashKey[int]()


def database_is_postgresql() -> bool:
    """Whether TEST_DATABASE_URL names a PostgreSQL database (unset: SQLite)."""
    url = os.environ.get("TEST_DATABASE_URL")
    return bool(url) and make_url(normalise_database_url(url)).get_backend_name() == "postgresql"


def pytest_collection_modifyitems(config, items):
    """Deselect (not skip) `postgres_only` tests when the database is not PostgreSQL.

    In CI a TEST_DATABASE_URL that is not PostgreSQL keeps them, so they fail instead of
    vanishing (see `require_or_skip`).
    """
    if database_is_postgresql():
        return
    if os.environ.get("CI") and os.environ.get("TEST_DATABASE_URL"):
        return
    deselected = [item for item in items if item.get_closest_marker("postgres_only")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]
    config.stash[POSTGRES_ONLY_DESELECTED] = len(deselected)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    count = config.stash.get(POSTGRES_ONLY_DESELECTED, 0)
    if count:
        terminalreporter.write_line(
            f"{count} postgres_only test{'s' if count != 1 else ''} deselected: the test "
            "database is SQLite; they run with TEST_DATABASE_URL=postgresql+psycopg://..."
        )


def require_or_skip(reason: str) -> None:
    """Skip with `reason`, or fail when running in CI, where every service is required."""
    if os.environ.get("CI"):
        pytest.fail(f"required in CI but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'mockloop-test.db'}"


def make_app(database_url: str, **overrides):
    """A testing app on `database_url`; its email goes over SMTP to the run's aiosmtpd."""
    server = smtp_server()
    config = {
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": server.host,
        "MAIL_PORT": server.port,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def mailbox():
    """What the SMTP server received during this test (emptied before it starts)."""
    box = smtp_server().mailbox
    box.clear()
    yield box
    box.clear()


@pytest.fixture(scope="session")
def _schema(database_url):
    """Build the schema once from the models (migrations are tested separately)."""
    app = make_app(database_url)
    with app.app_context():
        reset_schema()
        db.create_all()
        db.engine.dispose()
    yield


def reset_schema() -> None:
    """Drop every table, including ones the models no longer know."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.reflect()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def wipe_tables() -> None:
    """Empty every table (fast: one TRUNCATE on PostgreSQL)."""
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("PRAGMA foreign_keys = OFF"))
            for table in tables:
                conn.execute(table.delete())
            conn.execute(text("PRAGMA foreign_keys = ON"))


@pytest.fixture
def app(request, database_url, _schema):
    """A fresh app on empty tables. Mark a test `@pytest.mark.csrf` to keep CSRF checks on."""
    csrf_on = request.node.get_closest_marker("csrf") is not None
    app = make_app(database_url, WTF_CSRF_ENABLED=csrf_on)
    yield app
    with app.app_context():
        db.session.remove()
        wipe_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = PASSWORD, **kwargs):
        return self._client.post("/login", data={"email": email, "password": password, **kwargs})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def make_user(app):
    """make_user(role="candidate", email=None, password=PASSWORD) -> user id."""

    def _make(
        role: str = "candidate", email: str | None = None, password: str = PASSWORD, **fields
    ):
        with app.app_context():
            return factories.user(role=role, email=email, password=password, **fields).id

    return _make


@pytest.fixture
def login_as(app, client, make_user, auth):
    """Create a user with `role`, sign them in on `client`, return their id."""

    def _login(role: str = "candidate", **fields) -> int:
        user_id = make_user(role=role, **fields)
        with app.app_context():
            email = db.session.get(factories.User, user_id).email
        response = auth.login(email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user_id

    return _login


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of `client`'s session, read from a page's <meta name="csrf-token">."""
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, f"no csrf-token meta on {path}"
    return match.group(1)
