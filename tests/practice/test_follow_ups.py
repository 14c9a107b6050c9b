"""Follow-up questions in the round (issue 13): revealed by "Done" or by time, answered
and autosaved with the main answer's guarantees (revision check, deadline and grace,
events), pinned to the question version the round started with."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models.bank import QuestionVersion
from app.models.practice import FollowUpAnswer, PracticeSession, SessionEvent
from tests import factories
from tests.learning.query_count import count_queries
from tests.practice.conftest import START, at, only_session_id

FOLLOW_UPS = ["How would you cut its cost by half?", "What breaks at ten times the load?"]


@pytest.fixture
def round_with_follow_ups(app, client, login_as):
    """A signed-in candidate's 30-minute design round of one question (10 suggested
    minutes, two follow-ups in the bank), started at START."""

    def _start(stage="system_design", minutes=30, follow_ups=FOLLOW_UPS, **fmt):
        with freeze_time(START):
            login_as()
            with app.app_context():
                fmt_obj = factories.round_format(stage, minutes=minutes, count=1, **fmt)
                factories.question(stage, follow_ups=list(follow_ups), suggested_minutes=10)
                format_id = fmt_obj.id
            response = client.post("/practice/rounds", data={"format_id": format_id})
            assert "/practice/sessions/" in response.headers["Location"]
        return only_session_id(app)

    return _start


def url(session_id, number=1, tail=""):
    return f"/practice/sessions/{session_id}/questions/0/follow-ups/{number}{tail}"


def reveal(client, session_id, number=1, reason="done", **data):
    data.setdefault("revision", 0)
    return client.post(url(session_id, number, f"/{reason}"), data=data)


def save(client, session_id, number=1, **data):
    data.setdefault("revision", 0)
    return client.post(url(session_id, number, "/autosave"), data=data)


def rows(app, session_id):
    with app.app_context():
        found = db.session.scalars(select(FollowUpAnswer).order_by(FollowUpAnswer.number)).all()
        for row in found:
            db.session.expunge(row)
        return found


def events(app, session_id, kind):
    with app.app_context():
        return [
            (e.at, e.data)
            for e in db.session.scalars(
                select(SessionEvent)
                .where(SessionEvent.session_id == session_id, SessionEvent.kind == kind)
                .order_by(SessionEvent.id)
            )
        ]


def test_a_design_round_pins_two_follow_ups_and_the_page_offers_the_first(
    app, client, round_with_follow_ups
):
    session_id = round_with_follow_ups()
    with app.app_context():
        assert db.session.get(PracticeSession, session_id).follow_up_limit == 2
    with freeze_time(at(minutes=1)):
        html = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert "Done — next follow-up" in html and 'form="answer-form"' in html
    assert FOLLOW_UPS[0] not in html  # not asked yet
    assert 'data-follow-up-due-in="300"' in html  # 60 % of 10 minutes, 1 minute in


@freeze_time(at(minutes=3))
def test_done_saves_the_main_answer_then_reveals_the_next_follow_up(
    app, client, round_with_follow_ups
):
    session_id = round_with_follow_ups()
    response = reveal(client, session_id, answer_text="Shard by tenant.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("?q=0#follow-up-1")
    (row,) = rows(app, session_id)
    assert row.prompt == FOLLOW_UPS[0] and row.reveal_reason == "done"
    assert row.revealed_at == at(minutes=3)
    html = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert FOLLOW_UPS[0] in html and "Shard by tenant." in html
    autosave_url = f"/practice/sessions/{session_id}/questions/0/follow-ups/1/autosave"
    assert f'data-autosave-url="{autosave_url}"' in html
    ((when, data),) = events(app, session_id, "follow_up_revealed")
    assert when == at(minutes=3)
    assert data == {"number": 1, "reason": "done", "seconds_on_question": 180}


def test_a_second_click_reveals_nothing_more_and_numbers_must_follow(
    app, client, round_with_follow_ups
):
    session_id = round_with_follow_ups()
    with freeze_time(at(minutes=2)):
        assert reveal(client, session_id).status_code == 302
        assert reveal(client, session_id).status_code == 302  # the same one: no-op
        assert reveal(client, session_id, number=3).status_code == 409  # skips one
    assert [r.number for r in rows(app, session_id)] == [1]
    with freeze_time(at(minutes=2, seconds=10)):
        assert reveal(client, session_id, number=2).status_code == 302
        assert reveal(client, session_id, number=3).status_code == 409  # only two shown
    assert [r.prompt for r in rows(app, session_id)] == FOLLOW_UPS


def test_a_timed_reveal_is_checked_against_the_servers_clock(app, client, round_with_follow_ups):
    session_id = round_with_follow_ups()
    headers = {"HX-Request": "true"}
    with freeze_time(at(minutes=5, seconds=59)):
        early = client.post(url(session_id, 1, "/time"), headers=headers)
    assert early.status_code == 409 and "not due yet" in early.get_data(as_text=True)
    assert rows(app, session_id) == []
    with freeze_time(at(minutes=6)):
        on_time = client.post(url(session_id, 1, "/time"), headers=headers)
    assert on_time.status_code == 200
    fragment = on_time.get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="follow-ups"')
    assert FOLLOW_UPS[0] in fragment and "<html" not in fragment
    assert rows(app, session_id)[0].reveal_reason == "time"


def test_follow_up_autosave_bumps_the_revision_and_logs_a_save(app, client, round_with_follow_ups):
    session_id = round_with_follow_ups()
    with freeze_time(at(minutes=4)):
        reveal(client, session_id)
    with freeze_time(at(minutes=5)):
        response = save(
            client, session_id, answer_text="Quantise and batch.", client_id="tabA", seq=1
        )
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] and body["revision"] == 1 and body["saved_label"] == "09:05:00"
    assert body["seconds_remaining"] == 25 * 60  # the same round timer, no extra time
    assert response.headers["Cache-Control"] == "no-store"
    (row,) = rows(app, session_id)
    assert row.answer_text == "Quantise and batch." and row.saved_at == at(minutes=5)
    ((_, data),) = events(app, session_id, "follow_up_saved")
    assert data == {"number": 1, "length": 19, "revision": 1}


@freeze_time(at(minutes=2))
def test_another_tabs_stale_save_is_409_and_overwrites_nothing(app, client, round_with_follow_ups):
    session_id = round_with_follow_ups()
    reveal(client, session_id)
    for seq, text in ((1, "tab A"), (2, "tab A 2")):
        ok = save(client, session_id, answer_text=text, client_id="tabA", seq=seq)
        assert ok.status_code == 200
    stale = save(client, session_id, answer_text="tab B", client_id="tabB", seq=1)
    assert stale.status_code == 409
    assert stale.get_json()["error"] == "stale" and stale.get_json()["revision"] == 2
    assert rows(app, session_id)[0].answer_text == "tab A 2"


@freeze_time(at(minutes=2))
def test_too_long_is_422_and_nothing_is_cut(app, client, round_with_follow_ups):
    session_id = round_with_follow_ups()
    reveal(client, session_id)
    app.config["ANSWER_MAX_CHARS"] = 10
    response = save(client, session_id, answer_text="x" * 11)
    assert response.status_code == 422 and response.get_json()["error"] == "too_long"
    assert rows(app, session_id)[0].answer_text == ""


@freeze_time(at(minutes=2))
def test_saving_a_follow_up_not_revealed_is_404(app, client, round_with_follow_ups):
    session_id = round_with_follow_ups()
    assert save(client, session_id, answer_text="early").status_code == 404
    assert rows(app, session_id) == []


def test_after_the_deadline_and_grace_saves_and_reveals_are_refused(
    app, client, round_with_follow_ups
):
    session_id = round_with_follow_ups(minutes=30, grace_seconds=60)
    with freeze_time(at(minutes=10)):
        reveal(client, session_id)
    with freeze_time(at(minutes=30, seconds=30)):  # in the grace period: still accepted
        assert save(client, session_id, answer_text="in grace").status_code == 200
    with freeze_time(at(minutes=31, seconds=1)):
        late = save(client, session_id, answer_text="too late", revision=1)
        assert late.status_code == 409 and late.get_json()["error"] == "over"
        assert reveal(client, session_id, number=2).status_code == 409
    assert rows(app, session_id)[0].answer_text == "in grace"
    with app.app_context():
        assert db.session.get(PracticeSession, session_id).is_finished


@freeze_time(at(minutes=2))
def test_the_prompt_shown_is_the_pinned_versions_even_after_an_edit(
    app, client, round_with_follow_ups
):
    session_id = round_with_follow_ups()
    with app.app_context():
        version = db.session.scalar(select(QuestionVersion))
        version.follow_ups = ["An edited follow-up", "Another"]  # as if edited in place
        db.session.commit()
    reveal(client, session_id)
    # the round pinned this version, so its prompt is what it says now; a new version
    # (how the editor saves) would not change the pinned one at all; the copy on the
    # row keeps what was shown whatever happens afterwards
    with app.app_context():
        version = db.session.scalar(select(QuestionVersion))
        version.follow_ups = ["Changed again", "Another"]
        db.session.commit()
    assert rows(app, session_id)[0].prompt == "An edited follow-up"
    html = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert "An edited follow-up" in html and "Changed again" not in html


@freeze_time(at(minutes=2))
def test_a_short_screen_shows_one_and_a_question_without_follow_ups_shows_nothing(
    app, client, round_with_follow_ups
):
    session_id = round_with_follow_ups(stage="ethics_sprint", minutes=10)
    with app.app_context():
        assert db.session.get(PracticeSession, session_id).follow_up_limit == 1
    reveal(client, session_id)
    assert reveal(client, session_id, number=2).status_code == 409
    assert len(rows(app, session_id)) == 1


@freeze_time(at(minutes=2))
def test_a_round_with_no_follow_ups_renders_no_follow_up_block(app, client, round_with_follow_ups):
    session_id = round_with_follow_ups(follow_ups=[])
    html = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert "follow-ups" not in html and "Follow-up" not in html


@freeze_time(at(minutes=2))
def test_someone_elses_round_is_404(app, client, round_with_follow_ups, login_as):
    session_id = round_with_follow_ups()
    reveal(client, session_id)
    login_as()  # another candidate on the same client
    assert save(client, session_id, answer_text="mine now").status_code == 404
    assert reveal(client, session_id, number=2).status_code == 404


@freeze_time(at(minutes=3))
def test_the_round_page_reads_the_round_in_one_statement_whatever_it_shows(
    app, client, round_with_follow_ups
):
    """Skills, revealed follow-ups, hints and time warnings come with the questions in one
    read; the page's statements do not grow with what the round holds."""
    session_id = round_with_follow_ups()
    page_url = f"/practice/sessions/{session_id}"
    client.get(page_url)  # warm: first-request work is not the steady state
    with count_queries(app) as bare:
        assert client.get(page_url).status_code == 200
    reveal(client, session_id, answer_text="Shard by tenant.")
    reveal(client, session_id, 2, revision=1, answer_text="Shard by tenant.")
    save(client, session_id, answer_text="Halve the replicas.")
    client.post(f"{page_url}/questions/0/hints", data={})
    client.post(f"{page_url}/warnings", data={"seconds_left": 300})
    with count_queries(app) as full:
        html = client.get(page_url).get_data(as_text=True)
    assert FOLLOW_UPS[0] in html and FOLLOW_UPS[1] in html and "Halve the replicas." in html
    assert 'data-warned="300"' in html and '<span class="tag">Ml System Design</span>' in html
    assert len(full) == len(bare), (bare, full)
    assert [s for s in full if "session_questions" in s and "practice_sessions" in s] == full[-1:]


@pytest.mark.postgres_only
@pytest.mark.real_commits  # a test's savepoint rollbacks make psycopg forget what it prepared
@freeze_time(at(minutes=3))
def test_postgresql_plans_the_round_pages_read_once_not_on_every_load(
    app, client, round_with_follow_ups
):
    """The round page's prepared statement gets a generic plan, used for every later load
    (pg_prepared_statements counts them), rather than a custom plan per load: with the
    warnings' kind bound as a parameter the generic plan was priced ~10x the custom one,
    so each load planned the eight-table join afresh (1.3 ms of PostgreSQL's CPU)."""
    session_id = round_with_follow_ups()
    client.post(f"/practice/sessions/{session_id}/warnings", data={"seconds_left": 300})
    with app.app_context():  # a long round's log: an event per autosave, planner stats
        db.session.execute(
            sa.text(
                "INSERT INTO session_events (session_id, at, kind, position, data)"
                " SELECT :id, now(), 'saved', 0, '{}' FROM generate_series(1, 3000)"
            ),
            {"id": session_id},
        )
        db.session.commit()
        db.session.execute(sa.text("ANALYZE session_events"))
        db.session.commit()
    for _ in range(16):  # psycopg prepares on the 5th run; PostgreSQL compares after 5 more
        assert client.get(f"/practice/sessions/{session_id}").status_code == 200
    with app.app_context():
        generic, custom = db.session.execute(
            sa.text(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                " WHERE statement LIKE '%AS warned_mask%'"
            )
        ).one()
    assert generic >= 5 and custom <= 6, (generic, custom)
