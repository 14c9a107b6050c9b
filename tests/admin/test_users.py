"""The admin Users page, role changes, deactivation, the last-admin rule and the audit log."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from flask import Blueprint
from sqlalchemy import event, select

from app.admin import services
from app.extensions import db
from app.models import audit
from app.models.audit import AuditEvent
from app.models.users import User
from tests import factories
from tests.conftest import PASSWORD


def get_user(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def audit_rows(app, action):
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def client_for(app, email):
    other = app.test_client()
    assert other.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return other


@contextmanager
def count_queries(app):
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_admin_home_links_to_the_tools(app, client, login_as):
    login_as("admin")
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/users"' in page and 'href="/admin/audit"' in page
    has_bank_editor = "bank_editor.index" in app.view_functions
    assert ("Question bank editor" in page) is has_bank_editor


def test_admin_home_links_to_the_bank_editor_when_it_exists(app, client, login_as):
    if "bank_editor.index" not in app.view_functions:
        stand_in = Blueprint("bank_editor", __name__)
        stand_in.add_url_rule("/", "index", lambda: "bank editor")
        app.register_blueprint(stand_in, url_prefix="/admin/bank-stand-in")
    login_as("admin")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Question bank editor" in page


def test_users_page_lists_and_searches_by_email_and_name(app, client, login_as, make_user):
    login_as("admin", email="boss@example.com")
    make_user(email="ada@example.com", display_name="Ada Lovelace")
    make_user(email="grace@example.com", display_name="Grace Hopper")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "ada@example.com" in page and "grace@example.com" in page and "3 accounts" in page
    by_name = client.get("/admin/users?q=HOPPER").get_data(as_text=True)
    assert "grace@example.com" in by_name and "ada@example.com" not in by_name
    by_email = client.get("/admin/users?q=ada@").get_data(as_text=True)
    assert "ada@example.com" in by_email and "grace@example.com" not in by_email
    nothing = client.get("/admin/users?q=zzz").get_data(as_text=True)
    assert "No account matches this search." in nothing
    wildcard = client.get("/admin/users?q=%25").get_data(as_text=True)  # a literal %
    assert "No account matches this search." in wildcard


def test_users_page_is_paginated(app, client, login_as, make_user):
    app.config["PER_PAGE"] = 5
    login_as("admin", email="boss@example.com")
    for n in range(11):
        make_user(email=f"paged{n:02}@example.com")
    first = client.get("/admin/users").get_data(as_text=True)
    assert "Page 1 of 3" in first and 'href="/admin/users?page=2"' in first
    assert first.count('<tr data-user="') == 5
    last = client.get("/admin/users?page=3").get_data(as_text=True)
    assert last.count('<tr data-user="') == 2
    searched = client.get("/admin/users?q=paged&page=2").get_data(as_text=True)
    assert 'href="/admin/users?page=3&amp;q=paged"' in searched
    beyond = client.get("/admin/users?page=99")
    assert beyond.status_code == 200 and "No account matches" in beyond.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/users", "/admin/audit"])
def test_list_query_count_does_not_grow_with_rows(app, client, login_as, make_user, path):
    admin_id = login_as("admin")

    def add_rows(n):
        with app.app_context():
            for _ in range(n):
                user = factories.user()
                audit.record("test.event", actor_id=user.id, target_type="user", target_id=admin_id)
            db.session.commit()

    add_rows(2)
    with count_queries(app) as few:
        assert client.get(path).status_code == 200
    add_rows(15)
    with count_queries(app) as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few), (few, many)
    assert 3 <= len(few) <= 6


def test_role_change_is_applied_and_audited(app, client, login_as, make_user):
    admin_id = login_as("admin")
    user_id = make_user(email="rise@example.com")
    other = client_for(app, "rise@example.com")
    assert other.get("/coach/").status_code == 403
    response = client.post(
        f"/admin/users/{user_id}/role", data={"role": "coach", "back": "/admin/users?q=rise"}
    )
    assert response.status_code == 302 and response.location == "/admin/users?q=rise"
    assert get_user(app, user_id).role == "coach"
    assert other.get("/coach/").status_code == 200  # takes effect on the next request
    [row] = audit_rows(app, "user.role_change")
    assert (row.actor_id, row.target_id) == (admin_id, str(user_id))
    assert row.details["old"] == "candidate" and row.details["new"] == "coach"


def test_role_change_refuses_unknown_roles_and_users(app, client, login_as, make_user):
    login_as("admin")
    user_id = make_user()
    response = client.post(f"/admin/users/{user_id}/role", data={"role": "overlord"})
    assert response.status_code == 302
    assert get_user(app, user_id).role == "candidate"
    assert "Choose candidate, coach or admin." in client.get("/admin/users").get_data(as_text=True)
    assert client.post("/admin/users/999999/role", data={"role": "coach"}).status_code == 404
    assert client.post("/admin/users/999999/deactivate").status_code == 404


def test_hostile_back_is_ignored(app, client, login_as, make_user):
    login_as("admin")
    user_id = make_user()
    response = client.post(
        f"/admin/users/{user_id}/role", data={"role": "coach", "back": "//evil.com/x"}
    )
    assert response.location == "/admin/users"


def test_deactivation_signs_out_at_once_and_blocks_sign_in(app, client, login_as, make_user):
    login_as("admin")
    user_id = make_user(email="leaver@example.com")
    theirs = client_for(app, "leaver@example.com")
    assert client.post(f"/admin/users/{user_id}/deactivate").status_code == 302
    assert get_user(app, user_id).active is False
    assert theirs.get("/dashboard").status_code == 302
    again = theirs.post("/login", data={"email": "leaver@example.com", "password": PASSWORD})
    assert again.status_code == 401
    assert "Email or password is not right." in again.get_data(as_text=True)
    assert "deactivated" in client.get("/admin/users").get_data(as_text=True)
    assert client.post(f"/admin/users/{user_id}/reactivate").status_code == 302
    assert client_for(app, "leaver@example.com").get("/dashboard").status_code == 200
    assert len(audit_rows(app, "user.deactivate")) == 1
    assert len(audit_rows(app, "user.reactivate")) == 1


def test_the_last_active_admin_cannot_demote_or_deactivate_themselves(app, client, login_as):
    admin_id = login_as("admin", email="only@example.com")
    demote = client.post(f"/admin/users/{admin_id}/role", data={"role": "candidate"})
    assert demote.status_code == 302
    assert get_user(app, admin_id).role == "admin"
    assert "last active admin" in client.get("/admin/users").get_data(as_text=True)
    client.post(f"/admin/users/{admin_id}/deactivate")
    assert get_user(app, admin_id).active is True
    assert client.get("/admin/users").status_code == 200
    assert audit_rows(app, "user.role_change") == [] and audit_rows(app, "user.deactivate") == []


def test_a_deactivated_admin_does_not_count_as_active(app, client, login_as, make_user):
    admin_id = login_as("admin")
    make_user(role="admin", email="dormant@example.com", active=False)
    client.post(f"/admin/users/{admin_id}/role", data={"role": "coach"})
    assert get_user(app, admin_id).role == "admin"


def test_an_admin_may_step_down_when_another_admin_remains(app, client, login_as, make_user):
    admin_id = login_as("admin")
    make_user(role="admin", email="successor@example.com")
    response = client.post(f"/admin/users/{admin_id}/role", data={"role": "coach"})
    assert response.location == "/coach/"  # straight to their new home, the coach overview
    assert get_user(app, admin_id).role == "coach"
    assert client.get("/admin/").status_code == 403


def test_audit_log_shows_logins_failures_denials_and_filters(app, client, login_as, make_user):
    make_user(email="cand@example.com")
    cand = client_for(app, "cand@example.com")
    cand.get("/admin/")  # denied
    app.test_client().post("/login", data={"email": "cand@example.com", "password": "wrong!!"})
    login_as("admin", email="auditor@example.com")
    page = client.get("/admin/audit").get_data(as_text=True)
    for action in ("login", "login.failed", "access.denied"):
        assert f"<td>{action}</td>" in page
    assert "cand@example.com" in page  # who, by email
    filtered = client.get("/admin/audit?action=access.denied").get_data(as_text=True)
    assert "<td>access.denied</td>" in filtered and "<td>login.failed</td>" not in filtered
    assert '<option value="access.denied" selected>' in filtered


def test_audit_log_is_paginated(app, client, login_as):
    app.config["PER_PAGE"] = 10
    login_as("admin")
    with app.app_context():
        for n in range(25):
            audit.record("test.bulk", target_type="n", target_id=n)
        db.session.commit()
    first = client.get("/admin/audit?action=test.bulk").get_data(as_text=True)
    assert first.count("<td>test.bulk</td>") == 10 and "Page 1 of 3" in first
    # Next names the page's oldest event (keyset), keeping the filter
    with app.app_context():
        oldest = db.session.scalars(
            select(AuditEvent.id).where(AuditEvent.action == "test.bulk").order_by(AuditEvent.id)
        ).all()[15]
    assert f'href="/admin/audit?after={oldest}&amp;page=2&amp;action=test.bulk"' in first


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_audit_log_pages_by_key_both_ways_at_a_constant_query_count(app, client, login_as):
    """Next (?after=) and Previous (?before=) read the same rows as ?page=N, skipping
    none (no OFFSET), and a page's query count does not grow with the log."""
    app.config["PER_PAGE"] = 10
    login_as("admin")
    with app.app_context():
        for n in range(35):
            audit.record("test.bulk", target_type="n", target_id=n)
        db.session.commit()
    base = "/admin/audit?action=test.bulk"
    by_page = [client.get(f"{base}&page={n}").get_data(as_text=True) for n in (1, 2, 3, 4)]
    pages, url = [], base
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(html)
        assert f"Page {len(pages)} of 4" in html
        url = _link(html, "next")
    assert len(pages) == 4
    rows = [re.findall(r"<tr>.*?</tr>", p, re.S) for p in pages]
    assert rows == [re.findall(r"<tr>.*?</tr>", p, re.S) for p in by_page]
    back = _link(pages[-1], "prev")
    for number in (3, 2, 1):
        assert "before=" in back
        with count_statements(app) as statements:
            html = client.get(back).get_data(as_text=True)
        if number > 1:  # read by key, skipping no rows (page 1 is read from the start)
            assert skipped(statements) == []
        assert f"Page {number} of 4" in html
        assert re.findall(r"<tr>.*?</tr>", html, re.S) == re.findall(
            r"<tr>.*?</tr>", by_page[number - 1], re.S
        )
        back = _link(html, "prev")
    assert back is None
    middle = _link(pages[1], "next")
    assert "after=" in middle
    with count_statements(app) as few:
        client.get(middle)
    with app.app_context():
        for n in range(100):
            audit.record("test.bulk", target_type="n", target_id=100 + n)
        db.session.commit()
    with count_statements(app) as many:
        client.get(middle)
    assert len(many) == len(few)
    assert skipped(many) == []


def skipped(statements) -> list:
    """The non-zero OFFSETs of reads of the audit log (SQLite writes `OFFSET ?` even for
    0; PostgreSQL names its parameter)."""
    offsets = []
    for statement, params in statements:
        if "FROM audit_events" not in statement or "OFFSET" not in statement.upper():
            continue
        named = re.search(r"OFFSET %\((\w+)\)s", statement)
        value = params[named.group(1)] if named else params[-1]
        if value:
            offsets.append(value)
    return offsets


@contextmanager
def count_statements(app):
    seen = []

    def record(conn, cursor, statement, params, context, many):
        seen.append((statement, params))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize(
    "query", ["after=abc", "before=-3", "after=99999999999999", "before=%00", "after=1&before=x"]
)
def test_audit_log_ignores_bad_cursors(app, client, login_as, query):
    login_as("admin")
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 200


def test_audit_log_total_is_capped_and_typed_pages_skip_at_most_the_cap(app, client, login_as):
    app.config.update(PER_PAGE=10, LIST_COUNT_CAP=25)
    login_as("admin")
    with app.app_context():
        for n in range(40):
            audit.record("test.bulk", target_type="n", target_id=n)
        db.session.commit()
    first = client.get("/admin/audit?action=test.bulk").get_data(as_text=True)
    assert "Page 1 of 3+" in first
    with count_statements(app) as statements:
        deep = client.get("/admin/audit?action=test.bulk&page=50").get_data(as_text=True)
    assert "Page 3 of 3+" in deep and deep.count("<td>test.bulk</td>") == 10
    assert skipped(statements) == [20]
    counts = [s for s, _ in statements if "count(" in s.lower() and "audit_events" in s]
    assert counts and all("LIMIT" in s for s in counts)


def test_audit_actions_are_the_distinct_actions_in_order(app):
    with app.app_context():
        for action in ("b.two", "a.one", "b.two", "c.three", "a.one"):
            audit.record(action)
        db.session.commit()
        expected = sorted(set(db.session.scalars(select(AuditEvent.action))))
        assert services.audit_actions() == expected
        assert services.audit_actions(limit=2) == expected[:2]
