"""The candidate's side of coaching: link coaches, choose what they see, read reviews.

Also the notification actions, which every signed-in user has.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import safe_next
from app.clock import utcnow
from app.coach import present, queries, services
from app.coach.forms import ButtonForm, InviteCodeForm, ShareSessionForm, SharingForm
from app.coach.selfscores import self_scores_for
from app.extensions import limiter
from app.pagination import page_number

bp = Blueprint("coaching", __name__)


def _link_limit() -> str:
    """How often one user may try an invite code (COACH_LINK_LIMIT)."""
    return current_app.config["COACH_LINK_LIMIT"]


def _link_key() -> str:
    return f"link:{current_user.get_id()}"


@bp.app_template_global()
def coach_sharing(session_id: int):
    """For the candidate's own session pages (round, report): can their coaches see it?"""
    if not current_user.is_authenticated:
        return None
    return queries.session_sharing(current_user.id, session_id)


def _index(code_form=None, status=200):
    pagination, reviews = queries.finished_sessions_of(
        current_user.id, page_number(request.args.get("page")), current_app.config["PER_PAGE"]
    )
    return (
        render_template(
            "coaching/index.html",
            links=queries.coaches_of(current_user.id),
            code_form=code_form or InviteCodeForm(),
            sharing_form=SharingForm(mode=current_user.coach_sharing),
            pagination=pagination,
            reviews=reviews,
            form=ButtonForm(),
        ),
        status,
    )


@bp.get("/")
def index():
    """Your coaches, what they can see, your sessions' sharing and your reviews."""
    return _index()


@bp.post("/link")
@limiter.limit(_link_limit, key_func=_link_key)
def link():
    """Link a coach by entering their invite code."""
    form = InviteCodeForm()
    if form.validate_on_submit():
        try:
            result = services.link_coach(
                current_user.id, form.code.data, now=utcnow(), ip=request.remote_addr
            )
        except services.CoachError as error:
            form.code.errors.append(str(error))
        else:
            _flash_linked(result)
            return redirect(url_for("coaching.index"))
    return _index(form, 422)


def _flash_linked(result: services.LinkResult) -> None:
    if result.created:
        flash(f"{result.coach.display_name} is now your coach.", "success")
    else:
        flash(f"{result.coach.display_name} is already your coach.", "info")


@bp.get("/join/<code>")
def join(code: str):
    """The invite link: shows whose link it is and asks to confirm (linking needs a POST)."""
    coach = services.coach_for_code(code)
    already = coach is not None and any(
        link.coach_id == coach.id for link in queries.coaches_of(current_user.id)
    )
    status = 200 if coach is not None else 404
    return render_template(
        "coaching/join.html", coach=coach, code=code, already=already, form=ButtonForm()
    ), status


@bp.post("/join/<code>")
@limiter.limit(_link_limit, key_func=_link_key)
def join_confirm(code: str):
    """Confirm the invite link: link the coach."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        result = services.link_coach(current_user.id, code, now=utcnow(), ip=request.remote_addr)
    except services.CoachError as error:
        flash(str(error), "error")
        return redirect(url_for("coaching.join", code=code))
    _flash_linked(result)
    return redirect(url_for("coaching.index"))


@bp.post("/coaches/<int:coach_id>/unlink")
def unlink(coach_id: int):
    """Unlink a coach; they lose access to your sessions at once."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        coach = services.unlink_coach(current_user.id, coach_id, ip=request.remote_addr)
    except services.NotFound:
        abort(404)
    flash(
        f"{coach.display_name} is no longer your coach and can no longer see your sessions.", "info"
    )
    return redirect(url_for("coaching.index"))


@bp.post("/sharing")
def sharing():
    """Choose whether coaches see all finished sessions or only the ones you share."""
    form = SharingForm()
    if form.validate_on_submit():
        services.set_sharing(current_user.id, form.mode.data)
        flash(
            "Your coaches now see all your finished sessions."
            if form.mode.data == "all"
            else "Your coaches now see only the sessions you share.",
            "success",
        )
        return redirect(url_for("coaching.index"))
    return _index(status=422)


@bp.post("/sessions/<int:session_id>/share")
def share_session(session_id: int):
    """Share one session with your coaches, or stop sharing it."""
    form = ShareSessionForm()
    if not form.validate_on_submit() or form.shared.data not in ("0", "1"):
        abort(422, "Choose to share the session or to stop sharing it.")
    try:
        session = services.set_session_shared(
            current_user.id, session_id, form.shared.data == "1", now=utcnow()
        )
    except services.NotFound:
        abort(404)
    flash(
        "Shared with your coaches." if session.shared_with_coaches else "No longer shared.",
        "success",
    )
    return redirect(safe_next(request.form.get("next"), "coaching.index"))


@bp.get("/reviews/<int:review_id>")
def review(review_id: int):
    """A coach's published review of your session, with calibration; older revisions too."""
    found = queries.published_review_for_candidate(current_user.id, review_id)
    if found is None:
        abort(404)
    number = request.args.get("revision", type=int) or found.published_revision
    revision = present.find_revision(found, number)
    if revision is None:
        abort(404)
    history = queries.reviewed_sessions(current_user.id)
    selfs = self_scores_for([r.session_id for r in history] + [found.session_id])
    view = present.session_log(
        found.session, selfs.get(found.session_id), found.published_at, revision.snapshot
    )
    return render_template(
        "coaching/review.html",
        review=found,
        revision=revision,
        view=view,
        trends=present.trends(history, selfs),
    )


@bp.post("/notifications/<int:notification_id>/open")
def open_notification(notification_id: int):
    """Mark a notification read and go where it points."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        item = services.mark_notification_read(current_user.id, notification_id, now=utcnow())
    except services.NotFound:
        abort(404)
    return redirect(safe_next(item.link))


@bp.post("/notifications/read")
def read_notifications():
    """Mark all your notifications read."""
    if ButtonForm().validate_on_submit():
        services.mark_all_notifications_read(current_user.id, now=utcnow())
        flash("Notifications marked as read.", "info")
    return redirect(safe_next(request.form.get("next")))
