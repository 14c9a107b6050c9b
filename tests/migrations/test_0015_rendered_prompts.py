"""Revision 0015: every question version's prompt and hints are rendered once and stored,
byte-identical to what app.markdown renders, with the same sanitising; the downgrade
removes only the two columns."""

from __future__ import annotations

import json

from sqlalchemy import inspect, text

from app.markdown import render_markdown
from tests.migrations import harness
from tests.migrations.seed_0001 import seed_baseline

HOSTILE = (
    "# Rank\n\nA **feed** with `code`, a [link](javascript:alert(1)) and"
    ' <script>alert(1)</script> <img src=x onerror="alert(1)">\n\n'
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint('<b>')\n```\n"
)
HINTS = ["Think about *recall* first.", "[docs](https://example.com) <b hx-get='/x'>bold</b>"]


def _hints(value):
    return value if isinstance(value, list) else json.loads(value)


def test_0015_stores_each_versions_rendered_prompt_and_hints(database_url, tmp_path):
    with harness.scratch_database(database_url, tmp_path) as url:
        harness.upgrade(url, "0001")
        seed_baseline(url)
        harness.upgrade(url, "0014")
        with harness.connect(url) as connection:
            first = connection.execute(text("SELECT min(id) FROM question_versions")).scalar()
            connection.execute(
                text("UPDATE question_versions SET prompt_md = :p, hints = :h WHERE id = :id"),
                {"p": HOSTILE, "h": json.dumps(HINTS), "id": first},
            )
        before = harness.snapshot(url)
        harness.upgrade(url, "0015")
        harness.assert_rows_kept(before, harness.snapshot(url))
        with harness.connect(url) as connection:
            rows = connection.execute(
                text("SELECT id, prompt_md, hints, prompt_html, hints_html FROM question_versions")
            ).all()
        assert len(rows) >= 2
        for row in rows:
            assert row.prompt_html == str(render_markdown(row.prompt_md))
            assert _hints(row.hints_html) == [str(render_markdown(h)) for h in _hints(row.hints)]
        hostile = next(row for row in rows if row.id == first)
        assert "<table>" in hostile.prompt_html and "<script" not in hostile.prompt_html
        assert 'href="javascript' not in hostile.prompt_html and "<img" not in hostile.prompt_html
        assert "<script>" not in hostile.prompt_html and "&lt;script&gt;" in hostile.prompt_html
        assert 'rel="noopener noreferrer nofollow"' in "".join(_hints(hostile.hints_html))
        harness.flask_db(url, "downgrade", "0014")
        with harness.connect(url) as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("question_versions")}
        assert not {"prompt_html", "hints_html"} & columns
        harness.assert_rows_kept(before, harness.snapshot(url))
