"""Coach pages: dashboard, review queue, candidates, the session log and reviewing.

The whole blueprint is for coaches (403 for anyone else). Every page that names a
candidate or a session goes through `app.coach.queries`, which only finds what the
coach may see: anything else is a 404, including fragments and exports.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from app.access import require_role
from app.accounts import extra_time
from app.accounts.forms import EXTRA_TIME_CHOICES, ExtraTimeForm
from app.accounts.services import AccountError
from app.clock import utcnow
from app.coach import exports, present, queries, services
from app.coach.forms import ButtonForm, QueueFilterForm, build_review_form, review_input
from app.coach.selfscores import self_scores_for
from app.learning import insights as learning_insights
from app.learning.grading import suggestions_for
from app.models.users import Role
from app.pagination import page_number, row_id

bp = Blueprint("coach", __name__)

PAGE_ARGS = ("page", "after", "before")  # where a list is, not what it shows

bp.before_request(require_role(Role.COACH.value))


def _is_fragment() -> bool:
    """An htmx request for a part of the page (not a boosted navigation)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-Boosted")


def _session_or_404(session_id: int):
    session = queries.visible_session(current_user.id, session_id)
    if session is None:
        abort(404)
    return session


@bp.get("/")
def dashboard():
    """Coach dashboard: counts, notifications, the invite code and link."""
    notifications, unread = queries.recent_notifications(current_user.id)
    return render_template(
        "coach/dashboard.html",
        counts=queries.dashboard_counts(
            current_user.id,
            current_app.config.get("COACH_QUEUE_COUNT_CAP", queries.QUEUE_COUNT_CAP),
        ),
        notifications=notifications,
        unread=unread,
        form=ButtonForm(),
    )


@bp.post("/invite-code")
def rotate_invite_code():
    """Create or rotate the coach's invite code (the old code and link stop working)."""
    if ButtonForm().validate_on_submit():
        had_code = current_user.invite_code is not None
        code = services.rotate_invite_code(current_user.id)
        # the first code replaces nothing: only a rotation says the old one stopped working
        rotated = " The old code and link no longer work." if had_code else ""
        flash(f"Your invite code is now {code}.{rotated}", "success")
    return redirect(url_for("coach.dashboard"))


def _queue_filter_form() -> tuple[QueueFilterForm, bool]:
    """The queue's filter form and whether its candidate filter is a search box.

    Above the configured number of linked candidates the filter is a name/email search;
    a ?candidate=<id> link (from the overview) still filters, its one choice looked up.
    """
    candidates, stages = queries.queue_filters(
        current_user.id,
        current_app.config.get("COACH_FILTER_SELECT_MAX", queries.FILTER_SELECT_MAX),
    )
    form = QueueFilterForm(request.args)
    searching = candidates is None
    if searching:
        wanted = request.args.get("candidate", "")
        one = (
            queries.linked_candidate(current_user.id, int(wanted))
            if wanted.isdigit() and len(wanted) < 10
            else None
        )
        candidates = [one] if one else []
    form.candidate.choices = [SelectChoice("", "All candidates")] + [
        SelectChoice(str(c.id), c.display_name) for c in candidates
    ]
    form.stage.choices = [SelectChoice("", "All stages")] + [SelectChoice(k, n) for k, n in stages]
    form.validate()
    return form, searching


@bp.get("/queue")
def queue():
    """Sessions awaiting this coach's review, oldest first, filterable and paginated."""
    form, searching = _queue_filter_form()
    result = queries.queue(
        current_user.id,
        candidate_id=int(form.candidate.data)
        if form.candidate.data and not form.candidate.errors
        else None,
        stage_key=form.stage.data if not form.stage.errors else None,
        state=form.state.data if not form.state.errors else None,
        search=(form.q.data or "").strip() or None if searching and not form.q.errors else None,
        page=page_number(request.args.get("page")),
        per_page=current_app.config["PER_PAGE"],
        count_cap=current_app.config.get("COACH_QUEUE_COUNT_CAP", queries.QUEUE_COUNT_CAP),
        after=row_id(request.args.get("after")),
        before=row_id(request.args.get("before")),
    )
    filters = {k: v for k, v in request.args.items() if k not in PAGE_ARGS and v}
    template = "coach/_queue_table.html" if _is_fragment() else "coach/queue.html"
    return render_template(template, form=form, result=result, filters=filters, searching=searching)


@bp.get("/candidates")
def candidates():
    """The coach's linked candidates."""
    pagination, rows = queries.candidates(
        current_user.id, page_number(request.args.get("page")), current_app.config["PER_PAGE"]
    )
    return render_template(
        "coach/candidates.html", pagination=pagination, rows=rows, form=ButtonForm()
    )


@bp.get("/candidates/<int:candidate_id>")
def candidate(candidate_id: int):
    """One candidate: their visible sessions, scores over time, strengths and gaps."""
    person = queries.linked_candidate(current_user.id, candidate_id)
    if person is None:
        abort(404)
    overview = _overview(candidate_id)
    return render_template(
        "coach/candidate.html",
        candidate=person,
        form=ButtonForm(),
        extra_time_choices=EXTRA_TIME_CHOICES,
        **overview,
    )


def _overview(candidate_id: int) -> dict:
    """What the candidate page shows: a page of sessions, the chart, strengths and gaps."""
    pagination, reviews = queries.candidate_sessions_for_coach(
        current_user.id,
        candidate_id,
        page_number(request.args.get("page")),
        current_app.config["PER_PAGE"],
    )
    published = queries.reviewed_sessions(candidate_id, coach_id=current_user.id)
    return present.candidate_overview(pagination, reviews, published, self_scores_for)


@bp.post("/candidates/<int:candidate_id>/extra-time")
def set_extra_time(candidate_id: int):
    """A linked coach sets the candidate's extra time (accommodations); audited."""
    form = ExtraTimeForm()
    if queries.linked_candidate(current_user.id, candidate_id) is None:
        abort(404)
    if not form.validate_on_submit():
        flash(extra_time.REFUSED, "error")
        return redirect(url_for("coach.candidate", candidate_id=candidate_id))
    try:
        person = extra_time.set_time_multiplier(
            candidate_id,
            form.time_multiplier.data,
            actor_id=current_user.id,
            via="coach",
            ip=request.remote_addr,
        )
    except AccountError as error:
        flash(str(error), "error")
    else:
        flash(f"{person.display_name} now has {person.time_multiplier:g}× round time.", "success")
    return redirect(url_for("coach.candidate", candidate_id=candidate_id))


@bp.post("/candidates/<int:candidate_id>/remove")
def remove_candidate(candidate_id: int):
    """Stop coaching a candidate; their sessions disappear from this coach's pages."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        person = services.remove_candidate(current_user.id, candidate_id, ip=request.remote_addr)
    except services.NotFound:
        abort(404)
    flash(f"You no longer coach {person.display_name}.", "info")
    return redirect(url_for("coach.candidates"))


def _log_page(session, now, form=None, layout=None, status=200):
    """The session log page for the coach, with their review form (re-shown with errors)."""
    review = queries.review_of(current_user.id, session.id)
    if form is None:
        form, layout = build_review_form(session, review)
    history = queries.reviewed_sessions(session.user_id, coach_id=current_user.id)
    selfs = self_scores_for([session.id] + [r.session_id for r in history])
    working = services.snapshot(review) if review is not None else None
    view = present.session_log(session, selfs.get(session.id), now, working)
    matcher = learning_insights.matcher_in(current_app.instance_path)
    mentions = learning_insights.session_insights(session, matcher) if session.is_finished else {}
    return (
        render_template(
            "coach/session_log.html",
            view=view,
            insights=mentions,
            model=suggestions_for(item.id for item in session.items),
            session=session,
            review=review,
            form=form,
            layout=layout,
            trends=present.trends(history, selfs),
        ),
        status,
    )


@bp.get("/sessions/<int:session_id>")
def session_log(session_id: int):
    """The session log: summary, timeline, answers, self-scores and the coach's review."""
    return _log_page(_session_or_404(session_id), utcnow())


@bp.post("/sessions/<int:session_id>/review")
def save_review(session_id: int):
    """Save the review draft (htmx autosave or the button); "Publish review" also publishes."""
    session, now = _session_or_404(session_id), utcnow()
    review = queries.review_of(current_user.id, session.id)
    form, layout = build_review_form(session, review)
    if not form.validate_on_submit():
        if _is_fragment():
            return render_template("coach/_review_status.html", form=form, error=True), 422
        return _log_page(session, now, form, layout, 422)
    try:
        if form.publish.data:
            revision = services.publish(
                current_user.id, session, review_input(form), now=now, ip=request.remote_addr
            )
            flash(f"Review published (revision {revision.number}).", "success")
            return redirect(url_for("coach.session_log", session_id=session.id, _anchor="review"))
        review = services.save_draft(current_user.id, session, review_input(form), now=now)
    except services.CoachError as error:
        if _is_fragment():
            return render_template("coach/_review_status.html", message=str(error), error=True), 422
        flash(str(error), "error")
        return _log_page(session, now, form, layout, 422)
    if _is_fragment():
        return render_template("coach/_review_status.html", review=review)
    flash("Draft saved.", "success")
    return redirect(url_for("coach.session_log", session_id=session.id, _anchor="review"))


@bp.get("/sessions/<int:session_id>/review/revisions/<int:number>")
def review_revision(session_id: int, number: int):
    """A published revision of this coach's review, as the candidate saw it."""
    session = _session_or_404(session_id)
    review = queries.review_of(current_user.id, session.id)
    revision = present.find_revision(review, number)
    if revision is None:
        abort(404)
    view = present.session_log(
        session, self_scores_for([session.id]).get(session.id), utcnow(), revision.snapshot
    )
    return render_template(
        "coach/revision.html", session=session, review=review, revision=revision, view=view
    )


@bp.get("/sessions/<int:session_id>/log.json")
def export_log(session_id: int):
    """The session log as JSON (events, answers' timing, the coach's working review)."""
    session = _session_or_404(session_id)
    review = queries.review_of(current_user.id, session.id)
    body = json.dumps(exports.session_log_json(session, review), indent=2, ensure_ascii=False)
    return exports.download(body, "application/json", f"session-{session.id}-log.json")


@bp.get("/sessions/<int:session_id>/review.md")
def export_review(session_id: int):
    """This coach's review of the session as Markdown (the working copy)."""
    session = _session_or_404(session_id)
    review = queries.review_of(current_user.id, session.id)
    if review is None:
        abort(404)
    body = exports.review_markdown(session, review, services.snapshot(review))
    return exports.download(body, "text/markdown; charset=utf-8", f"review-session-{session.id}.md")
