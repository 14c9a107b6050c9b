"""The item-statistics counters stay equal to a fresh count of the attempts when rounds
go through the real services: started, answered (or left blank), hints revealed,
submitted or finalised by the sweep (or left running), self-scored (finished or not),
and an account erased with its rounds; `recount` rebuilds the same counters; the list
page costs the same statements with many more rounds."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from app.bank import stats
from app.clock import utcnow
from app.extensions import db
from app.models.practice import PracticeSession
from app.models.usage import QuestionTimeUsage, QuestionUsage, QuestionVersionUsage
from app.practice import answers, lifecycle, starting
from app.practice.errors import AnswerInput
from app.privacy.deletion import delete_own_account
from tests import factories
from tests.bank.bankdata import count_queries
from tests.bank.test_item_stats import new_version
from tests.bank.test_item_stats_sql import (
    assert_matches_reference,
    reference,
    same,
    self_score,
)

URL = "/admin/bank/stats"


def _play(user_id, fmt_id, n, *, now, how):
    session = starting.start_round(user_id, fmt_id, now=now, seed=n)
    for item in session.items:
        if (n + item.position) % 3:
            answers.save_answer(
                user_id,
                session.id,
                item.position,
                AnswerInput(text=f"Answer {n}"),
                base_revision=item.revision,
                max_chars=10_000,
                max_links=10,
                now=now + timedelta(minutes=1),
            )
        if n % 2:
            answers.reveal_hint(user_id, session.id, item.position, now=now + timedelta(minutes=2))
    if how == "submit":
        lifecycle.submit_round(user_id, session.id, now=now + timedelta(minutes=3 + n))
    return session.id


def _rounds(make_user, n_rounds, questions):
    """`n_rounds` rounds over `questions` by three candidates; returns the user ids."""
    users = [make_user() for _ in range(3)]
    fmt = factories.round_format(minutes=30, count=2).id
    start = utcnow() - timedelta(hours=5)
    for n in range(n_rounds):
        user = users[n % 3]
        how = "submit" if n % 4 else "sweep"
        if n == n_rounds - 1:
            how = "running"
        now = start + timedelta(minutes=40 * n) if how != "running" else utcnow()
        session_id = _play(user, fmt, n, now=now, how=how)
        if how == "sweep":
            lifecycle.sweep(now=now + timedelta(hours=1))
        if how == "submit" and n % 3:
            session = db.session.get(PracticeSession, session_id)
            self_score(session, user, [1 + n % 4, 2, None], finish=n % 5 != 0)
        if n == n_rounds // 2:
            new_version(questions[0], suggested_minutes=45)
    return users


def _all_match(questions):
    for qid in questions:
        assert_matches_reference(qid)
    page, by_question = stats.item_statistics(page=1, per_page=25)
    for q in page.items:
        same(by_question[q.id], reference(q.id)[0])


def _counters():
    return {
        model.__tablename__: sorted(
            tuple(getattr(row, c.key) for c in model.__table__.columns if c.key != "score_sum")
            for row in db.session.scalars(select(model))
        )
        for model in (QuestionUsage, QuestionVersionUsage, QuestionTimeUsage)
    }


def test_counters_equal_a_fresh_count_through_finish_scoring_and_erasure(app, make_user):
    with app.app_context():
        questions = [factories.question(title=f"Question {i}").id for i in range(3)]
        users = _rounds(make_user, 13, questions)
        total = sum(u.attempts for u in db.session.scalars(select(QuestionUsage)))
        assert total == 2 * 12  # the running round is not counted
        _all_match(questions)
        assert sum(s.scored for s in stats.item_statistics(page=1, per_page=25)[1].values())
        kept = _counters()
        stats.recount()
        assert _counters() == kept  # the incremental counters are what a recount gives
        _all_match(questions)
        delete_own_account(users[1], factories.PASSWORD)
        _all_match(questions)
        assert sum(u.attempts for u in db.session.scalars(select(QuestionUsage))) < total


def test_the_list_costs_the_same_statements_with_many_more_rounds(app, client, login_as, make_user):
    login_as("admin")
    app.config["ITEM_STATS_PER_PAGE"] = 2  # so that page 2 has rows at both sizes
    with app.app_context():
        questions = [factories.question(title=f"Question {i}").id for i in range(3)]
        _rounds(make_user, 5, questions)
    pages = (URL, f"{URL}?page=2")  # most sat first: sat questions at both sizes

    def statements():
        counted = []
        for url in pages:
            with count_queries(app) as queries:
                assert client.get(url).status_code == 200
            counted.append(len(queries))
        return counted

    few = statements()
    with app.app_context():
        questions += [factories.question(title=f"More {i}").id for i in range(30)]
        _rounds(make_user, 25, questions)
    assert statements() == few


def test_the_recount_command_repairs_the_counters(app, make_user):
    with app.app_context():
        questions = [factories.question(title=f"Question {i}").id for i in range(3)]
        _rounds(make_user, 6, questions)
        kept = _counters()
        db.session.execute(update(QuestionVersionUsage).values(attempts=99, answered=0))
        db.session.execute(delete(QuestionTimeUsage))
        db.session.commit()
        assert _counters() != kept
    result = app.test_cli_runner().invoke(args=["bank", "recount-stats"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _counters() == kept
        _all_match(questions)
