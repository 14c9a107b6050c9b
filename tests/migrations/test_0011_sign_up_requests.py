"""Revision 0011 adds sign_up_requests and an index on when sign-ins ended; nothing else.

A 0001 database filled the way the release filled it, taken to the revision before, with
a sign-in row: upgraded, every row is kept, the new table works, and a downgrade removes
only what 0011 added.
"""

from __future__ import annotations

from sqlalchemy import inspect, text

from tests.migrations import harness
from tests.migrations.seed_0001 import seed_baseline

SIGN_IN = (
    "INSERT INTO user_sessions (key, user_id, created_at, last_seen_at, ended_at, ended_reason)"
    " SELECT 'k1', id, '2026-01-02 08:00:00', '2026-01-02 08:00:00', '2026-01-02 09:00:00',"
    " 'signed out' FROM users ORDER BY id LIMIT 1"
)
REQUEST = (
    "INSERT INTO sign_up_requests (token_digest, email, display_name, password_hash,"
    " created_at, expires_at) VALUES ('d1', 'new@example.com', 'New', 'h',"
    " '2026-01-02 08:00:00', '2026-01-05 08:00:00')"
)


def test_0011_keeps_every_row_and_undoes_only_itself(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_baseline(url)
        before_revision = harness.scripts().get_revision("0011").down_revision
        harness.upgrade(url, before_revision)
        with harness.connect(url) as connection:
            connection.execute(text(SIGN_IN))
        before = harness.snapshot(url)
        harness.upgrade(url, "0011")
        harness.assert_rows_kept(before, harness.snapshot(url))
        with harness.connect(url) as connection:
            connection.execute(text(REQUEST))
            indexes = {i["name"] for i in inspect(connection).get_indexes("user_sessions")}
        assert "ix_user_sessions_ended_at" in indexes
        harness.flask_db(url, "downgrade", before_revision)
        assert "sign_up_requests" not in harness.table_names(url)
        harness.assert_rows_kept(before, harness.snapshot(url))
