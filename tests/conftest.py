"""Fixtures: app, client, runner, auth, factories, and a real browser for tests/browser.

The database is SQLite in a temporary file by default, or the server named by
TEST_DATABASE_URL (PostgreSQL in CI). The schema is built once per run; each test
starts from empty tables: it runs on a cached app inside a transaction rolled back at
teardown, or, marked `real_commits`, on a fresh app with the tables wiped afterwards.

A test that needs a service or a browser skips with a reason on a machine without it,
except when CI is set, where that skip is a failure (`require_or_skip`). Tests marked
`postgres_only` are not skipped on SQLite but deselected, with a line in the summary
saying why: the SQLite leg has nothing to run them on, the PostgreSQL leg runs them.
"""

from __future__ import annotations

import functools
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, make_url, text
from xdist.scheduler import LoadScopeScheduling

from app import create_app
from app.config import normalise_database_url
from app.extensions import db, limiter
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
    if hasattr(config, "workeroutput"):  # an xdist worker: tell the controller
        config.workeroutput["postgres_only_deselected"] = len(deselected)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist's controller collects nothing itself: take the workers' count (each
    collected the whole suite, so each deselected the same tests)."""
    count = getattr(node, "workeroutput", {}).get("postgres_only_deselected", 0)
    config = node.config
    config.stash[POSTGRES_ONLY_DESELECTED] = max(
        count, config.stash.get(POSTGRES_ONLY_DESELECTED, 0)
    )


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    count = config.stash.get(POSTGRES_ONLY_DESELECTED, 0)
    if count:
        terminalreporter.write_line(
            f"{count} postgres_only test{'s' if count != 1 else ''} deselected: the test "
            "database is SQLite; they run with TEST_DATABASE_URL=postgresql+psycopg://..."
        )


# --- Two workers side by side (pytest-xdist, `make test`) ------------------------------------
#
# The browser tests are two groups of modules (alternating in name order), each run whole,
# in collection order, by one worker and ended by its own vnu check (tests/browser), so
# both workers drive a Chromium while the other tests fill the time Chromium waits. Every
# other test is a unit of its own, as with `--dist load`. The groups are read off the node
# ids: xdist's own `--dist loadgroup` marks them with an `@group` suffix on `_nodeid`,
# which pytest 9 no longer reads (Node.nodeid is built from `_id`), so it groups nothing.

BROWSER_DIR = Path(__file__).parent / "browser"
BROWSER_GROUPS = ("browser-1", "browser-2")
VNU_MODULE, VNU_TEST = "test_html_validity.py", "test_every_page_is_valid_html"


@functools.cache
def _browser_modules() -> dict[str, str]:
    """Each browser test module (its path as node ids spell it) and its group."""
    root = Path(__file__).parent.parent
    modules = sorted(p for p in BROWSER_DIR.glob("test_*.py") if p.name != VNU_MODULE)
    return {
        p.relative_to(root).as_posix(): BROWSER_GROUPS[n % len(BROWSER_GROUPS)]
        for n, p in enumerate(modules)
    }


def browser_group(nodeid: str) -> str | None:
    """The group a browser test's node id belongs to (a vnu check's is its parameter);
    None for every other test."""
    module, _, rest = nodeid.partition("::")
    if Path(module).name == VNU_MODULE and Path(module).parent.name == BROWSER_DIR.name:
        return next((g for g in BROWSER_GROUPS if rest.endswith(f"[{g}]")), BROWSER_GROUPS[0])
    return _browser_modules().get(module)


class BrowserGroupScheduling(LoadScopeScheduling):
    """`--dist load`, except that each browser group is one unit of work."""

    def _split_scope(self, nodeid: str) -> str:
        return browser_group(nodeid) or nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") in ("load", "loadgroup"):
        return BrowserGroupScheduling(config, log)
    return None


def _services_of_this_worker() -> None:
    """Under pytest-xdist (`make test` runs two workers), give each worker a PostgreSQL
    database (`<TEST_DATABASE_URL's>_gw0`, created when missing) and a Redis database
    (TEST_REDIS_URL's number minus the worker's) of its own, by rewriting the variables
    every fixture reads: the workers' tests run side by side and each empties its tables
    and its Redis. One process (no xdist) uses them as given."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    number = int(worker.removeprefix("gw"))
    redis = urlsplit(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    base = int(redis.path.strip("/") or 0)
    os.environ["TEST_REDIS_URL"] = redis._replace(path=f"/{(base - number) % 16}").geturl()
    if not database_is_postgresql():
        return
    url = make_url(normalise_database_url(os.environ["TEST_DATABASE_URL"]))
    own = url.set(database=f"{url.database}_{worker}")
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
            ).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        server.dispose()
    os.environ["TEST_DATABASE_URL"] = own.render_as_string(hide_password=False)


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


_MADE: list[Flask] = []


def make_app(database_url: str, **overrides):
    """A new app on the test database (its email goes over SMTP to the run's aiosmtpd);
    its connections are closed when the test ends."""
    server = smtp_server()
    config = {
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": server.host,
        "MAIL_PORT": server.port,
    }
    config.update(overrides)
    app = create_app(config)
    _MADE.append(app)
    return app


@pytest.fixture(autouse=True)
def _close_extra_apps():
    """Dispose the engines of apps a test built itself, so no connection is left to the GC."""
    yield
    while _MADE:
        made = _MADE.pop()
        with made.app_context():
            db.session.remove()
            db.engine.dispose()


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
    for cached in _APPS.values():
        with cached.app.app_context():
            db.engine.dispose()
    _APPS.clear()


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


# --- One app per config, one rolled-back transaction per test -------------------------------
#
# Building an app and wiping ~25 tables per test was a third of the suite's time. Instead
# the `app` fixture reuses one app per distinct config (CSRF on or off) and runs each test
# inside an outer transaction on one connection, rolled back at teardown. `db.session` is
# bound to that connection with join_transaction_mode="create_savepoint" (SQLAlchemy's
# "Joining a Session into an External Transaction" recipe): a service's `commit()`
# releases a SAVEPOINT and its `rollback()` rolls back to one, so services behave as in
# production while nothing reaches the database. No app context is held across the test
# (RECIPES.md): each request still gets its own `g`, Flask-Login user and session.
#
# Tests that cannot run inside one transaction (threads or connections of their own: the
# concurrency tests, the browser's live server) are marked `real_commits` and keep the old
# behaviour: a fresh app, real commits, every table wiped afterwards. db.session used from
# another thread inside the transaction raises, naming the marker. Tests that never ask for
# `app` (migrations, the config and production-app checks) build what they need themselves.
#
# A cached app is put back after each test: its config is restored, the shared Limiter is
# re-initialised for it with empty in-memory counters, and an app a test changed (a route
# added, an attribute set) is dropped from the cache so the next test gets a new one.

REAL_COMMITS = "real_commits"


def pytest_configure(config):
    _services_of_this_worker()
    config.addinivalue_line(
        "markers",
        f"{REAL_COMMITS}: commit for real (fresh app, tables wiped after) instead of a "
        "rolled-back transaction; for tests that use other connections or threads",
    )


def _joined_get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
    """Always the test's connection (Flask-SQLAlchemy's own get_bind ignores `bind`)."""
    if self.bind.info.get("test_thread") != threading.get_ident():
        raise RuntimeError(
            "db.session used from another thread inside a rolled-back test transaction: "
            "mark the test @pytest.mark.real_commits"
        )
    return self.bind


def _quiet_savepoints(dialect) -> None:
    """Emit SAVEPOINT statements below SQLAlchemy's cursor events.

    Production has no savepoints (its BEGIN/COMMIT are not cursor executions), so tests
    that count a page's SQL statements see the same numbers under the test transaction.
    """
    quote = dialect.identifier_preparer.quote

    def raw(connection, sql: str) -> None:
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql)
        finally:
            cursor.close()

    dialect.do_savepoint = lambda conn, name: raw(conn, f"SAVEPOINT {quote(name)}")
    dialect.do_release_savepoint = lambda conn, name: raw(conn, f"RELEASE SAVEPOINT {quote(name)}")
    dialect.do_rollback_to_savepoint = lambda conn, name: raw(
        conn, f"ROLLBACK TO SAVEPOINT {quote(name)}"
    )


def _transactional_engine(engine) -> None:
    """Make `engine` fit for an outer transaction with savepoints inside it.

    pysqlite neither emits BEGIN itself nor handles SAVEPOINT properly; SQLAlchemy's
    documented workaround is isolation_level=None on the driver and our own BEGIN.
    """
    _quiet_savepoints(engine.dialect)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


@dataclass
class CachedApp:
    """An app reused across tests, with what a test may change recorded to be put back."""

    app: Flask
    config: dict = field(default_factory=dict)
    attributes: frozenset = frozenset()
    rules: int = 0

    @classmethod
    def build(cls, database_url: str, overrides: dict) -> CachedApp:
        app = make_app(database_url, **overrides)
        _MADE.remove(app)  # kept across tests; disposed at the end of the run
        with app.app_context():
            _transactional_engine(db.engine)
        for lazy in ("jinja_env", "jinja_loader", "logger", "name"):
            getattr(app, lazy)  # cached properties, set here rather than in the first test
        return cls(app, dict(app.config), frozenset(vars(app)), len(app.url_map._rules))

    def tainted(self) -> bool:
        """Whether a test changed the app itself (routes, blueprints, attributes)."""
        return frozenset(vars(self.app)) != self.attributes or (
            len(self.app.url_map._rules) != self.rules
        )

    def restore(self) -> None:
        self.app.config.clear()
        self.app.config.update(self.config)


_APPS: dict[tuple, CachedApp] = {}


def cached_app(database_url: str, **overrides) -> CachedApp:
    """The app for this config, built on first use (apps are cached by their overrides)."""
    key = (database_url, tuple(sorted(overrides.items())))
    if key not in _APPS:
        _APPS[key] = CachedApp.build(database_url, overrides)
    return _APPS[key]


def _evict(key_app: CachedApp) -> None:
    for key, value in list(_APPS.items()):
        if value is key_app:
            del _APPS[key]
    with key_app.app.app_context():
        db.engine.dispose()


def _bind_limiter(app: Flask) -> None:
    """Point the shared Limiter at `app` with fresh in-memory counters.

    The Limiter object is one for the process and keeps the storage of the last app it was
    initialised for; re-initialising for this app gives every test empty counters, as the
    fresh app per test used to.
    """
    limiter.init_app(app)
    limiter._storage_dead = False


@contextmanager
def rolled_back(app: Flask):
    """Run the block with `db.session` joined to one outer transaction, then roll it back.

    The scoped session's own factory is reconfigured (not replaced), so listeners the app
    registered on `db.session` (e.g. before_flush) still fire.
    """
    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    connection.info["test_thread"] = threading.get_ident()
    outer = connection.begin()
    factory = db.session.session_factory
    saved = dict(factory.kw)
    _close_sessions()
    factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    factory.class_.get_bind = _joined_get_bind
    try:
        yield
    finally:
        _close_sessions()
        del factory.class_.get_bind
        factory.kw.clear()
        factory.kw.update(saved)
        if outer.is_active:
            outer.rollback()
        connection.close()


def _close_sessions() -> None:
    """Close and forget sessions left by app contexts that never tore down."""
    registry = db.session.registry.registry
    for session in list(registry.values()):
        session.close()
    registry.clear()


def _fresh_app_with_wipe(database_url: str, overrides: dict):
    app = make_app(database_url, **overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            wipe_tables()
            db.engine.dispose()


@pytest.fixture
def app(request, database_url, _schema):
    """The app on empty tables. Mark a test `@pytest.mark.csrf` to keep CSRF checks on.

    Marked `real_commits`: a fresh app whose commits are real, tables wiped afterwards.
    Otherwise: the cached app for this config inside a transaction rolled back afterwards.
    """
    overrides = {"WTF_CSRF_ENABLED": request.node.get_closest_marker("csrf") is not None}
    if request.node.get_closest_marker(REAL_COMMITS):
        yield from _fresh_app_with_wipe(database_url, overrides)
        return
    cached = cached_app(database_url, **overrides)
    app = cached.app
    _bind_limiter(app)
    app._got_first_request = False  # a test may add a route before its first request
    try:
        with rolled_back(app):
            yield app
    finally:
        if cached.tainted():
            _evict(cached)
        else:
            cached.restore()


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
