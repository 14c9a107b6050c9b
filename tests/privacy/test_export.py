"""Download my data: a streamed ZIP of JSON files with everything the user owns."""

from __future__ import annotations

import io
import json
import time
import zipfile

from sqlalchemy import event

from app.clock import utcnow
from app.coach import services as coach_services
from app.extensions import db
from app.models.review import Notification
from tests.coach import builders


def unzip(response) -> dict[str, object]:
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.testzip() is None
    out = {}
    for name in archive.namelist():
        data = archive.read(name)
        out[name.removeprefix("mockloop-data/")] = (
            json.loads(data) if name.endswith(".json") else data.decode()
        )
    return out


def test_the_zip_holds_profile_rounds_reviews_and_a_readme(app, client, login_as, make_user):
    me = login_as(email="exporter@example.com", display_name="Ex Porter")
    coach_id = make_user(role="coach", display_name="Coach Kim")
    with app.app_context():
        builders.link(coach_id, me)
        session = builders.session(me, answers=("My **design** answer", "def f(): pass"))
        builders.self_score(session.id, {0: [3, 2], 1: [2, 2]}, reflection="Too slow on costs.")
        session = db.session.get(type(session), session.id)
        item = session.items[0]
        coach_services.publish(
            coach_id,
            session,
            coach_services.ReviewInput(
                levels={(item.id, "latency_budget"): 3}, strengths_md="Clear budget split."
            ),
            now=utcnow(),
        )
        session_id, question_title = session.id, session.items[0].question_version.title
    response = client.get("/settings/data/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.is_streamed
    assert 'attachment; filename="mockloop-data-' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    files = unzip(response)
    assert {
        "README.txt",
        "profile.json",
        "coaches.json",
        "schedule.json",
        "notifications.json",
        "loop_runs.json",
        f"rounds/{session_id}.json",
    } <= set(files)
    assert "rounds/<id>.json" in files["README.txt"]
    assert files["profile.json"]["email"] == "exporter@example.com"
    assert (
        "password_hash" not in files["profile.json"]
        and "session_token" not in files["profile.json"]
    )
    round_ = files[f"rounds/{session_id}.json"]
    assert round_["questions"][0]["question"]["title"] == question_title
    assert round_["questions"][0]["answer"]["text"] == "My **design** answer"
    assert round_["questions"][0]["rubric"]["criteria"][0]["key"] == "latency_budget"
    assert [e["kind"] for e in round_["events"]][:2] == ["started", "saved"]
    assert round_["self_assessment"]["reflection"] == "Too slow on costs."
    assert len(round_["self_assessment"]["scores"]) == 4
    assert round_["report"]["session"]["id"] == session_id
    [review] = round_["coach_reviews_received"]
    assert review["coach"] == "Coach Kim"
    assert review["revisions"][0]["snapshot"]["strengths_md"] == "Clear budget split."
    assert files["coaches.json"][0]["coach"] == "Coach Kim"
    assert files["notifications.json"][0]["kind"] == "new_review"
    assert "reviews_written.json" not in files  # a candidate wrote none


def test_a_coach_gets_the_reviews_they_wrote(app, client, login_as, make_user):
    coach_id = login_as(role="coach", email="writer@example.com")
    candidate = make_user(email="reviewed@example.com")
    with app.app_context():
        builders.link(coach_id, candidate)
        session = builders.session(candidate, shared=True)
        coach_services.save_draft(
            coach_id, session, coach_services.ReviewInput(gaps_md="Draft: costs."), now=utcnow()
        )
    files = unzip(client.get("/settings/data/export.zip"))
    [written] = files["reviews_written.json"]
    assert written["working_copy"]["gaps_md"] == "Draft: costs."
    assert written["status"] == "draft"
    assert not any(name.startswith("rounds/") for name in files)  # the candidate's, not mine


def test_only_the_signed_in_users_data_is_exported(app, client, login_as, make_user):
    login_as(email="mine@example.com")
    other = make_user(email="theirs@example.com")
    with app.app_context():
        builders.session(other, answers=("their secret answer", "x"))
        db.session.add(Notification(user_id=other, kind="new_review", message="theirs"))
        db.session.commit()
    for path in ("/settings/data/export.zip", f"/settings/data/export.zip?user_id={other}"):
        data = client.get(path).get_data()
        files = unzip(client.get(path))
        assert b"theirs@example.com" not in data
        assert files["profile.json"]["email"] == "mine@example.com"
        assert files["notifications.json"] == []
        assert not any(name.startswith("rounds/") for name in files)
    assert client.get(f"/settings/data/{other}/export.zip").status_code == 404


def test_five_hundred_rounds_stream_in_pages(app, client, login_as):
    me = login_as(email="prolific@example.com")
    with app.app_context():
        first = builders.session(me, events=False)
        fmt_id, items = first.round_format_id, first.items
        from app.models.practice import PracticeSession, SessionQuestion

        for n in range(499):
            db.session.add(
                PracticeSession(
                    user_id=me,
                    round_format_id=fmt_id,
                    stage_key=first.stage_key,
                    status="submitted",
                    started_at=first.started_at,
                    deadline_at=first.deadline_at,
                    finished_at=first.finished_at,
                    items=[
                        SessionQuestion(
                            position=i.position,
                            question_id=i.question_id,
                            question_version_id=i.question_version_id,
                            rubric_version_id=i.rubric_version_id,
                            answer_text=f"answer {n}",
                        )
                        for i in items
                    ],
                )
            )
        db.session.commit()
        engine = db.engine
    statements = []
    listener = lambda *args: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        started = time.perf_counter()
        response = client.get("/settings/data/export.zip")
        chunks = list(response.response)
        seconds = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(chunks) > 500  # handed on file by file, not built whole first
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    rounds = [n for n in archive.namelist() if n.startswith("mockloop-data/rounds/")]
    assert len(rounds) == 500
    assert len(statements) < 200, len(statements)  # a few queries per page of 50, not per round
    print(f"500 rounds: {len(chunks)} chunks, {len(statements)} queries, {seconds:.2f} s")
