"""Hint cost (issue 18): a format may make each hint cost time. The cost is pinned on the
session at start (x the extra-time multiplier; free in untimed drills), opening a hint
moves the deadline earlier by it, never closer than a minute from now, and the report and
the coach's log say "used 2 of 3 hints (−4 min)"."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

from freezegun import freeze_time

from app.coach.present import QuestionView
from app.domain import report as report_domain
from app.domain import timing
from app.extensions import db
from app.models.bank import RoundFormat
from app.models.practice import SessionEvent
from app.models.users import User
from tests.practice.conftest import START, at, get_session, items, only_session_id

MINUTE = 60


def _session(minutes=45, cost=120, penalty=0, untimed=False, multiplier=1.0):
    return SimpleNamespace(
        started_at=START,
        deadline_at=START + timedelta(minutes=minutes) - timedelta(seconds=penalty),
        grace_seconds=60,
        expiry_policy="auto_submit",
        status="in_progress",
        hint_cost_seconds=cost,
        hint_penalty_seconds=penalty,
        untimed=untimed,
        time_multiplier=multiplier,
    )


def test_the_charge_moves_the_deadline_and_keeps_the_length():
    s = _session()
    assert timing.hint_cost_label(s, at(minutes=5)) == "costs 2 min"
    assert timing.charge_hint(s, at(minutes=5)) == 120
    assert s.deadline_at == START + timedelta(minutes=43)
    assert s.hint_penalty_seconds == 120
    # the round is still 45 min long; the 2 min count as used
    assert timing.duration_seconds(s) == 45 * MINUTE
    assert timing.seconds_used(s, at(minutes=5)) == 7 * MINUTE
    assert timing.seconds_remaining(s, at(minutes=5)) == 38 * MINUTE


def test_the_deadline_never_comes_closer_than_a_minute_from_now():
    s = _session()
    now = at(minutes=43, seconds=30)  # 1 min 30 s left, the cost is 2 min
    assert timing.hint_charge(s, now) == 30
    assert timing.hint_cost_label(s, now) == ("costs 30 s (only the time above your last minute)")
    timing.charge_hint(s, now)
    assert timing.seconds_remaining(s, now) == MINUTE
    # in the last minute a hint is free and says so before it is opened
    assert timing.hint_charge(s, now) == 0
    assert timing.hint_cost_label(s, now) == "free now (your last minute)"
    assert timing.charge_hint(s, now) == 0
    assert timing.seconds_remaining(s, now) == MINUTE
    # after the deadline nothing moves
    late = at(minutes=50)
    assert timing.hint_charge(s, late) == 0


def test_free_formats_and_untimed_drills_charge_nothing():
    assert timing.hint_charge(_session(cost=0), at(minutes=1)) == 0
    assert timing.hint_cost_label(_session(cost=0), at(minutes=1)) == ""
    untimed = _session(minutes=48 * 60, untimed=True)
    assert timing.hint_charge(untimed, at(minutes=1)) == 0
    assert timing.hint_cost_label(untimed, at(minutes=1)) == ""


def test_extra_time_label_is_unchanged_by_hint_costs():
    s = _session(minutes=67.5, multiplier=1.5, cost=180)
    assert timing.extra_time_label(s) == "45 min + 50 % extra time"
    timing.charge_hint(s, at(minutes=1))
    assert timing.extra_time_label(s) == "45 min + 50 % extra time"


def test_the_hints_line_says_what_they_cost():
    assert report_domain.hints_line(2, 3, 240) == "used 2 of 3 hints (\u22124 min)"
    assert report_domain.hints_line(1, 1, 90) == "used 1 of 1 hint (\u22121 min 30 s)"
    assert report_domain.hints_line(2, 3) == "used 2 of 3 hints"
    assert report_domain.hints_line(0, 0, 60) == ""
    item = SimpleNamespace(
        hints_revealed=2,
        hint_penalty_seconds=240,
        question_version=SimpleNamespace(hints=["a", "b", "c"]),
    )
    view = QuestionView(item=item, spent_seconds=0, spark=None, criteria=[])
    assert view.hints_line == "used 2 of 3 hints (\u22124 min)"


def _hint(client, session_id, position=0):
    response = client.post(f"/practice/sessions/{session_id}/questions/{position}/hints")
    return response.status_code, response.get_json()


@freeze_time(START, tick=False)
def test_opening_a_hint_in_a_costed_round_moves_its_deadline(app, client, running):
    session_id = running(minutes=45, kinds=("text",), hint_cost_minutes=2)
    assert get_session(app, session_id).hint_cost_seconds == 120
    page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert "Show a hint (2 left, costs 2 min)" in page
    with freeze_time(at(minutes=10)):
        status, body = _hint(client, session_id)
    assert status == 200 and body["ok"] and body["used"] == 1
    assert body["charged"] == 120 and body["charged_label"] == "2 min"
    assert body["seconds_remaining"] == 33 * MINUTE  # 45 - 10 - 2
    assert body["duration"] == 45 * MINUTE
    assert body["cost_label"] == "costs 2 min"
    session = get_session(app, session_id)
    assert session.deadline_at == START + timedelta(minutes=43)
    assert session.hint_penalty_seconds == 120
    assert items(app, session_id)[0].hint_penalty_seconds == 120
    with app.app_context():
        event = db.session.query(SessionEvent).filter_by(kind="hint_revealed").one()
        assert event.data["cost_seconds"] == 120
    # the page reads the moved deadline on reload too
    with freeze_time(at(minutes=10)):
        page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert 'data-seconds-remaining="1980"' in page
    # a later bank edit never changes the running round's cost
    with app.app_context():
        fmt = db.session.get(RoundFormat, session.round_format_id)
        fmt.hint_cost_minutes = 10
        db.session.commit()
    with freeze_time(at(minutes=11)):
        status, body = _hint(client, session_id)
    assert body["charged"] == 120 and body["used"] == 2
    assert get_session(app, session_id).deadline_at == START + timedelta(minutes=41)
    # all shown: nothing more is charged
    with freeze_time(at(minutes=12)):
        status, body = _hint(client, session_id)
    assert body["charged"] == 0 and body["hint_html"] is None
    assert get_session(app, session_id).hint_penalty_seconds == 240


@freeze_time(START, tick=False)
def test_near_the_end_the_charge_is_clamped(app, client, running):
    session_id = running(minutes=45, kinds=("text",), hint_cost_minutes=5)
    with freeze_time(at(minutes=42)):  # 3 min left, the cost is 5
        page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
        assert "costs 2 min (only the time above your last minute)" in page
        status, body = _hint(client, session_id)
    assert body["charged"] == 120 and body["seconds_remaining"] == MINUTE
    assert get_session(app, session_id).deadline_at == at(minutes=43)


@freeze_time(START, tick=False)
def test_extra_time_scales_the_cost(app, client, login_as, make_bank):
    me = login_as()
    bank = make_bank(minutes=45, count=1, kinds=("text",), hint_cost_minutes=2)
    with app.app_context():
        db.session.get(User, me).time_multiplier = 1.25
        db.session.commit()
    client.post("/practice/rounds", data={"format_id": bank.format_id})
    session = get_session(app, only_session_id(app))
    assert session.hint_cost_seconds == 150
    page = client.get(f"/practice/sessions/{session.id}").get_data(as_text=True)
    assert "costs 2 min 30 s" in page


@freeze_time(START, tick=False)
def test_free_formats_keep_free_hints(app, client, running):
    session_id = running(minutes=45, kinds=("text",))
    page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert "Show a hint (2 left)" in page
    status, body = _hint(client, session_id)
    assert body["charged"] == 0
    assert get_session(app, session_id).deadline_at == START + timedelta(minutes=45)
    assert json.dumps(body)  # a plain JSON answer
