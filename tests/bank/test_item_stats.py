"""Item statistics for admins: the list page, a question's "How it plays", query counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from app.bank import stats
from app.clock import utcnow
from app.extensions import db
from app.learning import scoring as feedback
from app.models.bank import Question, QuestionVersion
from app.models.practice import PracticeSession, SessionQuestion
from tests import factories
from tests.bank.bankdata import count_queries

URL = "/admin/bank/stats"


def flags(page: str) -> list[str]:
    return re.findall(r'<span class="tag tag-warn">([^<]+)</span>', page)


def sit(
    question_id: int,
    user_id: int,
    *,
    seconds: int = 600,
    answer: str = "An answer.",
    status: str = "submitted",
    levels: list[int] | None = None,
    number=None,
    version=None,
):
    """One round of one question, finished (or not), optionally self-scored with `levels`."""
    question = db.session.get(Question, question_id)
    version = version or question.current_version
    started = utcnow() - timedelta(hours=2)
    fmt = factories.round_format(stage_key=version.stage_key, minutes=60)
    session = PracticeSession(
        user_id=user_id,
        round_format_id=fmt.id,
        stage_key=version.stage_key,
        status=status,
        started_at=started,
        deadline_at=started + timedelta(minutes=60),
        finished_at=None if status == "in_progress" else started + timedelta(seconds=seconds),
    )
    item = SessionQuestion(
        position=0,
        question_id=question.id,
        question_version_id=version.id,
        rubric_version_id=version.rubric.current_version_id,
        answer_text=answer,
        answer_number=number,
        answer_unit=version.estimate_unit if number is not None else None,
        time_spent_seconds=seconds,
    )
    session.items.append(item)
    db.session.add(session)
    db.session.commit()
    if status != "in_progress":  # made finished here: counted as `lifecycle.finish` counts
        stats.count_round(session.id)
        db.session.commit()
    if levels:
        keys = [c["key"] for c in item.rubric_version.criteria]
        feedback.save_scoring(
            session.id,
            user_id,
            {(item.id, k): lv for k, lv in zip(keys, levels, strict=True)},
            {},
            "",
            utcnow(),
            finish=True,
        )
    return session


def new_version(question_id: int, **changes) -> QuestionVersion:
    question = db.session.get(Question, question_id)
    old = question.current_version
    fields = dict(
        question_id=question.id,
        number=old.number + 1,
        stage_key=old.stage_key,
        rubric_id=old.rubric_id,
        title=old.title,
        prompt_md=old.prompt_md,
        answer_kind=old.answer_kind,
        suggested_minutes=old.suggested_minutes,
    )
    version = QuestionVersion(**{**fields, **changes})
    db.session.add(version)
    db.session.flush()
    question.current_version_id = version.id
    db.session.commit()
    return version


@pytest.fixture
def world(app, make_user):
    """A hard, long question sat 6 times; an easy one sat twice; one never sat; a draft."""
    candidate = make_user()
    with app.app_context():
        hard = factories.question(title="Serve a reranker at 50k QPS", suggested_minutes=10).id
        easy = factories.question(title="Why this team?", stage_key="recruiter_screen").id
        unsat = factories.question(title="Never drawn yet").id
        factories.question(title="A draft", status="draft")
        for i in range(5):  # 25 min of a suggested 10, low self-scores, one blank
            sit(hard, candidate, seconds=1500, levels=[1, 1, 2], answer="" if i == 0 else "x")
        sit(hard, candidate, seconds=60, status="in_progress")  # unfinished: not counted
        sit(hard, candidate, seconds=1500, status="auto_submitted")  # ended by the clock
        sit(easy, candidate, seconds=300, levels=[4, 4, 4])
        sit(easy, candidate, seconds=300)
    return {"hard": hard, "easy": easy, "unsat": unsat, "candidate": candidate}


def test_admin_sees_each_questions_figures_most_sat_first(client, login_as, world):
    login_as("admin")
    response = client.get(URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    titles = ["Serve a reranker at 50k QPS", "Why this team?", "A draft", "Never drawn yet"]
    positions = [page.index(t) for t in titles]
    assert positions == sorted(positions), "most sat first, then by title"
    hard_row = page[page.index(titles[0]) : page.index(titles[1])]
    assert "<td>6</td>" in hard_row  # 5 submitted + 1 auto-submitted; the running one is not
    assert "17 %" in hard_row  # 1 of 6 left blank
    assert "25.0 min" in hard_row and "(2.5×)" in hard_row
    # levels 1, 1, 2 on 1-4 with weights 1, 2, 1: (0 + 0 + 33.3) / 4 = 8.3
    assert "8 <span" in hard_row and "(5)" in hard_row
    assert flags(hard_row) == ["runs long", "scores low"]  # 17 % blank is under 30 %


def test_filters_sort_and_bad_parameters(client, login_as, world):
    login_as("admin")
    page = client.get(URL + "?stage=recruiter_screen").get_data(as_text=True)
    assert "Why this team?" in page and "Serve a reranker" not in page
    page = client.get(URL + "?status=draft").get_data(as_text=True)
    assert "A draft" in page and "Why this team?" not in page
    page = client.get(URL + "?sort=least").get_data(as_text=True)
    assert page.index("Never drawn yet") < page.index("Serve a reranker")
    page = client.get(URL + "?sort=title").get_data(as_text=True)
    assert page.index("A draft") < page.index("Never drawn yet") < page.index("Serve a reranker")
    for junk in ("?sort=drop+table", "?page=-4", "?page=99", "?stage=%00", "?status=nope"):
        assert client.get(URL + junk).status_code == 200, junk


def test_question_page_shows_how_it_plays_per_version(app, client, login_as, world):
    login_as("admin")
    with app.app_context():
        version = new_version(world["hard"], suggested_minutes=30)
        sit(world["hard"], world["candidate"], seconds=1500, version=version, levels=[4, 4, 4])
    page = client.get(f"/admin/bank/questions/{world['hard']}").get_data(as_text=True)
    usage = page[page.index('id="usage"') : page.index("Version history")]
    assert "All versions" in usage and "Version 2" in usage and "Version 1" in usage
    assert usage.index("Version 2") < usage.index("Version 1")
    assert "<td>7</td>" in usage  # overall
    # the time is judged against the newest suggestion: 25 min of 30
    assert "(0.8×)" in usage
    page = client.get(f"/admin/bank/questions/{world['unsat']}").get_data(as_text=True)
    assert "No finished round has drawn this question yet." in page


def test_estimate_accuracy_and_its_flag(app, client, login_as, make_user):
    login_as("admin")
    candidate = make_user()
    with app.app_context():
        qid = factories.question(
            title="GPU-hours for a 7B fine-tune",
            answer_kind="estimate",
            estimate_value=100.0,
            estimate_unit="GPU-hours",
            estimate_tolerance_pct=20,
        ).id
        for number in (500.0, 400.0, 20.0, 300.0, 110.0):  # one of five within 20 %
            sit(qid, candidate, number=number, answer="")
        sit(qid, candidate, answer="")  # no number: not checked, and blank
    page = client.get(URL).get_data(as_text=True)
    assert "1 of 5" in page and "(20 %)" in page
    assert flags(page) == []  # 20 % is not under 20 %
    with app.app_context():
        sit(qid, candidate, number=1000.0, answer="")
    page = client.get(URL).get_data(as_text=True)
    assert "1 of 6" in page and flags(page) == ["estimates rarely within tolerance"]


def test_query_count_does_not_grow_with_questions_or_rounds(app, client, login_as, make_user):
    login_as("admin")
    candidate = make_user()

    def add(questions: int, rounds: int) -> None:
        with app.app_context():
            for _ in range(questions):
                qid = factories.question().id
                for _ in range(rounds):
                    sit(qid, candidate, levels=[2, 3, 4])

    add(2, 1)
    client.get(URL)  # warm caches
    with count_queries(app) as small:
        assert client.get(URL).status_code == 200
    add(30, 3)
    with count_queries(app) as large:
        assert client.get(URL).status_code == 200
    assert len(large) == len(small), (len(small), len(large))


def test_only_admins(client, login_as, world):
    login_as("coach")
    assert client.get(URL).status_code == 403


def test_many_finished_rounds_need_no_parameter_per_round(app, client, login_as, make_user):
    """At scale the statistics were one IN list with a parameter per round (100,001 at
    100k rounds: HTTP 500 on PostgreSQL). Now no statement's parameters grow with rounds,
    and the figures still count every round."""
    login_as("admin")
    candidate = make_user()
    rounds = 400
    with app.app_context():
        qid = factories.question(title="Drawn very often").id
        sit(qid, candidate, seconds=600, levels=[4, 4, 4])  # one completed self-score: 100
        version = db.session.get(Question, qid).current_version
        fmt = factories.round_format(stage_key=version.stage_key, minutes=60)
        started = utcnow() - timedelta(hours=3)
        for n in range(rounds - 1):
            session = PracticeSession(
                user_id=candidate,
                round_format_id=fmt.id,
                stage_key=version.stage_key,
                status="submitted",
                started_at=started,
                deadline_at=started + timedelta(minutes=60),
                finished_at=started + timedelta(minutes=10),
            )
            session.items.append(
                SessionQuestion(
                    position=0,
                    question_id=qid,
                    question_version_id=version.id,
                    rubric_version_id=version.rubric.current_version_id,
                    answer_text="" if n % 4 == 0 else "An answer.",
                    time_spent_seconds=600,
                )
            )
            db.session.add(session)
        stats.recount()  # made in bulk here: counted as the migration's backfill counts
        db.session.commit()

    parameters: list[int] = []

    def record(conn, cursor, statement, params, context, executemany):
        parameters.append(len(params) if params else 0)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(URL)
        page = client.get(f"/admin/bank/questions/{qid}").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    # the aggregate's constants and at most three IN lists of a page's question ids (25 a
    # page): never a parameter per round (there are 400 here)
    assert max(parameters) < 150, parameters
    row = response.get_data(as_text=True)
    row = row[row.index("Drawn very often") :]
    assert f"<td>{rounds}</td>" in row
    assert "25 %" in row  # 100 of 400 left blank
    assert "100 <span" in row and "(1)" in row  # the one completed self-score
    usage = page[page.index('id="usage"') : page.index("Version history")]
    assert f"<td>{rounds}</td>" in usage
