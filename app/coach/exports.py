"""Coach exports: the session log as JSON and a review as Markdown."""

from __future__ import annotations

from flask import Response

from app.coach.present import coach_values, level_label
from app.domain import sessionlog
from app.domain.untrusted import UNTRUSTED_NOTE, export_markdown


def download(body: str, mimetype: str, filename: str) -> Response:
    """A download response that is never cached (it holds a candidate's answers)."""
    response = Response(body, mimetype=mimetype.split(";")[0])
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _follow_ups(item, started) -> dict:
    """A question's follow-ups with their timing (issue 13); nothing when none were revealed,
    so older logs export as they did."""
    if not item.follow_up_answers:
        return {}
    offset = lambda at: sessionlog.fmt_offset((at - started).total_seconds())  # noqa: E731
    return {
        "follow_ups": [
            {
                "number": f.number,
                "revealed_at": f.revealed_at.isoformat(),
                "revealed_offset": offset(f.revealed_at),
                "revealed_because": f.reveal_reason,
                "saved_at": f.saved_at.isoformat() if f.saved_at else None,
                "saved_offset": offset(f.saved_at) if f.saved_at else None,
                "answer_length": len(f.answer_text or ""),
            }
            for f in item.follow_up_answers
        ]
    }


def session_log_json(session, review) -> dict:
    """The session's events and answers' timing, with the coach's review when there is one."""
    started = session.started_at
    return {
        "session": {
            "id": session.id,
            "candidate": session.user.display_name,
            "stage": session.stage_key,
            "status": session.status,
            "started_at": started.isoformat(),
            "deadline_at": session.deadline_at.isoformat(),
            "finished_at": session.finished_at.isoformat() if session.finished_at else None,
        },
        "questions": [
            {
                "position": item.position + 1,
                "title": item.question_version.title,
                "answer_kind": item.question_version.answer_kind,
                "suggested_minutes": item.question_version.suggested_minutes,
                "time_spent_seconds": item.time_spent_seconds,
                "answer_length": len(item.answer_text or ""),
                **_follow_ups(item, started),
            }
            for item in session.items
        ],
        "events": [
            {
                "at": event.at.isoformat(),
                "offset": sessionlog.fmt_offset((event.at - started).total_seconds()),
                "kind": event.kind,
                "question": None if event.position is None else event.position + 1,
                "data": event.data or {},
            }
            for event in sorted(session.events, key=lambda e: (e.at, e.id))
        ],
        "review": None
        if review is None
        else {
            "status": review.status,
            "published_revision": review.published_revision,
            "has_unpublished_changes": review.has_unpublished_changes,
        },
    }


def review_markdown(session, review, snap: dict) -> str:
    """A review as Markdown: per answer the levels and comments, then the summary."""
    levels, comments, answer_comments = coach_values(snap)
    lines = [
        f"# Review: {session.user.display_name}, {session.stage.name if session.stage else ''}",
        "",
        UNTRUSTED_NOTE,
        "",
        f"Session {session.id}, started {session.started_at:%Y-%m-%d %H:%M} UTC. "
        f"Review status: {review.status}"
        + (f", revision {review.published_revision}." if review.published_revision else "."),
        "",
    ]
    for item in session.items:
        lines += [f"## Question {item.position + 1}: {item.question_version.title}", ""]
        for c in item.rubric_version.criteria:
            key = (item.id, c["key"])
            lines.append(f"- **{c['title']}**: {level_label(c, levels.get(key))}")
            if comments.get(key):
                lines.append(f"  {export_markdown(comments[key])}")
        if answer_comments.get(item.id):
            lines += ["", export_markdown(answer_comments[item.id])]
        lines.append("")
    for title, text in (
        ("Strengths", snap["strengths_md"]),
        ("Gaps", snap["gaps_md"]),
        ("Next steps", snap["next_steps_md"]),
    ):
        lines += [f"## {title}", "", export_markdown(text) or "_None written._", ""]
    return "\n".join(lines)
