"""Simultaneous saves, submits, starts and sweeps at one session (PostgreSQL only).

Threads released together by a barrier hit the services with their own database
sessions. Whatever the interleaving: every accepted save is in the final state or was
superseded by a later accepted save, nothing is accepted after the round is finalised,
and each round is started/finalised exactly once.
"""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts import signins
from app.accounts.loader import limits_of
from app.clock import utcnow
from app.extensions import db
from app.models.practice import PracticeSession, SessionEvent, SessionQuestion
from app.practice import answers, errors, lifecycle, quick, starting
from tests import factories
from tests.conftest import require_or_skip

# Their threads use connections of their own, so the test's rolled-back transaction
# (tests/conftest.py) would hide the rows they race on: these commit for real.
pytestmark = [pytest.mark.postgres_only, pytest.mark.real_commits]

TABS = 4
SAVES_PER_TAB = 6


@pytest.fixture
def postgres(app):
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect != "postgresql":  # only in CI: elsewhere postgres_only deselects these
        require_or_skip("TEST_DATABASE_URL is not a PostgreSQL database")
    return app


def run_together(app, jobs):
    """Run each job(barrier) in its own thread and app context; return their results."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def runner(index, job):
        try:
            with app.app_context():
                results[index] = job(barrier)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def setup_round(app, count=2, minutes=60):
    with app.app_context():
        user = factories.user()
        fmt = factories.round_format("system_design", minutes=minutes, count=count)
        for _ in range(count):
            factories.question("system_design")
        session = starting.start_round(user.id, fmt.id, now=utcnow())
        return user.id, session.id


def submitter(user_id, session_id, delay):
    """A job that submits the round `delay` seconds after the barrier releases it."""

    def job(barrier):
        barrier.wait()
        threading.Event().wait(delay)
        session = lifecycle.submit_round(user_id, session_id, now=utcnow())
        return ("submit", session.status, session.finished_at)

    return job


def test_simultaneous_saves_and_submits_lose_nothing(postgres):
    app = postgres
    user_id, session_id = setup_round(app)
    limit = app.config["ANSWER_MAX_CHARS"]

    def tab(tab_no, position):
        def job(barrier):
            accepted, refused = [], []
            base, client = 0, f"tab{tab_no}"
            rng = random.Random(tab_no)
            barrier.wait()
            for n in range(SAVES_PER_TAB):
                text = f"tab {tab_no} save {n} " + "x" * rng.randint(0, 50)
                try:
                    result = answers.save_answer(
                        user_id,
                        session_id,
                        position,
                        errors.AnswerInput(text=text),
                        base_revision=base,
                        max_chars=limit,
                        max_links=app.config["ANSWER_MAX_LINKS"],
                        now=utcnow(),
                        client_id=client,
                        seq=n + 1,
                    )
                except errors.StaleRevision as stale:
                    refused.append("stale")
                    base = stale.revision  # the candidate reloads and carries on
                    db.session.rollback()
                    continue
                except errors.RoundOver:
                    refused.append("over")
                    db.session.rollback()
                    break
                if result.changed:
                    accepted.append((position, result.revision, text, result.saved_at))
                base = result.revision
            return ("saves", accepted, refused)

        return job

    jobs = [tab(t, t % 2) for t in range(TABS)]
    jobs += [submitter(user_id, session_id, 0.02), submitter(user_id, session_id, 0.03)]
    results = run_together(app, jobs)

    accepted = [a for kind, *rest in results if kind == "saves" for a in rest[0]]
    refused = [r for kind, *rest in results if kind == "saves" for r in rest[1]]
    assert set(refused) <= {"stale", "over"}
    submits = [r for r in results if r[0] == "submit"]
    assert all(s[1] == "submitted" for s in submits)
    assert len({s[2] for s in submits}) == 1, "both submits report the same finish"

    with app.app_context():
        session = db.session.get(PracticeSession, session_id)
        assert session.status == "submitted"
        rows = {
            r.position: r
            for r in db.session.scalars(
                select(SessionQuestion).where(SessionQuestion.session_id == session_id)
            )
        }
        events = db.session.scalars(
            select(SessionEvent)
            .where(SessionEvent.session_id == session_id)
            .order_by(SessionEvent.id)
        ).all()
    submitted_events = [e for e in events if e.kind == "submitted"]
    assert len(submitted_events) == 1
    saved_events = [e for e in events if e.kind == "saved"]
    assert len(saved_events) == len(accepted), "one log entry per accepted save"
    assert all(e.id < submitted_events[0].id for e in saved_events), "no save after submit"
    for position, row in rows.items():
        mine = sorted((a for a in accepted if a[0] == position), key=lambda a: a[1])
        revisions = [a[1] for a in mine]
        assert revisions == list(range(1, row.revision + 1)), "each accepted save is a revision"
        if mine:
            assert row.answer_text == mine[-1][2], "the last accepted save is what was kept"
        else:
            assert row.answer_text == ""
        assert all(a[3] <= session.finished_at for a in mine)


def test_hot_path_saves_racing_submits_lose_nothing(postgres):
    """The round hot path's save (app/practice/quick.py: read, lock, write and log in one
    statement, judged, then committed) against two submits: a save it accepted is kept or
    superseded, none lands after the submit, and a save it declined wrote nothing."""
    app = postgres
    user_id, session_id = setup_round(app)
    with app.app_context():
        key = signins.start(user_id, ip=None, user_agent=None, now=utcnow())

    def tab(tab_no, position):
        def job(barrier):
            accepted, declined = [], 0
            barrier.wait()
            for n in range(SAVES_PER_TAB * 2):
                text = f"tab {tab_no} quick save {n}"
                saved = quick.save(
                    key,
                    session_id,
                    position,
                    errors.AnswerInput(text=text),
                    base_revision=0,
                    client_id=f"tab{tab_no}",
                    seq=n + 1,
                    max_chars=app.config["ANSWER_MAX_CHARS"],
                    max_links=app.config["ANSWER_MAX_LINKS"],
                    now=utcnow(),
                    limits=limits_of(app),
                )
                if saved is None:
                    declined += 1  # stale for this tab, or the round is over: full path
                else:
                    accepted.append((position, saved[0].revision, text, saved[0].saved_at))
            return ("saves", accepted, declined)

        return job

    jobs = [tab(t, t) for t in range(2)]
    jobs += [submitter(user_id, session_id, 0.01), submitter(user_id, session_id, 0.02)]
    results = run_together(app, jobs)

    accepted = [a for kind, *rest in results if kind == "saves" for a in rest[0]]
    assert [r[1] for r in results if r[0] == "submit"] == ["submitted", "submitted"]
    with app.app_context():
        session = db.session.get(PracticeSession, session_id)
        rows = db.session.scalars(
            select(SessionQuestion).where(SessionQuestion.session_id == session_id)
        ).all()
        events = db.session.scalars(
            select(SessionEvent)
            .where(SessionEvent.session_id == session_id)
            .order_by(SessionEvent.id)
        ).all()
    (submitted,) = [e for e in events if e.kind == "submitted"]
    saved_events = [e for e in events if e.kind == "saved"]
    assert len(saved_events) == len(accepted), "one log entry per accepted save, none else"
    assert all(e.id < submitted.id for e in saved_events), "no save after the submit"
    for row in rows:
        mine = sorted((a for a in accepted if a[0] == row.position), key=lambda a: a[1])
        assert [a[1] for a in mine] == list(range(1, row.revision + 1))
        assert row.answer_text == (mine[-1][2] if mine else ""), "the last accepted is kept"
    assert all(a[3] <= session.finished_at for a in accepted)


def test_simultaneous_starts_open_one_round(postgres):
    app = postgres
    with app.app_context():
        user_id = factories.user().id
        fmt_id = factories.round_format("system_design", count=1).id
        factories.question("system_design")

    def start(barrier):
        barrier.wait()
        try:
            return starting.start_round(user_id, fmt_id, now=utcnow()).id
        except errors.AlreadyRunning as refusal:
            db.session.rollback()
            return ("refused", refusal.session.id)

    results = run_together(app, [start] * 4)
    started = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, tuple)]
    assert len(started) == 1 and len(refused) == 3
    assert {r[1] for r in refused} == set(started)
    with app.app_context():
        assert db.session.scalars(select(PracticeSession.id)).all() == started


def test_concurrent_sweeps_finalise_each_session_once(postgres):
    app = postgres
    ids = []
    for _ in range(6):
        _, session_id = setup_round(app, count=1, minutes=1)
        ids.append(session_id)
    with app.app_context():
        for session in db.session.scalars(select(PracticeSession)):
            session.started_at = utcnow() - timedelta(minutes=10)
            session.deadline_at = utcnow() - timedelta(minutes=9)
        db.session.commit()

    def sweeper(barrier):
        barrier.wait()
        return lifecycle.sweep(now=utcnow())

    results = run_together(app, [sweeper] * 3)
    assert sum(r.finalised for r in results) == len(ids)
    with app.app_context():
        finals = db.session.scalars(
            select(SessionEvent.session_id).where(SessionEvent.kind == "auto_submitted")
        ).all()
        assert sorted(finals) == sorted(ids)
        sessions = db.session.scalars(select(PracticeSession)).all()
        assert all(s.status == "auto_submitted" for s in sessions)
        assert all(s.finished_at == s.deadline_at for s in sessions)
