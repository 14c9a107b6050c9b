"""Every list page's query reads its rows in index order (revisions 0006 and 0016), and
the round page finds a round's warnings by kind (0018).

Each list read runs for real; its statements are captured and SQLite's EXPLAIN QUERY
PLAN must name the index that serves the filter and the order, with no sort of the rows
(`USE TEMP B-TREE FOR ORDER BY`), so a page costs the same with 10 or 100,000 rows.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from app.admin import services as admin
from app.bank import queries as bank
from app.clock import utcnow
from app.extensions import db
from app.learning import progress
from app.models import audit
from app.models.audit import AuditEvent
from app.practice import queries as practice
from tests import factories


def plans(run) -> list[str]:
    """The query plans of the statements `run()` sends that read a page (LIMIT)."""
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if "LIMIT" in statement and statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    found = []
    connection = db.session.connection().connection.driver_connection
    for statement, parameters in statements:
        rows = connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
        found.append(" | ".join(str(row[-1]) for row in rows))
    return found


@pytest.fixture
def sqlite_only(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("reads SQLite's EXPLAIN QUERY PLAN")
    return app


def _newest_event() -> int:
    """The id of the newest of three fresh audit events (a page after it has rows)."""
    for n in range(3):
        audit.record("test.bulk", target_id=n)
    db.session.commit()
    return db.session.scalar(select(func.max(AuditEvent.id)))


CASES = {
    "practice history": (
        lambda uid: db.session.scalars(practice.history_query(uid).limit(20)).all(),
        "ix_practice_sessions_user_started",
    ),
    "dashboard recent rounds": (
        lambda uid: practice.overview(uid, now=utcnow()),
        "ix_practice_sessions_user_started",
    ),
    "progress rounds": (
        lambda uid: progress.progress(uid, 1, 20, utcnow()),
        "ix_practice_sessions_user_finished",
    ),
    "progress chart": (
        lambda uid: progress.progress(uid, 1, 20, utcnow()),
        "ix_self_assessments_user_completed",
    ),
    "admin users": (lambda uid: admin.search_users(None, 1, 20), "ix_users_created"),
    # SQLite may walk the older (at) index: it holds the rowid, so it orders by (at, id) too
    "audit log": (
        lambda uid: admin.audit_page(None, 1, 20),
        ("ix_audit_events_at_id", "ix_audit_events_at "),
    ),
    "audit log by action": (
        lambda uid: admin.audit_page("role_changed", 1, 20),
        "ix_audit_events_action_at",
    ),
    "admin questions": (
        lambda uid: bank.search_questions(page=1, per_page=20),
        "ix_questions_updated",
    ),
    "admin questions by status": (
        lambda uid: bank.search_questions(status="draft", page=1, per_page=20),
        "ix_questions_status_updated",
    ),
    "audit log by key": (
        lambda uid: admin.audit_page(None, None, 2, after=_newest_event()),
        ("ix_audit_events_at_id", "ix_audit_events_at "),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_list_reads_use_an_index_for_filter_and_order(sqlite_only, name):
    run, indexes = CASES[name]
    indexes = (indexes,) if isinstance(indexes, str) else indexes
    with sqlite_only.app_context():
        uid = factories.user("candidate").id
        found = [p for p in plans(lambda: run(uid)) if any(i in p + " " for i in indexes)]
        assert found, f"{name}: no page read uses {indexes}:\n" + "\n".join(plans(lambda: run(uid)))
        assert all("TEMP B-TREE" not in p for p in found), found


def test_the_round_page_finds_its_warnings_by_kind_not_by_reading_the_rounds_log(sqlite_only):
    """A round logs an event per autosave; its few `warning_shown` events are found by the
    (session_id, kind) index, not by reading every event of the round (revision 0018)."""
    with sqlite_only.app_context():
        compiled = practice._ROUND_PAGE.compile(dialect=db.engine.dialect)
        params = compiled.construct_params({"session_id": 1, "user_id": 1, "shown": 0})
        values = [params[name] for name in compiled.positiontup]
        connection = db.session.connection().connection.driver_connection
        rows = connection.execute(f"EXPLAIN QUERY PLAN {compiled.string}", values).fetchall()
        plan = " | ".join(str(row[-1]) for row in rows)
        assert "ix_session_events_session_id_kind (session_id=? AND kind=?)" in plan, plan
