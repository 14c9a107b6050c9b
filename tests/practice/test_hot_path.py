"""The round hot path (app/practice/hotpath.py) answers as Flask's views do.

Each request is sent twice to the same app on the same data: once with ROUND_HOT_PATH on
and once with it off (Flask's views, the reference). A plain save or status must come back
the same (status, headers, JSON) and be answered by the hot path (its one read of sign-in,
user and round, not Flask-Login's); every unusual request must get from the hot path
exactly the views' answer, because the hot path hands it to them untouched (its body
replayed).
"""

from __future__ import annotations

import logging

import pytest
from freezegun import freeze_time
from sqlalchemy.exc import OperationalError

from app.practice import quick
from tests.conftest import PASSWORD, csrf_token
from tests.learning.query_count import count_queries
from tests.practice.conftest import START, items, only_session_id

pytestmark = pytest.mark.csrf  # the hot path makes CSRFProtect's check itself: keep it on

VARYING = {"x-request-id"}  # a new id per request, on both paths
ONE_READ = "FROM user_sessions si JOIN users u"  # quick.signed_in_round's statement


def _headers(response) -> list[tuple[str, str]]:
    return sorted((k.lower(), v) for k, v in response.headers.items() if k.lower() not in VARYING)


@pytest.fixture
def frozen():
    """The clock stopped at START for the set-up and the test (identical JSON on both paths)."""
    with freeze_time(START, tick=False) as clock:
        yield clock


@pytest.fixture
def round_(app, make_user, make_bank, frozen):
    """A signed-in candidate's running round: (client, session id, the page's CSRF token)."""
    make_user(email="hot@example.com")
    client = app.test_client()
    client.post(
        "/login",
        data={"email": "hot@example.com", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    bank = make_bank(minutes=60, count=2)
    token = csrf_token(client, "/practice/")
    client.post("/practice/rounds", data={"format_id": bank.format_id, "csrf_token": token})
    session_id = only_session_id(app)
    return client, session_id, csrf_token(client, f"/practice/sessions/{session_id}")


def _save(client, session_id, token, **data):
    data.setdefault("revision", 0)
    return client.post(
        f"/practice/sessions/{session_id}/questions/0/autosave",
        data=data,
        headers={"X-CSRFToken": token},
    )


def _both(app, monkeypatch, send):
    """(hot path's response, statements), (views' response, statements) for `send()`."""
    answers = []
    for on in (True, False):
        monkeypatch.setitem(app.config, "ROUND_HOT_PATH", on)
        with count_queries(app) as statements:
            answers.append((send(), list(statements)))
    return answers


def _sender(send, *calls):
    """`send` with each call's arguments in turn (one per path)."""
    calls = iter(calls)
    return lambda: send(**next(calls))


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_plain_save_is_the_hot_paths_and_answers_as_the_view_does(
    app, round_, monkeypatch, encoding
):
    client, session_id, token = round_
    kind = {} if encoding == "urlencoded" else {"content_type": "multipart/form-data"}

    def send(**data):  # what round.js sends (fetch and sendBeacon send multipart)
        return client.post(
            f"/practice/sessions/{session_id}/questions/0/autosave",
            data={"client_id": "tab-1", **data},
            headers={"X-CSRFToken": token},
            **kind,
        )

    (hot, hot_sql), (view, view_sql) = _both(
        app,
        monkeypatch,
        _sender(
            send,
            {"revision": 0, "seq": 1, "answer_text": "Two towers"},
            {"revision": 1, "seq": 2, "answer_text": "Two towers, then a ranker"},
        ),
    )
    assert hot.status_code == view.status_code == 200
    assert _headers(hot) == _headers(view)
    assert "set-cookie" not in dict(_headers(hot))  # the session did not change
    hot_json, view_json = hot.get_json(), view.get_json()
    assert (hot_json.pop("revision"), view_json.pop("revision")) == (1, 2)
    assert hot_json == view_json
    # the hot path's one read of sign-in, user and round (quick.py), not Flask-Login's
    assert len(hot_sql) <= 3 and ONE_READ in hot_sql[0], hot_sql
    assert not any(ONE_READ in statement for statement in view_sql), view_sql
    assert items(app, session_id)[0].answer_text == "Two towers, then a ranker"


def test_an_urlencoded_answer_is_read_by_the_hot_path_as_werkzeug_reads_it(app, round_):
    """The hot path parses an urlencoded body itself (round.js sends every save so):
    escapes, '+', '&' and '=' in the text, non-ASCII, line breaks, blank fields."""
    client, session_id, token = round_
    text = "a+b = 100% & more\r\nnext line: caf\u00e9 \u2014 \u65e5\u672c \U0001f600"
    with count_queries(app) as statements:
        response = client.post(
            f"/practice/sessions/{session_id}/questions/0/autosave",
            data={
                "revision": "0",
                "client_id": "tab-1",
                "seq": "1",
                "answer_text": text,
                "answer_unit": "",
            },
            headers={"X-CSRFToken": token},
        )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert ONE_READ in statements[0], statements  # answered by the hot path
    assert items(app, session_id)[0].answer_text == text.replace("\r\n", "\n")


def test_a_running_rounds_status_is_the_hot_paths_and_answers_as_the_view_does(
    app, round_, monkeypatch
):
    client, session_id, _ = round_
    (hot, hot_sql), (view, view_sql) = _both(
        app, monkeypatch, lambda: client.get(f"/practice/sessions/{session_id}/status")
    )
    assert hot.status_code == view.status_code == 200
    assert _headers(hot) == _headers(view)
    assert hot.get_json() == view.get_json()  # the fresh CSRF token too (the clock is frozen)
    assert hot.get_data() == view.get_data()  # byte for byte, as Flask's JSON response
    assert len(hot_sql) == 1 and ONE_READ in hot_sql[0], hot_sql
    assert not any(ONE_READ in statement for statement in view_sql), view_sql


def _unusual(app, session_id, token):
    """Requests the hot path must leave to the views: name -> (send kwargs for client.open)."""
    path = f"/practice/sessions/{session_id}/questions/0/autosave"
    form = {"revision": "0", "answer_text": "typed"}
    header = {"X-CSRFToken": token}
    return {
        "no CSRF token": dict(path=path, method="POST", data=form),
        "a forged token": dict(
            path=path, method="POST", data=form, headers={"X-CSRFToken": "x.y.z"}
        ),
        "a JSON body": dict(path=path, method="POST", json=form, headers=header),
        "a NUL in the answer": dict(
            path=path, method="POST", data={**form, "answer_text": "a\x00b"}, headers=header
        ),
        "a body that is not UTF-8": dict(
            path=path,
            method="POST",
            data=b"revision=0&answer_text=caf\xe9",
            content_type="application/x-www-form-urlencoded",
            headers=header,
        ),
        "seq above 2^31": dict(
            path=path, method="POST", data={**form, "seq": str(2**31)}, headers=header
        ),
        "a stale revision": dict(
            path=path, method="POST", data={**form, "revision": "7"}, headers=header
        ),
        "no revision": dict(
            path=path, method="POST", data={"answer_text": "typed"}, headers=header
        ),
        "an answer over the cap": dict(
            path=path,
            method="POST",
            data={**form, "answer_text": "x" * (app.config["ANSWER_MAX_CHARS"] + 1)},
            headers=header,
        ),
        "a question the round has not": dict(
            path=f"/practice/sessions/{session_id}/questions/9/autosave",
            method="POST",
            data=form,
            headers=header,
        ),
        "a round that is not there": dict(
            path=f"/practice/sessions/{session_id + 1000}/questions/0/autosave",
            method="POST",
            data=form,
            headers=header,
        ),
        "its status": dict(path=f"/practice/sessions/{session_id + 1000}/status", method="GET"),
        "HTTPS without a Referer": dict(
            path=path, method="POST", data=form, headers=header, base_url="https://localhost"
        ),
        "HTTPS from another origin": dict(
            path=path,
            method="POST",
            data=form,
            headers={**header, "Referer": "https://evil.example/"},
            base_url="https://localhost",
        ),
    }


def test_every_unusual_request_gets_the_views_answer(app, round_, monkeypatch):
    client, session_id, token = round_
    for name, request in _unusual(app, session_id, token).items():
        (hot, _), (view, _) = _both(app, monkeypatch, lambda sent=request: client.open(**sent))
        assert hot.status_code == view.status_code != 200, (name, hot.status_code)
        assert _headers(hot) == _headers(view), name
        assert hot.get_data() == view.get_data(), name
    assert items(app, session_id)[0].answer_text in (None, "")  # nothing above was saved


def test_a_finished_rounds_status_and_a_signed_out_browser_get_the_views_answer(
    app, round_, monkeypatch
):
    client, session_id, token = round_
    thief = app.test_client()  # the cookie, kept past the sign-out
    thief.set_cookie("mockloop_session", client.get_cookie("mockloop_session").value)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    for send in (
        lambda: thief.get(f"/practice/sessions/{session_id}/status"),
        lambda: _save(thief, session_id, token, answer_text="stolen"),
    ):
        (hot, _), (view, _) = _both(app, monkeypatch, send)
        assert hot.status_code == view.status_code == 302
        assert hot.headers["Location"] == view.headers["Location"]
    assert items(app, session_id)[0].answer_text in (None, "")


def test_an_error_on_the_hot_path_leaves_the_save_to_the_view(app, round_, monkeypatch, caplog):
    client, session_id, token = round_

    def failing(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("the connection dropped"))

    monkeypatch.setattr(quick, "save", failing)
    with caplog.at_level(logging.ERROR, logger="app.practice.hotpath"):
        response = _save(client, session_id, token, answer_text="kept all the same")
    assert response.status_code == 200 and response.get_json()["revision"] == 1
    assert items(app, session_id)[0].answer_text == "kept all the same"
    assert any("Flask answers this request instead" in r.getMessage() for r in caplog.records)


def test_a_body_too_large_to_read_here_still_gets_the_413_page(app, round_):
    client, session_id, token = round_
    response = _save(client, session_id, token, answer_text="x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert "larger than 1 MiB" in response.get_data(as_text=True)
    assert "<html" in response.get_data(as_text=True)
