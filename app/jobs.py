"""A job queue in the database: work that must never run inside a web request.

A service queues a job inside its own transaction (`enqueue`, no commit), so the job
exists exactly when the change that asked for it does. Workers — `flask jobs run`, and
`flask sessions sweep` after its own work — claim due jobs one at a time and run the
handler registered for the job's kind (`register`, from `create_app`).

Claiming is safe with several workers on several hosts: the candidate row is read with
`FOR UPDATE SKIP LOCKED` on PostgreSQL (a row another worker is claiming is skipped, not
waited for), and taken with a compare-and-set `UPDATE … WHERE id = ? AND state = ? AND
attempts = ?` on every database, so of two workers that read the same row only one
updates it (SQLite serialises the writes; the loser's update matches no row). A claim is
a lease: a worker killed mid-job leaves `running` with `locked_until` in the past, and
the next worker takes the job over.

A handler runs outside any transaction the runner holds and does its own commits. It
may raise `RetryLater` (or anything else): the job is queued again after a back-off,
until `MAX_ATTEMPTS`, then marked failed with the reason. The handler is told when it
runs its last attempt (`final=True`) so it can record a definite outcome instead.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import and_, or_, select, update

from app.clock import utcnow
from app.extensions import db
from app.models.jobs import Job, JobState

MAX_ATTEMPTS = 3
LEASE = timedelta(minutes=5)  # longer than any handler runs; a stale lease is taken over
BACKOFF = timedelta(minutes=1)  # times the attempt number
POLL_SECONDS = 2.0
ERROR_MAX_CHARS = 2000
_HANDLERS = "jobs.handlers"


class RetryLater(Exception):
    """A handler could not finish now (a server away, a timeout): try again later."""


@dataclass(frozen=True)
class Ticket:
    """What a handler is given: the claimed job's values (never the ORM row)."""

    id: int
    kind: str
    ref_id: int | None
    payload: dict
    attempt: int
    final: bool


Handler = Callable[[Ticket, datetime], None]


@dataclass
class RunResult:
    done: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ran(self) -> int:
        return self.done + self.retried + self.failed


def register(app: Flask, kind: str, handler: Handler) -> None:
    """Run `handler` for jobs of `kind` in this app's workers."""
    app.extensions.setdefault(_HANDLERS, {})[kind] = handler


def enqueue(kind: str, *, ref_id: int | None, now: datetime, payload: dict | None = None) -> Job:
    """Add a job to the caller's unit of work (the caller commits)."""
    job = Job(
        kind=kind,
        ref_id=ref_id,
        payload=payload or {},
        state=JobState.QUEUED.value,
        run_after=now,
        created_at=now,
        updated_at=now,
    )
    db.session.add(job)
    return job


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _due(now: datetime):
    return or_(
        and_(Job.state == JobState.QUEUED.value, Job.run_after <= now),
        and_(Job.state == JobState.RUNNING.value, Job.locked_until < now),
    )


def claim(worker: str, *, now: datetime, lease: timedelta = LEASE) -> Ticket | None:
    """Take the oldest due job for `worker` (one commit), or None when nothing is due."""
    kinds = list(current_app.extensions.get(_HANDLERS, {}))
    for _ in range(5):  # another worker may win a row; look again a few times
        row = db.session.execute(
            select(Job.id, Job.state, Job.attempts)
            .where(_due(now), Job.kind.in_(kinds))
            .order_by(Job.run_after, Job.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            db.session.rollback()
            return None
        taken = db.session.execute(
            update(Job)
            .where(Job.id == row.id, Job.state == row.state, Job.attempts == row.attempts)
            .values(
                state=JobState.RUNNING.value,
                locked_by=worker,
                locked_until=now + lease,
                attempts=row.attempts + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            db.session.rollback()
            continue
        job = db.session.execute(
            select(Job.kind, Job.ref_id, Job.payload).where(Job.id == row.id)
        ).one()
        db.session.commit()
        attempt = row.attempts + 1
        return Ticket(row.id, job.kind, job.ref_id, dict(job.payload or {}), attempt,
                      final=attempt >= MAX_ATTEMPTS)  # fmt: skip
    db.session.rollback()
    return None


def _settle(ticket: Ticket, worker: str, now: datetime, error: str | None) -> str:
    """Record how a run ended (one commit); the state written."""
    if error is None:
        values = {"state": JobState.DONE.value, "finished_at": now, "last_error": ""}
    elif ticket.final:
        values = {"state": JobState.FAILED.value, "finished_at": now, "last_error": error}
    else:
        values = {
            "state": JobState.QUEUED.value,
            "run_after": now + BACKOFF * ticket.attempt,
            "last_error": error,
        }
    db.session.execute(
        update(Job)
        .where(Job.id == ticket.id, Job.locked_by == worker, Job.attempts == ticket.attempt)
        .values(locked_by=None, locked_until=None, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return values["state"]


def run_one(worker: str, *, clock: Callable[[], datetime] = utcnow) -> str | None:
    """Claim and run one due job; the state it ended in, or None when none was due."""
    ticket = claim(worker, now=clock())
    if ticket is None:
        return None
    handler = current_app.extensions[_HANDLERS][ticket.kind]
    try:
        handler(ticket, clock())
        error = None
    except Exception as exc:  # noqa: BLE001  (any failure of one job must not stop the worker)
        db.session.rollback()
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS]
        current_app.logger.warning("job %s (%s) attempt %s: %s", ticket.id, ticket.kind,
                                   ticket.attempt, error)  # fmt: skip
    return _settle(ticket, worker, clock(), error)


def run_due(
    worker: str | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
    max_jobs: int | None = None,
) -> RunResult:
    """Run due jobs until none is left (or `max_jobs` ran)."""
    worker = worker or default_worker_name()
    result = RunResult()
    while max_jobs is None or result.ran < max_jobs:
        state = run_one(worker, clock=clock)
        if state is None:
            break
        if state == JobState.DONE.value:
            result.done += 1
        elif state == JobState.FAILED.value:
            result.failed += 1
        else:
            result.retried += 1
    return result


def summary(result: RunResult) -> str:
    return f"jobs: done {result.done}, retried later {result.retried}, failed {result.failed}"


jobs_cli = AppGroup("jobs", help="Background jobs kept in the database.")


@jobs_cli.command("run")
@click.option("--once", is_flag=True, help="Run the jobs due now, then stop.")
@click.option("--max-jobs", type=click.IntRange(min=1), help="Stop after this many jobs.")
@click.option("--worker", default=None, help="This worker's name (default host:pid).")
def run_command(once: bool, max_jobs: int | None, worker: str | None) -> None:
    """Run due jobs; keep polling for new ones unless --once or --max-jobs says stop."""
    worker = worker or default_worker_name()
    total = RunResult()
    while True:
        left = None if max_jobs is None else max_jobs - total.ran
        result = run_due(worker, max_jobs=left)
        total.done, total.retried = total.done + result.done, total.retried + result.retried
        total.failed += result.failed
        if once or (max_jobs is not None and total.ran >= max_jobs):
            break
        if result.ran == 0:
            time.sleep(POLL_SECONDS)
    click.echo(summary(total))
