"""The test fixtures themselves: a rolled-back transaction per test on a cached app.

These drive the pieces of tests/conftest.py directly (not through the `app` fixture), so
they can look at the database from outside the test's transaction.
"""

from __future__ import annotations

import threading
from pathlib import Path

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


def test_every_browser_module_is_in_one_of_two_groups_and_each_vnu_check_in_its_own():
    from tests.conftest import BROWSER_GROUPS, browser_group

    modules = sorted(Path(__file__).parent.joinpath("browser").glob("test_*.py"))
    groups = {m.name: browser_group(f"tests/browser/{m.name}::test_x") for m in modules}
    assert groups.pop("test_html_validity.py") == BROWSER_GROUPS[0]  # no parameter: the first
    assert set(groups.values()) == set(BROWSER_GROUPS)
    sizes = [list(groups.values()).count(g) for g in BROWSER_GROUPS]
    assert max(sizes) - min(sizes) <= 1, sizes
    vnu = "tests/browser/test_html_validity.py::test_every_page_is_valid_html"
    assert [browser_group(f"{vnu}[{g}]") for g in BROWSER_GROUPS] == list(BROWSER_GROUPS)
    assert browser_group("tests/test_access.py::test_x") is None
    assert browser_group("tests/browser/README.md") is None


def test_the_template_check_compares_once_every_group_has_left_its_templates(tmp_path):
    from tests.browser.gates import templates_seen_by_both
    from tests.conftest import BROWSER_GROUPS

    first, second = BROWSER_GROUPS
    assert templates_seen_by_both(tmp_path, first, {"a.html"}) is None  # the other runs on
    assert templates_seen_by_both(tmp_path, second, {"b.html"}) == {"a.html", "b.html"}
    # a check that ends later in the same process sees both files and its own, grown, set
    union = templates_seen_by_both(tmp_path, first, {"a.html", "c.html"})
    assert union == {"a.html", "b.html", "c.html"}
    assert not list(tmp_path.glob("*.partial"))
