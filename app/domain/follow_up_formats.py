"""Follow-up answers (issue 13) in the report's exports: JSON, Markdown and CSV. Pure.

Only questions that had follow-ups revealed get anything, so the export of a round
without follow-ups (every round from before they existed) is byte for byte what it was.
User text is defused for Markdown (`export_markdown`); the CSV writer neutralises
formulas itself.
"""

from __future__ import annotations

from datetime import datetime

from app.domain.report import FollowUpAnswer, Report
from app.domain.untrusted import export_markdown

UNTRUSTED_FIELDS = ("questions[].follow_ups[].answer",)
REASONS = {"done": "asked for by the candidate", "time": "asked when the time came"}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None  # as the rest of the JSON export


def has_follow_ups(report: Report) -> bool:
    return any(q.question.follow_ups for q in report.questions)


def as_dicts(follow_ups: tuple[FollowUpAnswer, ...]) -> list[dict]:
    return [
        {
            "number": f.number,
            "prompt": f.prompt,
            "answer": f.answer,
            "revealed_at": _iso(f.revealed_at),
            "revealed_because": f.reason,
            "saved_at": _iso(f.saved_at),
        }
        for f in follow_ups
    ]


def markdown_lines(follow_ups: tuple[FollowUpAnswer, ...]) -> list[str]:
    """The "Follow-ups" part of one question (nothing when none were revealed)."""
    if not follow_ups:
        return []
    lines = ["#### Follow-ups", ""]
    for f in follow_ups:
        answer = export_markdown(f.answer.strip()) or "_No answer was saved._"
        lines += [
            f"**Follow-up {f.number}** ({REASONS.get(f.reason, f.reason)}, "
            f"{f.revealed_at:%H:%M} UTC): {export_markdown(' '.join(f.prompt.split()))}",
            "",
            *(f"> {line}" if line else ">" for line in answer.split("\n")),
            "",
        ]
    return lines


def csv_rows(follow_ups: tuple[FollowUpAnswer, ...]):
    """(key, title, label, detail) per follow-up: the prompt, why and when, the answer."""
    for f in follow_ups:
        when = f"{REASONS.get(f.reason, f.reason)} at {_iso(f.revealed_at)}"
        yield f"follow_up_{f.number}", f.prompt, when, f.answer
