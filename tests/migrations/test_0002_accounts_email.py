"""Revision 0002's data step: accounts from before verification count as verified."""

from __future__ import annotations

from sqlalchemy import text

from tests.migrations import harness
from tests.migrations.seed_0001 import seed_baseline


def test_older_accounts_are_verified_at_creation_and_opted_out_of_emails(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_baseline(url)
        harness.upgrade(url, "0002")
        with harness.connect(url) as connection:
            users = connection.execute(
                text(
                    "SELECT created_at, email_verified_at, email_notifications, deleted_at,"
                    " pending_email FROM users"
                )
            ).all()
            emailed = connection.execute(text("SELECT emailed_at FROM notifications")).all()
        assert len(users) == 3
        for created, verified, notifications, deleted, pending in users:
            assert verified == created
            assert not notifications and deleted is None and pending is None
        assert emailed == [(None,)]
