"""Submitting, expiry at the deadline, the sweep, warnings and the event log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.models.practice import SessionEvent
from app.practice import lifecycle
from tests.practice.conftest import START, at, event_kinds, get_session, items, only_session_id


@pytest.fixture
def started(app, client, login_as, make_bank):
    """Sign in and start a round at START (call inside freeze_time(START))."""

    def _start(minutes=60, count=2, **fields):
        user_id = login_as()
        bank = make_bank(minutes=minutes, count=count, **fields)
        client.post("/practice/rounds", data={"format_id": bank.format_id})
        return user_id, only_session_id(app)

    return _start


def save(client, session_id, text, position=0, revision=0):
    return client.post(
        f"/practice/sessions/{session_id}/questions/{position}/autosave",
        data={"revision": revision, "answer_text": text},
    )


def test_confirmation_names_unanswered_questions(app, client, started):
    _, session_id = started(count=3)
    save(client, session_id, "answered one")
    page = client.get(f"/practice/sessions/{session_id}/submit").get_data(as_text=True)
    assert "2 questions not answered" in page
    titles = [row.question_id for row in items(app, session_id)[1:]]
    assert len(titles) == 2
    assert "Question 2:" in page and "Question 3:" in page and "Question 1:" not in page
    assert get_session(app, session_id).status == "in_progress"  # GET changed nothing


def test_submit_leads_to_self_scoring_and_is_idempotent(app, client, started):
    with freeze_time(START) as frozen:
        _, session_id = started()
        save(client, session_id, "my answer")
        frozen.move_to(at(minutes=12))
        first = client.post(f"/practice/sessions/{session_id}/submit")
        frozen.move_to(at(minutes=13))
        second = client.post(f"/practice/sessions/{session_id}/submit")
    score_url = f"/feedback/sessions/{session_id}/score"
    assert first.status_code == 302 and first.headers["Location"] == score_url
    assert second.status_code == 302 and second.headers["Location"] == score_url
    session = get_session(app, session_id)
    assert session.status == "submitted" and session.finished_at == at(minutes=12)
    assert event_kinds(app, session_id).count("submitted") == 1
    assert items(app, session_id)[0].answer_text == "my answer"


def test_confirm_page_of_a_finished_round_goes_to_scoring(client, started):
    _, session_id = started()
    client.post(f"/practice/sessions/{session_id}/submit")
    response = client.get(f"/practice/sessions/{session_id}/submit")
    assert response.status_code == 302 and "/score" in response.headers["Location"]


def test_submit_needs_post(client, started):
    _, session_id = started()
    assert client.get(f"/practice/sessions/{session_id}/submit").status_code == 200
    assert client.put(f"/practice/sessions/{session_id}/submit").status_code == 405


@pytest.mark.parametrize(
    ("policy", "status"), [("auto_submit", "auto_submitted"), ("grace_then_close", "closed")]
)
def test_next_request_finalises_at_the_deadline_not_at_request_time(
    app, client, started, policy, status
):
    with freeze_time(START) as frozen:
        _, session_id = started(minutes=30, expiry_policy=policy, grace_seconds=60)
        save(client, session_id, "last saved draft")
        frozen.move_to(at(minutes=35))  # long after deadline + grace
        response = client.get(f"/practice/sessions/{session_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'href="/feedback/sessions/{session_id}/score"' in page
    assert "last saved draft" in page
    session = get_session(app, session_id)
    assert session.status == status
    assert session.finished_at == at(minutes=30)
    assert event_kinds(app, session_id)[-1] == status


def test_in_grace_the_round_is_not_finalised_yet(app, client, started):
    with freeze_time(START) as frozen:
        _, session_id = started(minutes=30, grace_seconds=60)
        frozen.move_to(at(minutes=30, seconds=20))
        page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
        status = client.get(f"/practice/sessions/{session_id}/status").get_json()
    assert get_session(app, session_id).status == "in_progress"
    assert "Time is up" in page and "Finish and go to self-scoring" in page
    assert status["phase"] == "grace" and status["seconds_remaining"] == 0
    assert status["grace_remaining"] == 40 and status["editable"] is False


def test_expire_endpoint_refuses_while_time_is_left(app, client, started):
    with freeze_time(START) as frozen:
        _, session_id = started(minutes=30)
        frozen.move_to(at(minutes=29, seconds=58))
        early = client.post(f"/practice/sessions/{session_id}/expire")
    assert early.status_code == 409
    assert early.get_json()["error"] == "not_yet" and early.get_json()["seconds_remaining"] == 2
    assert get_session(app, session_id).status == "in_progress"


def test_expire_endpoint_auto_submits_at_the_deadline(app, client, started):
    with freeze_time(START) as frozen:
        _, session_id = started(minutes=30)
        save(client, session_id, "typed before time ran out")
        frozen.move_to(at(minutes=30, seconds=2))
        response = client.post(f"/practice/sessions/{session_id}/expire")
        again = client.post(f"/practice/sessions/{session_id}/expire")
    body = response.get_json()
    assert (
        response.status_code == 200 and body["redirect"] == f"/feedback/sessions/{session_id}/score"
    )
    assert again.status_code == 200 and again.get_json()["status"] == "auto_submitted"
    session = get_session(app, session_id)
    assert session.status == "auto_submitted" and session.finished_at == at(minutes=30)
    assert items(app, session_id)[0].answer_text == "typed before time ran out"
    assert event_kinds(app, session_id).count("auto_submitted") == 1


def test_grace_then_close_keeps_accepting_through_grace(app, client, started):
    with freeze_time(START) as frozen:
        _, session_id = started(minutes=30, expiry_policy="grace_then_close", grace_seconds=120)
        frozen.move_to(at(minutes=31))
        assert client.post(f"/practice/sessions/{session_id}/expire").status_code == 409
        assert save(client, session_id, "wrapped up in grace").status_code == 200
        page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
        assert "of grace to finish" in page and "readonly" not in page
        frozen.move_to(at(minutes=32, seconds=1))
        closed = client.post(f"/practice/sessions/{session_id}/expire")
    assert closed.status_code == 200
    session = get_session(app, session_id)
    assert session.status == "closed" and session.finished_at == at(minutes=30)
    assert items(app, session_id)[0].answer_text == "wrapped up in grace"


def test_submit_after_the_deadline_records_the_deadline(app, client, started):
    with freeze_time(START) as frozen:
        _, session_id = started(minutes=30)
        frozen.move_to(at(minutes=30, seconds=10))
        client.post(f"/practice/sessions/{session_id}/submit")
    session = get_session(app, session_id)
    assert session.status == "auto_submitted" and session.finished_at == at(minutes=30)


def test_time_spent_per_question(app, client, started):
    with freeze_time(START) as frozen:
        _, session_id = started(minutes=60, count=2)
        frozen.move_to(at(minutes=10))
        client.post(
            f"/practice/sessions/{session_id}/questions/0",
            data={"revision": 0, "answer_text": "a", "goto": 1},
        )
        frozen.move_to(at(minutes=25))
        client.post(f"/practice/sessions/{session_id}/submit")
    first, second = items(app, session_id)
    assert first.time_spent_seconds == 10 * 60
    assert second.time_spent_seconds == 15 * 60


# --- the sweep --------------------------------------------------------------------------


def test_sweep_finalises_only_overdue_sessions_at_their_deadline(app, client, started, runner):
    with freeze_time(START) as frozen:
        _, session_id = started(minutes=30)
        save(client, session_id, "kept by the sweep")
        frozen.move_to(at(minutes=30, seconds=30))  # in grace: not yet
        in_grace = runner.invoke(args=["sessions", "sweep"])
        assert "finalised 0" in in_grace.output and "still in grace 1" in in_grace.output
        frozen.move_to(at(minutes=180))
        swept = runner.invoke(args=["sessions", "sweep"])
        again = runner.invoke(args=["sessions", "sweep"])
    assert swept.exit_code == 0
    assert "checked 1, finalised 1 (auto_submitted 1)" in swept.output
    assert "checked 0, finalised 0" in again.output
    session = get_session(app, session_id)
    assert session.status == "auto_submitted" and session.finished_at == at(minutes=30)
    assert items(app, session_id)[0].answer_text == "kept by the sweep"
    with app.app_context():
        event = db.session.scalar(select(SessionEvent).where(SessionEvent.kind == "auto_submitted"))
        assert (
            event.data["by"] == "sweep" and event.data["finished_at"] == at(minutes=30).isoformat()
        )


def test_sweep_leaves_other_users_and_finished_sessions_alone(app, client, started, runner):
    with freeze_time(START) as frozen:
        _, session_id = started(minutes=30)
        client.post(f"/practice/sessions/{session_id}/submit")
        frozen.move_to(at(minutes=90))
        with app.app_context():
            result = lifecycle.sweep(now=utcnow())
    assert result.checked == 0 and result.finalised == 0
    assert get_session(app, session_id).status == "submitted"


def test_finalise_overdue_twice_finalises_once(app, client, started):
    with freeze_time(START) as frozen:
        _, session_id = started(minutes=30)
        frozen.move_to(at(minutes=40))
        with app.app_context():
            assert lifecycle.finalise_overdue(session_id, now=utcnow()) is True
            assert lifecycle.finalise_overdue(session_id, now=utcnow()) is False
    assert event_kinds(app, session_id).count("auto_submitted") == 1


# --- warnings and the event log -----------------------------------------------------------


def test_warnings_are_logged_once_per_threshold(app, client, started):
    _, session_id = started()
    url = f"/practice/sessions/{session_id}/warnings"
    page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert 'data-warned=""' in page
    assert client.post(url, data={"seconds_left": 300}).get_json() == {"ok": True, "logged": True}
    page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert 'data-warned="300"' in page  # the one shown, not the other
    assert client.post(url, data={"seconds_left": 300}).get_json()["logged"] is False
    assert client.post(url, data={"seconds_left": 60}).get_json()["logged"] is True
    assert client.post(url, data={"seconds_left": 42}).status_code == 422
    assert client.post(url, data={}).status_code == 422
    assert event_kinds(app, session_id).count("warning_shown") == 2
    page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert 'data-warned="60,300"' in page


def test_event_log_tells_the_story(app, client, started):
    with freeze_time(START) as frozen:
        _, session_id = started(count=2)
        frozen.move_to(at(minutes=1))
        save(client, session_id, "x" * 42)
        frozen.move_to(at(minutes=2))
        client.post(
            f"/practice/sessions/{session_id}/questions/0",
            data={"revision": 1, "answer_text": "x" * 42, "action": "hint"},
        )
        client.post(
            f"/practice/sessions/{session_id}/questions/0",
            data={"revision": 1, "answer_text": "x" * 42, "goto": 1},
        )
        client.post(f"/practice/sessions/{session_id}/warnings", data={"seconds_left": 300})
        frozen.move_to(at(minutes=3))
        client.post(f"/practice/sessions/{session_id}/submit")
    with app.app_context():
        rows = db.session.scalars(
            select(SessionEvent)
            .where(SessionEvent.session_id == session_id)
            .order_by(SessionEvent.id)
        ).all()
        story = [(e.kind, e.position, e.at) for e in rows]
        saved = next(e for e in rows if e.kind == "saved")
        assert saved.data["length"] == 42 and saved.data["revision"] == 1
        switched = next(e for e in rows if e.kind == "question_switched")
        assert switched.data == {"from_position": 0}
    assert story == [
        ("started", None, START),
        ("saved", 0, at(minutes=1)),
        ("hint_revealed", 0, at(minutes=2)),
        ("question_switched", 1, at(minutes=2)),
        ("warning_shown", 1, at(minutes=2)),
        ("submitted", None, at(minutes=3)),
    ]


def test_log_event_helper_adds_to_the_unit_of_work(app, client, started):
    from app.practice.events import log_event

    _, session_id = started()
    with app.app_context():
        from app.models.practice import PracticeSession

        session = db.session.get(PracticeSession, session_id)
        event = log_event(
            session, "self_scored", 1, at=utcnow(), criterion="cost_modeling", level=3
        )
        db.session.commit()
        assert event.id is not None
    assert event_kinds(app, session_id)[-1] == "self_scored"


def test_take_home_can_be_resumed_for_48_hours_then_closes(app, client, auth, make_bank, make_user):
    with freeze_time(START) as frozen:
        make_user(email="homework@example.com", timezone="America/Los_Angeles")
        auth.login("homework@example.com")
        bank = make_bank(
            "take_home",
            2880,
            count=1,
            kinds=("deliverable",),
            expiry_policy="grace_then_close",
            grace_seconds=300,
        )
        client.post("/practice/rounds", data={"format_id": bank.format_id})
        session_id = only_session_id(app)
        revision = 0
        for hours in (1, 20, 47.9):  # come back any number of times (a new sign-in each day)
            frozen.move_to(START + timedelta(hours=hours))
            auth.login("homework@example.com")
            index = client.get("/practice/").get_data(as_text=True)
            assert "Take-home open" in index and "Due Wed 4 Mar, 01:00 PST" in index
            response = client.post(
                f"/practice/sessions/{session_id}/questions/0/autosave",
                data={
                    "revision": revision,
                    "answer_text": f"progress after {hours} h",
                    "answer_links": "https://github.com/me/take-home",
                },
            )
            assert response.status_code == 200
            revision = response.get_json()["revision"]
        frozen.move_to(START + timedelta(hours=48, minutes=4))  # in the 5-minute grace
        assert get_session(app, session_id).status == "in_progress"
        frozen.move_to(START + timedelta(hours=48, minutes=6))
        client.get("/practice/")
    session = get_session(app, session_id)
    assert session.status == "closed" and session.finished_at == START + timedelta(hours=48)
    item = items(app, session_id)[0]
    assert item.answer_text == "progress after 47.9 h"
    assert item.answer_links == ["https://github.com/me/take-home"]
