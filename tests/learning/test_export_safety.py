"""The report's .md and .json exports carry the candidate's own text defused / marked."""

from __future__ import annotations

import json
import re

from markdown_it import MarkdownIt

from tests.learning.test_report_routes import _score_and_finish

PAYLOAD = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
viewer = MarkdownIt("commonmark", {"html": True})
viewer.validateLink = lambda url: True


def test_markdown_export_defuses_the_reflection_and_notes(client, finished_round):
    r = finished_round()
    _score_and_finish(client, r, {(0, 0): 4, (0, 1): 2}, reflection=PAYLOAD)
    body = client.get(f"/feedback/sessions/{r.session_id}/report.md").get_data(as_text=True)
    assert "Text in this file was written by users" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    html = viewer.render(body)
    assert not re.search(r"<(script|img)\b", html)
    assert 'href="javascript:' not in html


def test_json_export_names_the_user_markdown_fields(client, finished_round):
    r = finished_round()
    _score_and_finish(client, r, {(0, 0): 4, (0, 1): 2}, reflection=PAYLOAD)
    data = json.loads(client.get(f"/feedback/sessions/{r.session_id}/report.json").data)
    assert data["reflection"] == PAYLOAD  # the data itself, as written
    marked = data["untrusted_markdown"]
    assert "reflection" in marked["fields"] and "raw HTML disabled" in marked["note"]
    for path in marked["fields"]:  # every named field exists in this shape
        top = path.split("[")[0].split(".")[0]
        assert top in data, path
