"""Revision 0017: the item-statistics counters are backfilled from every finished attempt
and give exactly the figures the Python arithmetic over those attempts gives (the oracle
of tests/bank/test_item_stats_sql.py, which the old aggregate matched); rounds still in
progress are not counted; every row survives; the downgrade drops only the new tables."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, text

from app.bank import stats
from app.extensions import db
from app.models.bank import Question
from app.models.usage import QuestionUsage
from tests.bank.test_item_stats_sql import assert_matches_reference
from tests.conftest import make_app
from tests.migrations import harness
from tests.migrations.seed_0001 import seed_baseline

NEW = {"question_usage", "question_version_usage", "question_time_usage"}


def _copy(connection, columns, table, row_id, **changes):
    """Insert a copy of row `row_id` of `table` with `changes`; returns the new id."""
    names = [c for c in columns if c != "id"]
    values = [f":{c}" if c in changes else c for c in names]
    new_id = connection.execute(text(f"SELECT max(id) + 1 FROM {table}")).scalar()
    connection.execute(
        text(
            f"INSERT INTO {table} (id, {', '.join(names)}) "
            f"SELECT :new_id, {', '.join(values)} FROM {table} WHERE id = :row_id"
        ),
        {"new_id": new_id, "row_id": row_id, **changes},
    )
    return new_id


def _more_rounds(url: str) -> None:
    """Beside the seed's scored round: a blank one-question round with no recorded time
    (the whole round counts), a two-question round, and a round still in progress."""
    sessions = sorted(harness.columns(url, "practice_sessions"))
    items = sorted(harness.columns(url, "session_questions"))
    with harness.connect(url) as connection:
        session_id, started = connection.execute(
            text("SELECT id, started_at FROM practice_sessions WHERE status = 'submitted'")
        ).first()
        item_id = connection.execute(
            text("SELECT id FROM session_questions WHERE session_id = :s"), {"s": session_id}
        ).scalar()
        if isinstance(started, str):
            started = datetime.fromisoformat(started)
        blank = _copy(
            connection,
            sessions,
            "practice_sessions",
            session_id,
            finished_at=started + timedelta(minutes=17, seconds=3),
            loop_run_id=None,
        )
        _copy(
            connection,
            items,
            "session_questions",
            item_id,
            session_id=blank,
            answer_text="  ",
            time_spent_seconds=0,
            hints_revealed=0,
        )
        pair = _copy(connection, sessions, "practice_sessions", session_id, loop_run_id=None)
        for position, seconds in ((0, 300), (1, 0)):
            _copy(
                connection,
                items,
                "session_questions",
                item_id,
                session_id=pair,
                position=position,
                time_spent_seconds=seconds,
            )
        running = _copy(
            connection,
            sessions,
            "practice_sessions",
            session_id,
            status="in_progress",
            finished_at=None,
            loop_run_id=None,
        )
        _copy(connection, items, "session_questions", item_id, session_id=running)


def test_0017_backfills_counters_equal_to_the_attempts_arithmetic(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_baseline(url)
        harness.upgrade(url, "0016")
        _more_rounds(url)
        before = harness.snapshot(url)
        harness.upgrade(url, "0017")
        harness.assert_rows_kept(before, harness.snapshot(url))
        harness.upgrade(url)  # the later revisions too: the models are head's
        harness.assert_matches_models(url)
        app = make_app(url)
        with app.app_context():
            question_ids = db.session.scalars(select(Question.id)).all()
            counted = {u.question_id: u.attempts for u in db.session.scalars(select(QuestionUsage))}
            assert sum(counted.values()) == 4  # the seed's, the blank, the pair; not the open
            assert set(counted) == set(question_ids)  # a row for every question
            for question_id in question_ids:
                assert_matches_reference(question_id)
            scored = stats.question_statistics(next(iter(counted)))[0]
            assert scored.scored == 1 and scored.answered == 3
            db.session.remove()
        harness.flask_db(url, "downgrade", "0016")
        assert not NEW & harness.table_names(url)
        harness.assert_rows_kept(before, harness.snapshot(url))
