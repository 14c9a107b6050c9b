"""The lean autosave: an accepted save is the sign-in lookup, one UPDATE and the event's
INSERT (on PostgreSQL all three one statement); every unusual save still gets the full path's
answer; bad input is 422, not 500."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from app.extensions import db
from tests.learning.query_count import count_queries
from tests.practice.conftest import START, at, autosave, event_kinds, items


def _dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


@freeze_time(START, tick=False)
def test_an_accepted_save_is_three_statements_and_reads_nothing_back(app, client, running):
    session_id = running()
    with freeze_time(at(minutes=5)):
        assert (
            autosave(client, session_id, answer_text="one", client_id="t", seq=1).status_code == 200
        )
        with count_queries(app) as statements:
            response = autosave(client, session_id, answer_text="two", client_id="t", seq=2)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["revision"] == 2 and body["changed"] and body["seconds_remaining"] == 55 * 60
    # the read of sign-in, user and round, one UPDATE of the answer and one INSERT of its
    # event: on PostgreSQL all in one statement
    assert len(statements) == (1 if _dialect(app) == "postgresql" else 3), statements
    assert sum("UPDATE session_questions" in s for s in statements) == 1, statements
    assert sum("INSERT INTO session_events" in s for s in statements) == 1, statements
    # nothing else is read (no re-reading of the answer, the round or the user)
    assert [s for s in statements if s.upper().startswith(("SELECT", "WITH"))] == [
        s for s in statements if "user_sessions" in s
    ]
    assert not response.headers.get("Set-Cookie")  # the session did not change: no re-signing
    assert items(app, session_id)[0].answer_text == "two"
    assert event_kinds(app, session_id) == ["started", "saved", "saved"]


@freeze_time(START, tick=False)
def test_unchanged_and_superseded_saves_write_nothing_and_log_nothing(app, client, running):
    session_id = running()
    assert autosave(client, session_id, answer_text="same", client_id="t", seq=5).status_code == 200
    again = autosave(client, session_id, answer_text="same", client_id="t", seq=6).get_json()
    assert again["revision"] == 1 and not again["changed"]
    older = autosave(client, session_id, answer_text="older", client_id="t", seq=4).get_json()
    assert older["revision"] == 1 and not older["changed"]
    assert items(app, session_id)[0].answer_text == "same"
    assert event_kinds(app, session_id) == ["started", "saved"]


def test_another_candidates_round_is_404_and_untouched(app, client, running, login_as):
    session_id = running()
    login_as()  # a second candidate
    response = autosave(client, session_id, answer_text="not mine")
    assert response.status_code == 404
    assert items(app, session_id)[0].answer_text == ""


@freeze_time(START, tick=False)
def test_a_save_past_the_cutoff_is_refused_and_rolled_back(app, client, running):
    session_id = running()
    with freeze_time(at(minutes=61, seconds=30)):  # past deadline and the default grace
        response = autosave(client, session_id, answer_text="late")
    assert response.status_code == 409
    assert response.get_json()["error"] == "over"
    assert items(app, session_id)[0].answer_text == ""


@pytest.mark.parametrize(
    "data",
    [
        {"revision": 2**31, "answer_text": "x"},
        {"revision": -1, "answer_text": "x"},
        {"revision": 0, "seq": 2**31, "client_id": "t", "answer_text": "x"},
        {"revision": 0, "seq": 10**40, "client_id": "t", "answer_text": "x"},
        {"revision": "one", "answer_text": "x"},
        {"answer_text": "no revision"},
    ],
)
def test_out_of_range_or_missing_fields_are_422_with_a_message(app, client, running, data):
    session_id = running()
    response = client.post(f"/practice/sessions/{session_id}/questions/0/autosave", data=data)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid" and body["errors"]
    assert items(app, session_id)[0].answer_text == ""


def test_a_json_body_is_refused_clearly(app, client, running):
    session_id = running()
    response = client.post(
        f"/practice/sessions/{session_id}/questions/0/autosave",
        json={"revision": 0, "answer_text": "json"},
    )
    assert response.status_code in (400, 415, 422)
    assert response.status_code != 500
    assert items(app, session_id)[0].answer_text == ""
