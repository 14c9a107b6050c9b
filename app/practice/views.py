"""What the practice templates and JSON responses show: plain dicts built from a session."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, url_for

from app.domain import resume, timing
from app.markdown import render_markdown
from app.models.bank import AnswerKind
from app.models.practice import PracticeSession
from app.practice import coderuns, follow_ups
from app.practice.answers import HintResult, warned_thresholds
from app.practice.errors import RoundOver, SaveRefused, SaveResult, StaleRevision
from app.practice.forms import AnswerForm

STATUS_LABELS = {
    "in_progress": "In progress",
    "submitted": "Submitted",
    "auto_submitted": "Submitted automatically when time ran out",
    "closed": "Closed after the grace period",
}


def session_status(session: PracticeSession, now: datetime, zone: str | None = None) -> dict:
    """The clock as the page needs it; `redirect` once the round is finished, with the
    notice the page shows before it goes on (in the candidate's time zone `zone`)."""
    payload = {
        "status": session.status,
        "phase": timing.phase(session, now) if not session.is_finished else "over",
        "seconds_remaining": 0 if session.is_finished else timing.seconds_remaining(session, now),
        "grace_remaining": 0 if session.is_finished else timing.grace_remaining(session, now),
        "editable": timing.editable_in_browser(session, now),
    }
    if session.is_finished:
        payload["redirect"] = url_for("learning.score", session_id=session.id)
        payload["notice"] = ended_notice(session, zone)
    return payload


# --- issue 18: the time's-up notice -----------------------------------------------------
def ended_notice(session: PracticeSession, zone: str | None) -> str:
    """What the round page says when the round ended while it was open."""
    if session.status == "submitted":
        return "This round was submitted from another tab or device."
    saved = [item.saved_at for item in session.items if item.saved_at]
    if not saved:
        return "Time's up — nothing was saved in this round, so it ended without answers."
    at = timing.local_time(max(saved), zone or "UTC")
    return f"Time's up — your last saved answers were submitted at {at:%H:%M}."


def hint_payload(shown: HintResult, now: datetime, zone: str | None = None) -> dict:
    """A hint opened in place: its HTML, the counts, and the clock, which a costed hint
    has just moved (the page re-syncs its countdown from this at once)."""
    session = shown.session
    return {
        **session_status(session, now, zone),
        "ok": True,
        "hint_html": str(render_markdown(shown.text)) if shown.text is not None else None,
        "used": shown.used,
        "total": shown.total,
        "charged": shown.charged,
        "charged_label": timing.format_cost(shown.charged) if shown.charged else "",
        "duration": timing.duration_seconds(session),
        "deadline_label": timing.format_local(session.deadline_at, zone),
        "cost_label": timing.hint_cost_label(session, now),
    }


def refusal_payload(refusal: SaveRefused, now: datetime, zone: str | None = None) -> dict:
    """The JSON of a refused autosave: why, and what the page needs to react."""
    payload = {"ok": False, "error": refusal.code, "message": str(refusal)}
    if isinstance(refusal, StaleRevision):
        payload["revision"] = refusal.revision
    if isinstance(refusal, RoundOver):
        payload = {**session_status(refusal.session, now, zone), **payload}
    return payload


def save_payload(result: SaveResult, zone: str) -> dict:
    """The autosave answer: new revision, when it was saved, the clock."""
    saved_label = f"{timing.local_time(result.saved_at, zone):%H:%M:%S}" if result.saved_at else ""
    return {
        "ok": True,
        "revision": result.revision,
        "saved_at": result.saved_at.isoformat() if result.saved_at else None,
        "saved_label": saved_label,
        "changed": result.changed,
        "seconds_remaining": result.seconds_remaining,
        "grace_remaining": result.grace_remaining,
        "phase": result.phase,
    }


def answer_form_for(item) -> AnswerForm:
    """An answer form filled from the saved answer (for a GET)."""
    return AnswerForm(
        formdata=None,
        data={
            "revision": item.revision,
            "answer_text": item.answer_text,
            "answer_number": item.answer_number,
            "answer_unit": item.answer_unit or "",
            "answer_links": "\n".join(item.answer_links or []),
            "seq": 0,
        },
    )


def round_context(
    session: PracticeSession,
    position: int,
    now: datetime,
    zone: str,
    *,
    form: AnswerForm | None = None,
    problem: str | None = None,
    posted: dict[int, str] | None = None,
) -> dict:
    """Everything the round page shows for question `position` at `now`."""
    position = max(0, min(position, len(session.items) - 1))
    item = session.items[position]
    version = item.question_version
    return {
        "session": session,
        "item": item,
        "version": version,
        "kind": version.answer_kind,
        "kinds": AnswerKind,
        "position": position,
        "form": form or answer_form_for(item),
        "problem": problem,
        "seconds_remaining": timing.seconds_remaining(session, now),
        "grace_remaining": timing.grace_remaining(session, now),
        "duration": timing.duration_seconds(session),
        "used": timing.seconds_used(session, now),
        "phase": timing.phase(session, now),
        "editable": timing.editable_in_browser(session, now),
        "clock": timing.format_clock(
            timing.grace_remaining(session, now)
            if timing.phase(session, now) == timing.GRACE
            and timing.editable_in_browser(session, now)
            else timing.seconds_remaining(session, now)
        ),
        "deadline_label": timing.format_local(session.deadline_at, zone),
        "extra_time": timing.extra_time_label(session),
        # the candidate's "My projects" above a question about their résumé (issue 18)
        "my_projects": (session.user.my_projects or "")
        if resume.asks_about_resume(version.prompt_md, version.tags)
        else "",
        "warned": warned_thresholds(session.id),
        "saved_label": f"{timing.local_time(item.saved_at, zone):%H:%M:%S}"
        if item.saved_at
        else "",
        "hints": version.hints_markup[: item.hints_revealed],
        "hints_left": max(0, len(version.hints or []) - item.hints_revealed),
        "hint_cost": timing.hint_cost_label(session, now),
        "code_spec": coderuns.round_spec(item),
        # issue 13: the question's follow-ups, and a refused follow-up save's text to keep
        "follow_ups": follow_ups.state(
            session, item, now, current_app.config["FOLLOW_UP_REVEAL_SHARE"]
        ),
        "follow_up_posted": posted or {},
    }
