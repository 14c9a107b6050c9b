"""The start page and the history: content, pagination, and flat query counts."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db
from tests import factories
from tests.practice.conftest import only_session_id


@contextmanager
def counting(app):
    with app.app_context():
        engine = db.engine
    seen = {"n": 0}

    def count(*_args, **_kwargs):
        seen["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def take_rounds(app, client, format_id, n):
    for _ in range(n):
        client.post("/practice/rounds", data={"format_id": format_id})
        client.post(f"/practice/sessions/{only_session_id(app)}/submit")


def test_index_query_count_does_not_grow_with_data(app, client, login_as, make_bank):
    login_as()
    bank = make_bank(count=1, questions=3)
    with app.app_context():
        factories.loop_plan([factories.round_format("recruiter_screen", 15)])
    take_rounds(app, client, bank.format_id, 1)
    with counting(app) as small:
        assert client.get("/practice/").status_code == 200
    for n in range(4):
        make_bank(f"stage_{n}", count=1)
        with app.app_context():
            factories.loop_plan([factories.round_format(f"stage_{n}", 30)])
    take_rounds(app, client, bank.format_id, 6)
    with counting(app) as large:
        page = client.get("/practice/").get_data(as_text=True)
    assert large["n"] == small["n"], (small, large)
    assert page.count("Start loop:") == 5


def test_recent_rounds_and_history_pagination(app, client, login_as, make_bank):
    login_as()
    bank = make_bank(count=1, questions=2)
    per_page = app.config["PER_PAGE"]
    take_rounds(app, client, bank.format_id, per_page + 2)
    index = client.get("/practice/").get_data(as_text=True)
    assert index.count("· submitted</span>") == 5
    first = client.get("/practice/history").get_data(as_text=True)
    assert first.count("<tr>") == per_page + 1  # header row + one page
    assert "Page 1 of 2" in first
    second = client.get("/practice/history?page=2").get_data(as_text=True)
    assert second.count("<tr>") == 3
    beyond = client.get("/practice/history?page=99")
    assert beyond.status_code == 200


def test_history_query_count_is_flat(app, client, login_as, make_bank):
    login_as()
    bank = make_bank(count=1)
    take_rounds(app, client, bank.format_id, 2)
    with counting(app) as few:
        client.get("/practice/history")
    take_rounds(app, client, bank.format_id, 8)
    with counting(app) as many:
        client.get("/practice/history")
    assert few["n"] == many["n"]


def test_history_shows_only_my_rounds(app, client, login_as, make_bank, auth, make_user):
    login_as()
    bank = make_bank(count=1)
    take_rounds(app, client, bank.format_id, 2)
    auth.logout()
    make_user(email="fresh@example.com")
    auth.login("fresh@example.com")
    assert "No rounds yet" in client.get("/practice/history").get_data(as_text=True)
    assert "No finished rounds yet" in client.get("/practice/").get_data(as_text=True)


def test_start_page_without_a_bank_explains(client, login_as):
    login_as()
    page = client.get("/practice/").get_data(as_text=True)
    assert "No round formats yet" in page and "No loop plans yet" in page
