"""Drill one question (issue 18): a single-question round the candidate picks, timed at the
question's suggested minutes or untimed (bounded by the 48 h take-home window), scored and
fed to the spaced-repetition schedule like any round."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.bank import queries as bank_queries
from app.domain import timing
from app.extensions import db
from app.learning import scoring
from app.models.bank import Question, RoundFormat
from app.models.practice import PracticeSession
from app.models.scoring import PracticeScheduleItem
from app.practice import lifecycle
from tests import factories
from tests.learning import helpers
from tests.practice.conftest import START, event_kinds, get_session, items, only_session_id


def _question(app, **fields) -> tuple[int, str]:
    with app.app_context():
        q = factories.question(suggested_minutes=fields.pop("minutes", 20), **fields)
        return q.id, q.key


@freeze_time(START)
def test_timed_drill_is_one_question_at_its_suggested_minutes(app, client, login_as):
    login_as()
    qid, key = _question(app, minutes=20)
    response = client.post("/practice/drills", data={"question": key, "mode": "timed"})
    session_id = only_session_id(app)
    assert response.headers["Location"].endswith(f"/practice/sessions/{session_id}")
    session = get_session(app, session_id)
    assert session.deadline_at == START + timedelta(minutes=20)
    assert not session.untimed and not session.is_take_home
    assert [i.question_id for i in items(app, session_id)] == [qid]
    assert event_kinds(app, session_id) == ["started"]
    with app.app_context():
        fmt = db.session.get(RoundFormat, session.round_format_id)
        assert fmt.drill and fmt.name == "Single-question drill" and fmt.question_count == 1
    page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert "Single-question drill" in page and "Question 1 of 1" in page


@freeze_time(START)
def test_untimed_drill_has_no_clock_but_closes_after_the_take_home_window(app, client, login_as):
    user_id = login_as()
    _, key = _question(app, minutes=20)
    client.post("/practice/drills", data={"question": key, "mode": "untimed"})
    session_id = only_session_id(app)
    session = get_session(app, session_id)
    assert session.untimed and session.is_take_home  # uses the take-home slot
    assert session.deadline_at == START + timedelta(minutes=timing.UNTIMED_MINUTES)
    page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert "Untimed drill" in page
    # a timed round of another question can run beside it (the timed slot is free)
    _, other = _question(app, minutes=15)
    client.post("/practice/drills", data={"question": other, "mode": "timed"})
    with app.app_context():
        open_rounds = db.session.scalars(
            select(PracticeSession).where(PracticeSession.user_id == user_id)
        ).all()
        assert sorted(s.untimed for s in open_rounds) == [False, True]
        # the sweep closes an abandoned untimed drill at its upper bound
        lifecycle.sweep(now=START + timedelta(hours=48, minutes=2))
        assert db.session.get(PracticeSession, session_id).status == "auto_submitted"


def test_a_second_timed_drill_is_refused_while_one_runs(app, client, login_as):
    login_as()
    _, first = _question(app)
    _, second = _question(app)
    client.post("/practice/drills", data={"question": first, "mode": "timed"})
    response = client.post("/practice/drills", data={"question": second, "mode": "timed"})
    assert response.status_code == 409
    assert "already have a timed round running" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "data",
    [
        {"question": "no-such-question", "mode": "timed"},
        {"question": "DRAFT", "mode": "timed"},
        {"question": "q", "mode": "sideways"},
        {"question": "", "mode": "timed"},
        {"question": "x" * 500, "mode": "untimed"},
        {"mode": "timed"},
    ],
)
def test_bad_drill_requests_change_nothing(app, client, login_as, data):
    login_as()
    with app.app_context():
        draft = factories.question(status="draft")
        if data.get("question") == "DRAFT":
            data = {**data, "question": draft.key}
    response = client.post("/practice/drills", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/questions/")
    follow = client.get("/questions/").get_data(as_text=True)
    assert "cannot be drilled" in follow or "Pick a question" in follow
    with app.app_context():
        assert db.session.scalar(select(PracticeSession.id)) is None


def test_drill_formats_stay_out_of_the_formats_grid_and_the_bank_files(app, client, login_as):
    login_as()
    _, key = _question(app)
    with app.app_context():
        factories.round_format(name="Design sixty")
    client.post("/practice/drills", data={"question": key, "mode": "timed"})
    session_id = only_session_id(app)
    with app.app_context():
        lifecycle.submit_round(
            get_session(app, session_id).user_id, session_id, now=START + timedelta(days=400)
        )
    page = client.get("/practice/").get_data(as_text=True)
    assert "Design sixty" in page
    assert f'value="{get_session(app, session_id).round_format_id}"' not in page
    with app.app_context():
        assert all(not f.drill for f in bank_queries.bank_choices()["formats"])


def test_drill_feeds_the_schedule_like_any_round(app, client, login_as):
    user_id = login_as()
    _, key = _question(app, minutes=10)
    client.post("/practice/drills", data={"question": key, "mode": "timed"})
    session_id = only_session_id(app)
    client.post(f"/practice/sessions/{session_id}/submit", data={})
    with app.app_context():
        session = db.session.get(PracticeSession, session_id)
        assert session.status == "submitted"
        item = session.items[0]
        keys = ["latency_budget", "cost_modeling", "failure_modes"]
        scoring.save_scoring(
            session_id,
            user_id,
            {(item.id, k): 1 for k in keys},
            {},
            "",
            session.finished_at + timedelta(minutes=5),
            finish=True,
        )
        scheduled = {
            i.item_key
            for i in db.session.scalars(
                select(PracticeScheduleItem).where(PracticeScheduleItem.user_id == user_id)
            )
        }
        assert set(keys) <= scheduled
    report = client.get(f"/feedback/sessions/{session_id}/report").get_data(as_text=True)
    assert "Practise this question" in report  # every gap offers a drill of its question


def test_practise_next_and_the_bank_offer_practise_this_question(app, client, login_as):
    user_id = login_as()
    qid, key = _question(app, title="Cache the embeddings", minutes=25)
    with app.app_context():
        question = db.session.get(Question, qid)
        session = helpers.practice_session(user_id, [question])
        item = session.items[0]
        keys = ["latency_budget", "cost_modeling", "failure_modes"]
        scoring.save_scoring(
            session.id,
            user_id,
            {(item.id, k): 1 for k in keys},
            {},
            "",
            session.finished_at,
            finish=True,
        )
    for path in ("/dashboard", "/feedback/", f"/questions/{key}"):
        html = client.get(path).get_data(as_text=True)
        assert f'name="question" value="{key}"' in html, path
        assert "Practise this question" in html and 'value="untimed"' in html, path
