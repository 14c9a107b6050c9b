"""A database filled by an older release upgrades to head with every row kept and readable.

For each older revision R (from the baseline 0001 up to the one below head): build the
schema at 0001, fill it with plain SQL the way that release wrote rows, upgrade to R,
take a snapshot, upgrade to head, then check every row is still there (same values on
the columns it had) and that the app's own pages read it: the candidate signs in and
opens the report and the coach's review, the coach opens the session log, the admin
finds the users. Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL points there.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask, url_for

from tests.conftest import make_app
from tests.migrations import harness
from tests.migrations.seed_0001 import PASSWORD, Seeded, seed_baseline


def older_revisions() -> list[str]:
    """Every revision below head, oldest first (just the baseline while it is the head)."""
    chain = [rev.revision for rev in harness.scripts().walk_revisions("base", "heads")]
    chain.reverse()
    return chain[:-1] or chain


def page_url(app: Flask, rule_suffix: str, **values) -> str:
    """The URL of the one route whose rule ends with `rule_suffix` (survives renames)."""
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.rule.endswith(rule_suffix)}
    assert len(endpoints) == 1, f"{rule_suffix}: {endpoints}"
    with app.test_request_context():
        return url_for(endpoints.pop(), **values)


def signed_in(app: Flask, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    return client


def assert_pages_read_the_old_rows(url: str, seeded: Seeded) -> None:
    app = make_app(url, WTF_CSRF_ENABLED=False)
    try:
        candidate = signed_in(app, seeded.candidate_email)
        report = candidate.get(
            page_url(app, "/sessions/<int:session_id>/report", session_id=seeded.session_id)
        )
        assert report.status_code == 200
        html = report.get_data(as_text=True)
        assert seeded.reflection in html and seeded.self_score_note in html
        assert seeded.question_title_v1 in html  # the version the round pinned, not today's
        assert "Cost modeling" in html
        review = candidate.get(
            page_url(app, "/reviews/<int:review_id>", review_id=seeded.review_id)
        )
        assert review.status_code == 200
        assert seeded.coach_comment in review.get_data(as_text=True)

        coach = signed_in(app, seeded.coach_email)
        log = coach.get(
            page_url(app, "/coach/sessions/<int:session_id>", session_id=seeded.session_id)
        )
        assert log.status_code == 200
        assert seeded.answer_text in log.get_data(as_text=True)

        admin = signed_in(app, seeded.admin_email)
        users = admin.get("/admin/users?q=old.")
        assert users.status_code == 200
        found = set(re.findall(r"old\.\w+@example\.com", users.get_data(as_text=True)))
        assert found == {seeded.candidate_email, seeded.coach_email, seeded.admin_email}
    finally:
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()


@pytest.mark.parametrize("start", older_revisions())
def test_an_older_database_upgrades_to_head_keeping_every_row(database_url, tmp_path, start):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seeded = seed_baseline(url)
        harness.upgrade(url, start)
        before = harness.snapshot(url)
        assert sum(len(rows) for rows in before.values()) >= 30  # the seed really wrote rows
        harness.upgrade(url, "head")
        assert harness.current_revision(url) == harness.head_revision()
        harness.assert_rows_kept(before, harness.snapshot(url))
        assert_pages_read_the_old_rows(url, seeded)


def test_the_row_check_notices_a_lost_or_changed_row():
    """The comparison the upgrade test relies on fails when a row goes or a value changes."""
    before = {"users": [{"id": 1, "email": "a@example.com"}, {"id": 2, "email": "b@example.com"}]}
    with pytest.raises(AssertionError, match="2 rows before the upgrade, 1 after"):
        harness.assert_rows_kept(before, {"users": before["users"][:1]})
    changed = {"users": [before["users"][0], {"id": 2, "email": "c@example.com"}]}
    with pytest.raises(AssertionError, match="row changed"):
        harness.assert_rows_kept(before, changed)
    with pytest.raises(AssertionError, match="table users is gone"):
        harness.assert_rows_kept(before, {})
    grown = {"users": [dict(row, verified=None) for row in before["users"]]}
    harness.assert_rows_kept(before, grown)  # a new column is not a change
