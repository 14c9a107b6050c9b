"""The database job queue (app/jobs.py): claiming, leases, retries, several workers, CLI."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import jobs
from app.clock import utcnow
from app.extensions import db
from app.models.jobs import Job

KIND = "test-echo"


@pytest.fixture
def ran(app):
    """Jobs of kind KIND record (job id, attempt, final) here; payload "fail" raises."""
    calls = []

    def handler(ticket: jobs.Ticket, now) -> None:
        calls.append((ticket.id, ticket.attempt, ticket.final))
        if ticket.payload.get("fail"):
            raise jobs.RetryLater("the server is away")

    jobs.register(app, KIND, handler)
    yield calls
    app.extensions["jobs.handlers"].pop(KIND, None)


def add(app, count=1, **payload) -> list[int]:
    with app.app_context():
        made = [
            jobs.enqueue(KIND, ref_id=None, now=utcnow(), payload=payload) for _ in range(count)
        ]
        db.session.commit()
        return [j.id for j in made]


def job(app, job_id: int) -> Job:
    with app.app_context():
        return db.session.get(Job, job_id)


def test_a_due_job_runs_once_and_is_done(app, ran):
    (job_id,) = add(app)
    with app.app_context():
        assert jobs.run_due("w1").done == 1
        assert jobs.run_due("w1").ran == 0
    assert ran == [(job_id, 1, False)]
    done = job(app, job_id)
    assert (done.state, done.attempts, done.locked_by, done.finished_at is not None) == (
        "done", 1, None, True,
    )  # fmt: skip


def test_a_claimed_job_is_not_claimed_again_until_its_lease_runs_out(app, ran):
    (job_id,) = add(app)
    now = utcnow()
    with app.app_context():
        ticket = jobs.claim("killed-worker", now=now, lease=timedelta(minutes=5))
        assert ticket.id == job_id and ticket.attempt == 1
        running = db.session.get(Job, job_id)
        assert (running.state, running.locked_by) == ("running", "killed-worker")
        assert jobs.claim("w2", now=now + timedelta(minutes=4)) is None
        # the first worker died: after the lease another one takes the job over
        taken = jobs.claim("w2", now=now + timedelta(minutes=6))
        assert taken.id == job_id and taken.attempt == 2
        assert db.session.get(Job, job_id).locked_by == "w2"


def test_a_failing_job_backs_off_then_fails_after_its_attempts(app, ran):
    (job_id,) = add(app, fail=True)
    now = utcnow()
    with app.app_context():
        assert jobs.run_due("w", clock=lambda: now).retried == 1
        waiting = db.session.get(Job, job_id)
        assert waiting.state == "queued" and waiting.run_after == now + jobs.BACKOFF
        assert "RetryLater: the server is away" in waiting.last_error
        assert jobs.run_due("w", clock=lambda: now).ran == 0  # not due yet
        later = now
        for _ in range(jobs.MAX_ATTEMPTS - 1):
            later += timedelta(hours=1)
            jobs.run_due("w", clock=lambda at=later: at)
        failed = db.session.get(Job, job_id)
        assert failed.state == "failed" and failed.attempts == jobs.MAX_ATTEMPTS
    assert [c[1:] for c in ran] == [(1, False), (2, False), (3, True)]


def test_max_jobs_stops_the_run(app, ran):
    add(app, count=3)
    with app.app_context():
        assert jobs.run_due("w", max_jobs=2).done == 2
        assert jobs.run_due("w").done == 1


def test_jobs_of_a_kind_nobody_handles_stay_queued(app, ran):
    with app.app_context():
        jobs.enqueue("nobody-handles-this", ref_id=None, now=utcnow())
        db.session.commit()
        assert jobs.run_due("w").ran == 0
        assert db.session.scalar(select(Job.state)) == "queued"


def test_flask_jobs_run_once(app, ran, runner):
    add(app, count=2)
    result = runner.invoke(args=["jobs", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "jobs: done 2, retried later 0, failed 0" in result.output
    assert len(ran) == 2


def test_flask_jobs_run_max_jobs(app, ran, runner):
    add(app, count=3)
    result = runner.invoke(args=["jobs", "run", "--max-jobs", "1"])
    assert "done 1," in result.output and len(ran) == 1


def test_the_sweep_runs_due_jobs_too(app, ran, runner):
    add(app)
    result = runner.invoke(args=["sessions", "sweep"])
    assert result.exit_code == 0, result.output
    assert "jobs: done 1" in result.output and len(ran) == 1


@pytest.mark.real_commits
def test_two_workers_never_run_one_job_twice(app):
    """Two workers in threads (own connections) drain 30 jobs: each runs exactly once."""
    seen: list[tuple[int, str]] = []
    lock = threading.Lock()

    def handler(ticket: jobs.Ticket, now) -> None:
        time.sleep(0.01)  # long enough for the other worker to try the same rows
        with lock:
            seen.append((ticket.id, threading.current_thread().name))

    jobs.register(app, KIND, handler)
    ids = add(app, count=30)
    errors = []

    def work():
        try:
            with app.app_context():
                jobs.run_due(threading.current_thread().name)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work, name=f"worker-{n}") for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(job_id for job_id, _ in seen) == sorted(ids)  # each once, none lost
    with app.app_context():
        assert set(db.session.scalars(select(Job.state))) == {"done"}
        if db.engine.dialect.name == "postgresql":  # SKIP LOCKED: both really worked
            assert {name for _, name in seen} == {"worker-1", "worker-2"}
