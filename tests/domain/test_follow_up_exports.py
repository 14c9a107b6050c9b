"""Follow-up answers in the report's exports (issue 13): Markdown, JSON and CSV carry each
revealed follow-up's prompt, answer and when it was revealed; a report without follow-ups
exports exactly what it did before they existed."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from app.domain.follow_up_formats import has_follow_ups
from app.domain.report import FollowUpAnswer, build_report
from app.domain.report_formats import to_csv, to_dict, to_markdown
from tests.domain.test_report import T0, q, session

FOLLOW_UPS = (
    FollowUpAnswer(
        number=1,
        prompt="How would you halve the cost?",
        answer="Quantise.\n\n<script>alert(1)</script>",
        revealed_at=T0 + timedelta(minutes=6),
        reason="done",
        saved_at=T0 + timedelta(minutes=8),
    ),
    FollowUpAnswer(
        number=2,
        prompt="What breaks at 10x?",
        answer="=HYPERLINK(evil)",
        revealed_at=T0 + timedelta(minutes=9),
        reason="time",
        saved_at=None,
    ),
)


def report(follow_ups=()):
    return build_report(session(), [q(0, {"cost": 4, "privacy": 2}, follow_ups=follow_ups)])


def test_json_lists_each_follow_up_with_its_prompt_answer_and_timing():
    data = to_dict(report(FOLLOW_UPS))
    json.dumps(data)
    assert data["questions"][0]["follow_ups"] == [
        {
            "number": 1,
            "prompt": "How would you halve the cost?",
            "answer": "Quantise.\n\n<script>alert(1)</script>",
            "revealed_at": "2026-03-02T09:06:00+00:00",
            "revealed_because": "done",
            "saved_at": "2026-03-02T09:08:00+00:00",
        },
        {
            "number": 2,
            "prompt": "What breaks at 10x?",
            "answer": "=HYPERLINK(evil)",
            "revealed_at": "2026-03-02T09:09:00+00:00",
            "revealed_because": "time",
            "saved_at": None,
        },
    ]


def test_markdown_quotes_each_answer_under_its_follow_up_with_html_defused():
    md = to_markdown(report(FOLLOW_UPS))
    assert "#### Follow-ups" in md
    assert "**Follow-up 1** (asked for by the candidate, 09:06 UTC): How would you halve" in md
    assert "> Quantise.\n>\n> &lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "<script>" not in md
    assert "**Follow-up 2** (asked when the time came, 09:09 UTC): What breaks at 10x?" in md


def test_csv_has_a_row_per_follow_up_with_formulas_neutralised():
    rows = list(csv.reader(io.StringIO(to_csv(report(FOLLOW_UPS)))))
    follow = [r for r in rows if r[0] == "question_follow_up"]
    assert [(r[1], r[3], r[4]) for r in follow] == [
        ("1", "follow_up_1", "How would you halve the cost?"),
        ("1", "follow_up_2", "What breaks at 10x?"),
    ]
    assert follow[0][6].startswith("asked for by the candidate at 2026-03-02T09:06")
    assert follow[0][8] == "Quantise.\n\n<script>alert(1)</script>"
    assert follow[1][8] == "'=HYPERLINK(evil)"  # formula neutralised


def test_a_report_without_follow_ups_exports_nothing_new():
    plain = report()
    assert not has_follow_ups(plain) and has_follow_ups(report(FOLLOW_UPS))
    assert "follow_ups" not in to_dict(plain)["questions"][0]
    for text in (to_markdown(plain), to_csv(plain), json.dumps(to_dict(plain))):
        assert "follow" not in text.lower()
    # the same report with follow-ups differs only by the follow-up parts
    with_follow_ups = to_dict(report(FOLLOW_UPS))
    with_follow_ups["questions"][0].pop("follow_ups")
    assert with_follow_ups == to_dict(plain)
