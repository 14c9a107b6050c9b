"""The test fixtures themselves: a rolled-back transaction per test on a cached app.

These drive the pieces of tests/conftest.py directly (not through the `app` fixture), so
they can look at the database from outside the test's transaction.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, func, select

from app.extensions import db
from app.models.users import User
from tests import factories
from tests.conftest import _bind_limiter, cached_app, rolled_back


def users_seen_from_outside(database_url: str) -> int:
    """Count users on a connection of its own: only what was really committed."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(User))
    finally:
        engine.dispose()


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_commits_inside_the_test_are_seen_by_later_contexts_and_rolled_back_after(
    database_url, _schema
):
    app = cached_app(database_url, WTF_CSRF_ENABLED=False).app
    with rolled_back(app):
        with app.app_context():
            factories.user(email="kept@example.com")  # the factory commits
        with app.app_context():
            assert count_users() == 1  # a new session on the same transaction sees it
            db.session.add(
                User(
                    email="dropped@example.com",
                    display_name="D",
                    password_hash="x",
                    role="candidate",
                )
            )
            db.session.flush()
            db.session.rollback()  # a service's rollback undoes only its own savepoint
            assert count_users() == 1
        assert users_seen_from_outside(database_url) == 0
    with app.app_context():
        assert count_users() == 0


def test_db_session_from_another_thread_names_the_marker(database_url, _schema):
    app = cached_app(database_url, WTF_CSRF_ENABLED=False).app
    errors: list[BaseException] = []

    def other_thread():
        try:
            with app.app_context():
                count_users()
        except RuntimeError as error:
            errors.append(error)

    with rolled_back(app):
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join(10)
    assert len(errors) == 1 and "real_commits" in str(errors[0])


def test_each_test_gets_empty_rate_limit_counters(database_url, _schema):
    cached = cached_app(database_url, WTF_CSRF_ENABLED=False)
    app = cached.app
    limit = int(app.config["LOGIN_LIMIT_PER_IP"].split()[0])

    def attempt(client):
        data = {"email": "nobody@example.com", "password": "wrong password, wrong"}
        return client.post("/login", data=data, environ_base={"REMOTE_ADDR": "192.0.2.99"})

    with rolled_back(app):
        _bind_limiter(app)
        client = app.test_client()
        for _ in range(limit):
            attempt(client)
        assert attempt(client).status_code == 429
        _bind_limiter(app)  # what the `app` fixture does before each test
        assert attempt(app.test_client()).status_code == 401


def test_config_changed_by_a_test_is_put_back(database_url, _schema):
    cached = cached_app(database_url, WTF_CSRF_ENABLED=False)
    before = cached.app.config["PER_PAGE"]
    cached.app.config["PER_PAGE"] = before + 7
    cached.restore()
    assert cached.app.config["PER_PAGE"] == before
    assert not cached.tainted()


@pytest.mark.real_commits
def test_real_commits_reach_the_database_and_are_wiped_after(app, database_url):
    with app.app_context():
        factories.user(email="real@example.com")
    assert users_seen_from_outside(database_url) == 1
