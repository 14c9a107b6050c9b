"""`round_finished` is sent once for every way a round ends, inside its transaction."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models.practice import PracticeSession
from app.practice.signals import round_finished
from tests.practice.conftest import START, at, only_session_id


@pytest.fixture
def heard(app):
    """What `round_finished` told a receiver: (session id, status in the DB, by, sender)."""
    calls = []

    def receiver(sender, *, session, now, by):
        # Still inside the finish's transaction: the row is marked, not yet committed.
        committed = db.session.connection().execute(
            select(PracticeSession.status).where(PracticeSession.id == session.id)
        )
        calls.append((session.id, session.status, by, sender is app, now, committed.scalar()))

    round_finished.connect(receiver, sender=app)
    yield calls
    round_finished.disconnect(receiver, sender=app)


@pytest.fixture
def started(app, client, login_as, make_bank):
    def _start(minutes=30):
        login_as()
        bank = make_bank(minutes=minutes, count=1)
        client.post("/practice/rounds", data={"format_id": bank.format_id})
        return only_session_id(app)

    return _start


def test_submit_sends_it_once(client, started, heard):
    with freeze_time(START) as frozen:
        session_id = started()
        frozen.move_to(at(minutes=10))
        client.post(f"/practice/sessions/{session_id}/submit")
        client.post(f"/practice/sessions/{session_id}/submit")  # idempotent: not again
    assert [(c[0], c[1], c[2], c[3], c[4]) for c in heard] == [
        (session_id, "submitted", "candidate", True, at(minutes=10))
    ]


def test_the_page_timer_sends_it(client, started, heard):
    with freeze_time(START) as frozen:
        session_id = started()
        frozen.move_to(at(minutes=30))
        client.post(f"/practice/sessions/{session_id}/expire")
    assert [(c[0], c[1], c[2]) for c in heard] == [(session_id, "auto_submitted", "timer")]


def test_a_request_finding_it_overdue_sends_it(client, started, heard):
    with freeze_time(START) as frozen:
        session_id = started()
        frozen.move_to(at(minutes=45))
        client.get(f"/practice/sessions/{session_id}")
        client.get(f"/practice/sessions/{session_id}")
    assert [(c[0], c[1], c[2]) for c in heard] == [(session_id, "auto_submitted", "request")]


def test_the_sweep_sends_it(app, started, heard, runner):
    with freeze_time(START) as frozen:
        session_id = started()
        frozen.move_to(at(minutes=45))
        runner.invoke(args=["sessions", "sweep"])
        runner.invoke(args=["sessions", "sweep"])
    assert [(c[0], c[1], c[2]) for c in heard] == [(session_id, "auto_submitted", "sweep")]


def test_it_is_sent_before_the_commit(client, started, heard):
    with freeze_time(START) as frozen:
        session_id = started()
        frozen.move_to(at(minutes=10))
        client.post(f"/practice/sessions/{session_id}/submit")
    assert heard and heard[0][5] == "in_progress", "receivers write in the finish's transaction"
