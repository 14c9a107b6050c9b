"""The autosave and the round status check the sign-in in their own single query (no
Flask-Login user loading): every way a sign-in ends still refuses them exactly as it
refuses any page, and the parser never accepts a body the answer form would refuse."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from freezegun import freeze_time
from psycopg.pq import TransactionStatus
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models.practice import SessionEvent
from app.models.signins import SignIn
from app.practice.forms import AnswerForm, quick_answer
from tests.learning.query_count import count_queries
from tests.practice.conftest import START, at, autosave, event_kinds, items, only_session_id


def _status(client, session_id):
    return client.get(f"/practice/sessions/{session_id}/status")


def _refused_as_signed_out(response):
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert "/login" in response.headers["Location"]


def _sign_in_row(app) -> SignIn:
    with app.app_context():
        row = db.session.scalars(select(SignIn).order_by(SignIn.id.desc())).first()
        db.session.expunge(row)
        return row


@freeze_time(START, tick=False)
def test_a_signed_out_browser_can_neither_save_nor_poll(app, client, running):
    session_id = running()
    assert autosave(client, session_id, answer_text="kept").status_code == 200
    thief = app.test_client()  # a copy of the cookie, used after sign-out
    thief.set_cookie("mockloop_session", client.get_cookie("mockloop_session").value)
    assert client.post("/logout").status_code == 302
    _refused_as_signed_out(autosave(thief, session_id, revision=1, answer_text="stolen"))
    _refused_as_signed_out(_status(thief, session_id))
    htmx = thief.post(
        f"/practice/sessions/{session_id}/questions/0/autosave",
        data={"revision": 1, "answer_text": "stolen"},
        headers={"HX-Request": "true"},
    )
    assert htmx.status_code == 401 and "/login" in htmx.headers["HX-Redirect"]
    assert items(app, session_id)[0].answer_text == "kept"


def test_a_deactivated_candidate_is_refused_and_the_sign_in_ended(app, client, running):
    session_id = running()
    row = _sign_in_row(app)
    with app.app_context():
        db.session.execute(
            db.text("UPDATE users SET active = :no WHERE id = :id"),
            {"no": False, "id": row.user_id},
        )
        db.session.commit()
    _refused_as_signed_out(autosave(client, session_id, answer_text="after"))
    assert _sign_in_row(app).ended_reason == "deactivated"
    assert items(app, session_id)[0].answer_text == ""


def test_twelve_hours_after_signing_in_a_save_is_refused(app, client, running):
    with freeze_time(START) as frozen:
        session_id = running(minutes=48 * 60)  # a take-home: still open after 12 hours
        frozen.tick(timedelta(hours=11, minutes=59))
        assert autosave(client, session_id, answer_text="in time").status_code == 200
        frozen.tick(timedelta(minutes=1))
        _refused_as_signed_out(autosave(client, session_id, revision=1, answer_text="late"))
        assert _sign_in_row(app).ended_at is not None
    assert items(app, session_id)[0].answer_text == "in time"


def test_an_idle_admin_is_refused(app, client, login_as, make_bank):
    with freeze_time(START) as frozen:
        login_as(role="admin")
        bank = make_bank()
        client.post("/practice/rounds", data={"format_id": bank.format_id})
        session_id = only_session_id(app)
        assert autosave(client, session_id, answer_text="busy").status_code == 200
        frozen.tick(timedelta(minutes=31))
        _refused_as_signed_out(autosave(client, session_id, revision=1, answer_text="idle"))
        assert _sign_in_row(app).ended_reason == "idle"


def test_saves_keep_the_sign_in_alive_at_most_once_a_minute(app, client, running):
    with freeze_time(START) as frozen:
        session_id = running()
        frozen.tick(timedelta(seconds=30))
        assert autosave(client, session_id, answer_text="a").status_code == 200
        assert _sign_in_row(app).last_seen_at == START
        frozen.tick(timedelta(seconds=31))
        with count_queries(app) as statements:
            assert autosave(client, session_id, revision=1, answer_text="b").status_code == 200
        assert _sign_in_row(app).last_seen_at == at(seconds=61)
        assert len(statements) <= 4, statements  # with the touch, once a minute
        assert sum("UPDATE user_sessions" in s for s in statements) == 1, statements
        frozen.tick(timedelta(seconds=61))
        assert _status(client, session_id).status_code == 200
        assert _sign_in_row(app).last_seen_at == at(seconds=122)
    assert event_kinds(app, session_id) == ["started", "saved", "saved"]


@freeze_time(START, tick=False)
def test_a_running_rounds_status_is_one_statement(app, client, running):
    session_id = running()
    _status(client, session_id)
    with count_queries(app) as statements:
        response = _status(client, session_id)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "in_progress" and body["seconds_remaining"] == 3600
    assert body["editable"] and body["csrf_token"]
    assert len(statements) == 1 and "user_sessions" in statements[0], statements


def test_another_candidates_status_is_404(app, client, running, login_as):
    session_id = running()
    login_as()
    assert _status(client, session_id).status_code == 404


def test_the_request_log_names_the_user_of_a_quick_save(app, client, running, caplog):
    session_id = running()
    user_id = _sign_in_row(app).user_id
    app.config["LOG_REQUESTS"] = True
    with caplog.at_level(logging.INFO, logger="mockloop.request"):
        assert autosave(client, session_id, answer_text="logged").status_code == 200
        assert _status(client, session_id).status_code == 200
    lines = [r for r in caplog.records if r.name == "mockloop.request"]
    assert [r.user_id for r in lines[-2:]] == [user_id, user_id]


ACCEPTED = [
    {"revision": "3", "answer_text": "plain"},
    {"revision": "0", "client_id": "tab-1", "seq": "7", "answer_text": "tab"},
    {"revision": "0", "client_id": "  tab_2 ", "seq": "", "answer_text": ""},
    {"revision": "0", "answer_number": "1,200", "answer_unit": " GB "},
    {"revision": "0", "answer_number": "  "},
    {"revision": "0", "answer_links": "https://a.example/x\n\n http://b.example "},
    {"revision": "2147483647", "seq": "2147483647", "client_id": "t"},
]
OTHERS = [  # refused by the form (or left to it): never accepted by the parser
    {"revision": "2147483648"},
    {"revision": "-1"},
    {"revision": " 1"},
    {"revision": "１"},
    {"revision": "0", "seq": "2147483648", "client_id": "t"},
    {"revision": "0", "seq": "x"},
    {"revision": "0", "client_id": "no spaces inside"},
    {"revision": "0", "client_id": "x" * 41},
    {"revision": "0", "answer_number": "nan"},
    {"revision": "0", "answer_number": "ten"},
    {"revision": "0", "answer_unit": "u" * 41},
    {"revision": "0", "answer_links": "javascript:alert(1)"},
    {"revision": "0", "answer_links": "https://" + "l" * 500},
    {"revision": "0", "goto": "x"},
    {"answer_text": "no revision"},
    {"revision": ""},
]


@pytest.mark.parametrize("body", ACCEPTED + OTHERS)
def test_the_quick_parser_agrees_with_the_answer_form(app, body):
    formdata = MultiDict(body)
    with app.test_request_context(method="POST", data=body):
        form = AnswerForm(formdata=formdata, meta={"csrf": False})
        valid = form.validate()
        quick = quick_answer(formdata)
        assert (quick is not None) == (body in ACCEPTED)
        if quick is None:
            return  # the view validates with the form: the form's answer, whatever it is
        assert valid, (body, form.errors)
        options = form.save_options()
        assert quick.answer == form.answer()
        assert (quick.base_revision, quick.client_id, quick.seq) == (
            options["base_revision"],
            options["client_id"],
            options["seq"],
        )


@freeze_time(START, tick=False)
def test_the_saved_event_records_length_and_revision(app, client, running):
    session_id = running()
    assert autosave(client, session_id, answer_text="four").status_code == 200
    links = "https://a.example/x"
    second = autosave(client, session_id, revision=1, answer_text="", answer_links=links)
    assert second.status_code == 200
    with app.app_context():
        saved = db.session.scalars(
            select(SessionEvent)
            .where(SessionEvent.session_id == session_id, SessionEvent.kind == "saved")
            .order_by(SessionEvent.id)
        ).all()
        assert [(e.position, e.data, e.at) for e in saved] == [
            (0, {"length": 4, "revision": 1}, START),
            (0, {"length": len(links), "revision": 2}, START),
        ]


@pytest.mark.postgres_only
@pytest.mark.real_commits
def test_the_status_read_runs_outside_a_transaction_and_the_pool_gets_it_back_as_it_was(
    app, client, running
):
    """On a real connection (no test transaction) the status GET's one SELECT runs in
    autocommit: psycopg sends no BEGIN and no ROLLBACK. Its once-a-minute touch still
    commits, and every pooled connection is handed back idle, autocommit off, so the next
    request's statements are one transaction as before."""
    with freeze_time(START) as frozen:
        session_id = running()
        client.get(
            f"/practice/sessions/{session_id}"
        )  # the page puts the CSRF secret in the session
        sent = []
        with app.app_context():
            engine = db.engine

        def commands(conn, cursor, statement, parameters, context, executemany):
            sent.append((statement.split()[0], cursor.connection.autocommit))

        db.event.listen(engine, "before_cursor_execute", commands)
        try:
            assert _status(client, session_id).status_code == 200
            frozen.tick(timedelta(seconds=61))
            assert _status(client, session_id).status_code == 200  # and touches
        finally:
            db.event.remove(engine, "before_cursor_execute", commands)
        assert sent == [("SELECT", True), ("SELECT", True), ("UPDATE", False)], sent
        assert _sign_in_row(app).last_seen_at == at(seconds=61)
        assert autosave(client, session_id, answer_text="after").status_code == 200
        assert items(app, session_id)[0].answer_text == "after"
    for record in list(engine.pool._pool.queue):
        connection = record.dbapi_connection
        assert connection.autocommit is False
        assert connection.info.transaction_status == TransactionStatus.IDLE
