"""What the practice templates and JSON responses show: plain dicts built from a session."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask import current_app, url_for
from markupsafe import Markup

from app.domain import resume, timing
from app.markdown import render_markdown
from app.models.practice import PracticeSession
from app.practice import coderuns, follow_ups
from app.practice.answers import HintResult
from app.practice.errors import RoundOver, SaveRefused, SaveResult, StaleRevision
from app.practice.forms import AnswerForm
from app.practice.queries import RoundPage

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


class AnswerFields(NamedTuple):
    """The answer form's values as the round page writes them into its inputs."""

    revision: int
    client_id: str
    seq: int
    answer_text: str
    answer_number: object  # what the estimate box shows: the typed text, a float or ""
    answer_unit: str
    answer_links: str


class AnswerErrors(NamedTuple):
    """A refused plain-form post's messages per field (empty on a GET)."""

    answer_text: list
    answer_number: list
    answer_unit: list
    answer_links: list


NO_ERRORS = AnswerErrors((), (), (), ())


def saved_fields(item) -> AnswerFields:
    """The answer inputs filled from the saved answer (a GET: no form object needed, the
    page only renders it; the POST routes validate with AnswerForm)."""
    return AnswerFields(
        revision=item.revision,
        client_id="",
        seq=0,
        answer_text=item.answer_text or "",
        answer_number=item.answer_number if item.answer_number is not None else "",
        answer_unit=(item.answer_unit or "").strip(),
        answer_links="\n".join(item.answer_links or []),
    )


def posted_fields(form: AnswerForm, item) -> tuple[AnswerFields, AnswerErrors]:
    """The answer inputs as posted (a refused plain-form save keeps the typed text)."""
    number = form.answer_number
    fields = AnswerFields(
        revision=form.revision.data if form.revision.data is not None else item.revision,
        client_id=form.client_id.data or "",
        seq=form.seq.data or 0,
        answer_text=form.answer_text.data or "",
        answer_number=number.raw_data[0]
        if number.raw_data
        else (number.data if number.data is not None else ""),
        answer_unit=form.answer_unit.data or "",
        answer_links=form.answer_links.data or "",
    )
    errors = AnswerErrors(
        answer_text=form.answer_text.errors,
        answer_number=number.errors,
        answer_unit=form.answer_unit.errors,
        answer_links=form.answer_links.errors,
    )
    return fields, errors


class NavEntry(NamedTuple):
    title: str
    answered: bool


def is_answered(item) -> bool:
    """Something is saved for `item` (a row or a SessionQuestion)."""
    text, number, links = item.answer_text, item.answer_number, item.answer_links
    return bool(text.strip()) or number is not None or bool(links)


def round_context(
    page: RoundPage,
    now: datetime,
    zone: str,
    *,
    form: AnswerForm | None = None,
    problem: str | None = None,
    posted: dict[int, str] | None = None,
) -> dict:
    """Everything the round page shows of `page` (its question at `page.position`) at
    `now`; each clock figure computed once."""
    session, items, position = page.session, page.items, page.position
    item = items[position]
    if form is None:
        fields, errors = saved_fields(item), NO_ERRORS
    else:
        fields, errors = posted_fields(form, item)
    seconds_remaining = timing.seconds_remaining(session, now)
    grace_remaining = timing.grace_remaining(session, now)
    duration = timing.duration_seconds(session)
    phase = timing.phase(session, now)
    editable = timing.editable_in_browser(session, now)
    hints = item.hints_html or []
    return {
        "session": session,
        "item": item,
        "kind": item.answer_kind,
        "position": position,
        "nav": [NavEntry(it.title, is_answered(it)) for it in items] if len(items) > 1 else [],
        "count": len(items),
        "skills": page.skills,
        "fields": fields,
        "errors": errors,
        "problem": problem,
        "seconds_remaining": seconds_remaining,
        "grace_remaining": grace_remaining,
        "duration": duration,
        "used": duration - seconds_remaining,
        "phase": phase,
        "editable": editable,
        "clock": timing.format_clock(
            grace_remaining if phase == timing.GRACE and editable else seconds_remaining
        ),
        "deadline_label": timing.format_local(session.deadline_at, zone),
        "extra_time": timing.extra_time_label(session),
        # the candidate's "My projects" above a question about their résumé (issue 18)
        "my_projects": (session.my_projects or "")
        if resume.asks_about_resume(item.prompt_md, item.tags)
        else "",
        "warned": page.warned,
        "saved_label": f"{timing.local_time(item.saved_at, zone):%H:%M:%S}"
        if item.saved_at
        else "",
        # stored HTML, sanitised when the version was saved (app/markdown.py)
        "prompt": Markup(item.prompt_html or ""),  # noqa: S704
        "hints": [Markup(hint) for hint in hints[: item.hints_revealed]],  # noqa: S704
        "hints_left": max(0, len(item.hints or []) - item.hints_revealed),
        "hint_cost": timing.hint_cost_label(session, now),
        "code_spec": coderuns.round_spec(item.answer_kind, item.code_tests),
        # issue 13: the question's follow-ups, and a refused follow-up save's text to keep
        "follow_ups": follow_ups.state(
            session,
            item,
            item.version_follow_ups,
            page.follow_ups,
            now,
            current_app.config["FOLLOW_UP_REVEAL_SHARE"],
        ),
        "follow_up_posted": posted or {},
    }
