"""Follow-up questions in the round (issue 13): reveal the next one, save its answer.

"Done — next follow-up" is a real submit button of the answer form: without JavaScript
it posts the main answer here (saved first, as the Save button would) and the page comes
back with the follow-up open; with htmx it posts here and only the follow-ups block is
swapped (the main answer keeps autosaving on its own). The page's timer posts the timed
reveal, which the server checks against its own clock.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from app.clock import utcnow
from app.domain import timing
from app.domain.follow_ups import REASONS
from app.errors import render_error, wants_fragment
from app.practice import answers, follow_ups, queries
from app.practice.errors import NotFound, SaveRefused
from app.practice.follow_up_forms import FollowUpForm
from app.practice.forms import AnswerForm
from app.practice.views import refusal_payload, round_context, save_payload
from app.security import no_store

bp = Blueprint("follow_ups", __name__)

QUESTION = "/sessions/<int:session_id>/questions/<int:position>/follow-ups/<int:number>"


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    """Someone else's (or no) round, question or follow-up: 404, never a hint it exists."""
    return render_error(404)


def _page(session_id: int, position: int, status: int, now, **context):
    """The round page (or, for htmx, its follow-ups block) with a problem or fresh state."""
    page = queries.round_page(current_user.id, session_id, position, now=now)
    shown = round_context(page, now, current_user.timezone, **context)
    fragment = wants_fragment()
    template = "practice/_follow_ups.html" if fragment else "practice/round.html"
    body = render_template(template, follow_up_fragment=fragment, **shown)
    return no_store(make_response(body, status))


@bp.post(QUESTION + "/<reason>")
def reveal(session_id: int, position: int, number: int, reason: str):
    """Reveal follow-up `number`: saves the posted main answer first (plain form only)."""
    if reason not in REASONS:
        return render_error(404)
    now, form = utcnow(), AnswerForm()
    if not form.validate_on_submit() and not wants_fragment():
        return _page(session_id, position, 422, now, form=form, problem=_invalid(form))
    try:
        if not wants_fragment():
            answers.save_answer(
                current_user.id, session_id, position, form.answer(), now=now,
                **form.save_options(),
            )  # fmt: skip
        follow_ups.reveal_next(
            current_user.id, session_id, position, number, reason=reason, now=now,
            share=current_app.config["FOLLOW_UP_REVEAL_SHARE"],
        )  # fmt: skip
    except SaveRefused as refusal:
        kept = None if wants_fragment() else form  # the typed main answer stays in its box
        return _page(session_id, position, refusal.status, now, problem=str(refusal), form=kept)
    if wants_fragment():
        return _page(session_id, position, 200, now)
    flash(f"Follow-up {number} is open below your answer.", "success")
    target = url_for("practice.round_page", session_id=session_id, q=position)
    return redirect(f"{target}#follow-up-{number}")


def _invalid(form) -> str:
    return " ".join(e for errors in form.errors.values() for e in errors) or "Please try again."


@bp.post(QUESTION)
def save(session_id: int, position: int, number: int):
    """A follow-up's answer form without JavaScript: save it, then back to the round."""
    now, form = utcnow(), FollowUpForm()
    if not form.validate_on_submit():
        return _page(session_id, position, 422, now, problem=_invalid(form))
    try:
        follow_ups.save_follow_up(
            current_user.id, session_id, position, number, form.answer_text.data or "",
            now=now, **form.save_options(),
        )  # fmt: skip
    except SaveRefused as refusal:
        posted = {number: form.answer_text.data or ""}
        return _page(session_id, position, refusal.status, now, problem=str(refusal), posted=posted)
    flash(f"Saved at {timing.local_time(now, current_user.timezone):%H:%M:%S}.", "success")
    target = url_for("practice.round_page", session_id=session_id, q=position)
    return redirect(f"{target}#follow-up-{number}")


@bp.post(QUESTION + "/autosave")
def autosave(session_id: int, position: int, number: int):
    """Autosave a follow-up's answer (fetch or beacon): JSON like the main autosave."""
    form = FollowUpForm()
    if not form.validate_on_submit():
        body = {"ok": False, "error": "invalid", "errors": form.error_messages()}
        return no_store(make_response(jsonify(body), 422))
    now = utcnow()
    try:
        result = follow_ups.save_follow_up(
            current_user.id, session_id, position, number, form.answer_text.data or "",
            now=now, **form.save_options(),
        )  # fmt: skip
    except SaveRefused as refusal:
        return no_store(make_response(jsonify(refusal_payload(refusal, now)), refusal.status))
    return no_store(make_response(jsonify(save_payload(result, current_user.timezone))))
