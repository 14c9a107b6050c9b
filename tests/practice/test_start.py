"""Starting rounds: pinned versions, the server clock, one timed round plus one take-home."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models.bank import Question, QuestionVersion
from app.models.practice import PracticeSession, SessionEvent
from tests import factories
from tests.practice.conftest import START, event_kinds, get_session, items, only_session_id


def test_start_is_post_only(client, login_as, make_bank):
    login_as()
    bank = make_bank()
    assert client.get(f"/practice/rounds?format_id={bank.format_id}").status_code == 405


def test_index_lists_stages_formats_and_plans(app, client, login_as, make_bank):
    login_as()
    make_bank("system_design", 60, name="Design sixty")
    with app.app_context():
        factories.loop_plan([factories.round_format("recruiter_screen", 15, name="Screen fifteen")])
    page = client.get("/practice/").get_data(as_text=True)
    assert "Design sixty" in page and "Screen fifteen" in page
    assert "Start loop: Test loop" in page


@freeze_time(START)
def test_start_pins_versions_and_starts_the_clock(app, client, login_as, make_bank):
    login_as()
    bank = make_bank("system_design", minutes=60, count=2)
    response = client.post("/practice/rounds", data={"format_id": bank.format_id})
    session_id = only_session_id(app)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/practice/sessions/{session_id}")
    session = get_session(app, session_id)
    assert session.started_at == START
    assert session.deadline_at == START + timedelta(minutes=60)
    assert session.status == "in_progress" and not session.is_take_home
    rows = items(app, session_id)
    assert len(rows) == 2
    with app.app_context():
        for row in rows:
            question = db.session.get(Question, row.question_id)
            assert row.question_version_id == question.current_version_id
            version = db.session.get(QuestionVersion, row.question_version_id)
            assert row.rubric_version_id == version.rubric.current_version_id
    assert event_kinds(app, session_id) == ["started"]


def test_pinned_version_survives_a_bank_edit(app, client, login_as, make_bank):
    login_as()
    bank = make_bank(count=1)
    client.post("/practice/rounds", data={"format_id": bank.format_id})
    session_id = only_session_id(app)
    with app.app_context():
        question = db.session.get(Question, bank.question_ids[0])
        old = question.current_version
        new = QuestionVersion(
            question_id=question.id,
            number=2,
            stage_key=old.stage_key,
            rubric_id=old.rubric_id,
            title="Edited title",
            prompt_md="Edited prompt",
        )
        db.session.add(new)
        db.session.flush()
        question.current_version_id = new.id
        db.session.commit()
    page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert "Edited prompt" not in page
    assert "Design system number" in page


def test_second_timed_round_is_refused_with_a_link(app, client, login_as, make_bank):
    login_as()
    first = make_bank("system_design", 60, name="Design round")
    second = make_bank("technical_phone", 45)
    client.post("/practice/rounds", data={"format_id": first.format_id})
    running_id = only_session_id(app)
    response = client.post("/practice/rounds", data={"format_id": second.format_id})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "already have a timed round running" in page
    assert f'href="/practice/sessions/{running_id}"' in page
    assert only_session_id(app) == running_id


def test_one_take_home_beside_one_timed_round(app, client, login_as, make_bank):
    login_as()
    timed = make_bank("system_design", 60)
    take_home = make_bank(
        "take_home", 2880, count=1, kinds=("deliverable",), expiry_policy="grace_then_close"
    )
    other_take_home = make_bank("take_home", 180, count=1, kinds=("deliverable",))
    assert client.post("/practice/rounds", data={"format_id": timed.format_id}).status_code == 302
    assert (
        client.post("/practice/rounds", data={"format_id": take_home.format_id}).status_code == 302
    )
    take_home_id = only_session_id(app)
    assert get_session(app, take_home_id).is_take_home
    response = client.post("/practice/rounds", data={"format_id": other_take_home.format_id})
    assert response.status_code == 409
    assert "take-home open" in response.get_data(as_text=True)


def test_finished_round_no_longer_blocks(app, client, login_as, make_bank):
    login_as()
    bank = make_bank()
    client.post("/practice/rounds", data={"format_id": bank.format_id})
    first = only_session_id(app)
    client.post(f"/practice/sessions/{first}/submit")
    assert client.post("/practice/rounds", data={"format_id": bank.format_id}).status_code == 302
    assert only_session_id(app) != first


def test_overdue_round_is_finalised_before_starting_another(app, client, login_as, make_bank):
    with freeze_time(START) as frozen:
        login_as()
        bank = make_bank(minutes=15)
        client.post("/practice/rounds", data={"format_id": bank.format_id})
        first = only_session_id(app)
        frozen.move_to(START + timedelta(minutes=30))
        assert (
            client.post("/practice/rounds", data={"format_id": bank.format_id}).status_code == 302
        )
    finished = get_session(app, first)
    assert finished.status == "auto_submitted"
    assert finished.finished_at == START + timedelta(minutes=15)


def test_empty_bank_explains(app, client, login_as):
    login_as()
    with app.app_context():
        format_id = factories.round_format("bias_audit", minutes=30).id
    response = client.post("/practice/rounds", data={"format_id": format_id}, follow_redirects=True)
    assert "no published questions" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(PracticeSession.id)) is None


def test_unknown_or_archived_format_is_404(app, client, login_as):
    login_as()
    with app.app_context():
        format_id = factories.round_format(archived=True).id
    assert client.post("/practice/rounds", data={"format_id": format_id}).status_code == 404
    assert client.post("/practice/rounds", data={"format_id": 9999}).status_code == 404


def test_only_published_questions_of_the_stage_and_kind_are_drawn(app, client, login_as):
    login_as()
    with app.app_context():
        format_id = factories.round_format(
            "take_home", minutes=2880, count=3, answer_kinds=["deliverable"]
        ).id
        wanted = factories.question("take_home", answer_kind="deliverable").id
        factories.question("take_home", answer_kind="text")
        factories.question("take_home", answer_kind="deliverable", status="draft")
        factories.question("system_design", answer_kind="deliverable")
    client.post("/practice/rounds", data={"format_id": format_id})
    assert [row.question_id for row in items(app, only_session_id(app))] == [wanted]


def test_unseen_questions_come_first(app, client, login_as, make_bank):
    login_as()
    bank = make_bank(count=1, questions=3)
    seen = []
    for _ in range(3):
        client.post("/practice/rounds", data={"format_id": bank.format_id})
        session_id = only_session_id(app)
        seen.append(items(app, session_id)[0].question_id)
        client.post(f"/practice/sessions/{session_id}/submit")
    assert sorted(seen) == sorted(bank.question_ids)


@pytest.mark.parametrize("events_logged", [1])
def test_started_event_records_the_seed(app, client, login_as, make_bank, events_logged):
    login_as()
    bank = make_bank()
    client.post("/practice/rounds", data={"format_id": bank.format_id})
    with app.app_context():
        event = db.session.scalar(select(SessionEvent))
        assert event.kind == "started"
        assert isinstance(event.data["seed"], int)
        assert sorted(event.data["questions"]) == sorted(bank.question_ids)


def test_round_draws_only_questions_that_fit_its_length(app, client, login_as):
    """A 3-hour take-home sprint draws briefs sized for it, never a 12-hour one."""
    login_as()
    with app.app_context():
        longs = [
            factories.question("take_home", answer_kind="deliverable", suggested_minutes=720).id
            for _ in range(3)
        ]
        short = factories.question("take_home", answer_kind="deliverable", suggested_minutes=150).id
        factories.question("take_home", answer_kind="text", suggested_minutes=20)
        sprint = factories.round_format(
            "take_home", minutes=180, count=1, answer_kinds=["deliverable"]
        ).id
        pair = factories.round_format(
            "take_home", minutes=180, count=2, answer_kinds=["deliverable"]
        ).id
    for _ in range(3):
        client.post("/practice/rounds", data={"format_id": sprint})
        session_id = only_session_id(app)
        assert [row.question_id for row in items(app, session_id)] == [short]
        client.post(f"/practice/sessions/{session_id}/submit")
    # With too few fitting questions of the allowed kind, the round starts with what there is.
    client.post("/practice/rounds", data={"format_id": pair})
    drawn = {row.question_id for row in items(app, only_session_id(app))}
    assert len(drawn) == 2 and drawn <= {short, *longs}
