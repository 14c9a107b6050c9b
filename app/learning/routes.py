"""Self-scoring, reports and their exports, and the progress page."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app import pagination
from app.clock import utcnow
from app.domain import report as report_domain
from app.domain import report_formats
from app.errors import render_error
from app.learning import insights, loading, scoring
from app.learning import progress as progress_service
from app.learning import report as report_service
from app.learning.forms import scoring_form
from app.learning.wiring import coach_provider
from app.security import no_store

bp = Blueprint("learning", __name__)
bp.add_app_template_filter(report_formats.format_minutes, "feedback_duration")
bp.add_app_template_filter(report_domain.rounded, "feedback_points")

EXPORTS = {
    "md": ("text/markdown; charset=utf-8", report_formats.to_markdown),
    "csv": ("text/csv; charset=utf-8", report_formats.to_csv),
    "json": ("application/json", None),
}


def _matcher():
    """The insights matcher, its files under this app's instance folder."""
    return insights.matcher_in(current_app.instance_path)


@bp.errorhandler(loading.SessionNotFound)
def session_not_found(_error):
    """Another user's session, or none at all: 404 either way."""
    return render_error(404)


@bp.errorhandler(loading.SessionNotFinished)
def session_not_finished(error):
    """A round that is still running cannot be scored or reported yet."""
    round_url = url_for("practice.round_page", session_id=error.args[0])
    body = render_template("learning/not_finished.html", round_url=round_url)
    return body, 409


@bp.get("/")
def progress():
    """Progress: scores over time per skill area and stage, readiness, rounds, practise next."""
    page = pagination.page_number(request.args.get("page"))
    view = progress_service.progress(
        current_user.id, page, current_app.config["PER_PAGE"], utcnow()
    )
    return render_template(
        "learning/progress.html", view=view, chart_rounds=progress_service.CHART_ROUNDS
    )


@bp.route("/sessions/<int:session_id>/score", methods=["GET", "POST"])
def score(session_id: int):
    """Score a finished round criterion by criterion; Save keeps it, Finish opens the report."""
    now = utcnow()
    view = loading.scoring_view(session_id, current_user.id, now=now)
    if view.is_complete:
        flash("Scoring of this round is finished; here is your report.", "info")
        return redirect(url_for("learning.report", session_id=session_id))
    form = scoring_form(view)
    if form.validate_on_submit():
        levels, notes = form.entries()
        finish = bool(form.finish.data)
        try:
            scoring.save_scoring(
                session_id, current_user.id, levels, notes, form.reflection.data, now, finish
            )
        except scoring.ScoringError as error:
            form.form_errors.append(str(error))
        else:
            if finish:
                flash("Scoring finished. Here is your report.", "success")
                return redirect(url_for("learning.report", session_id=session_id))
            flash("Scores saved. You can finish scoring later.", "success")
            return redirect(url_for("learning.score", session_id=session_id))
    return _score_page(view, form, 422 if form.errors or form.form_errors else 200)


def _score_page(view, form, status: int):
    """The scoring page with what each answer mentions; `?run=hidden` (straight from
    submit) runs the hidden code tests at once."""
    autorun = request.args.get("run") == "hidden"
    mentions = insights.session_insights(view.session, _matcher())
    page = render_template(
        "learning/score.html", view=view, form=form, insights=mentions, autorun_hidden=autorun
    )
    return no_store(make_response(page, status))


@bp.post("/sessions/<int:session_id>/score/autosave")
def autosave(session_id: int):
    """htmx: save the scoring form as it changes; answers with the save-status fragment."""
    now = utcnow()
    view = loading.scoring_view(session_id, current_user.id, now=now)
    form = scoring_form(view)
    errors: list[str] = []
    if form.validate_on_submit():
        levels, notes = form.entries()
        try:
            scoring.save_scoring(
                session_id, current_user.id, levels, notes, form.reflection.data, now
            )
        except scoring.ScoringLocked as error:
            return render_template("learning/_save_status.html", errors=[str(error)]), 409
        except scoring.ScoringError as error:
            errors.append(str(error))
    else:
        errors = [
            f"{form[name].label.text}: {' '.join(errs)}" for name, errs in form.errors.items()
        ]
    if errors:
        return render_template("learning/_save_status.html", errors=errors), 422
    return render_template("learning/_save_status.html", saved_at=now)


@bp.get("/sessions/<int:session_id>/report")
def report(session_id: int):
    """The feedback report of a scored round (printable, never cached)."""
    try:
        result = report_service.report_for_owner(
            session_id, current_user.id, now=utcnow(), coach=coach_provider(), matcher=_matcher()
        )
    except report_service.ReportNotReady:
        flash("Finish scoring this round to see its report.", "info")
        return redirect(url_for("learning.score", session_id=session_id))
    body = render_template(
        "learning/report.html",
        report=result.report,
        coach_review=result.coach_section,
        drills=result.drills,
    )
    return no_store(make_response(body))


@bp.get("/sessions/<int:session_id>/report.<fmt>")
def export(session_id: int, fmt: str):
    """Download the report as Markdown, JSON or CSV."""
    if fmt not in EXPORTS:
        abort(404)
    try:
        result = report_service.report_for_owner(
            session_id, current_user.id, now=utcnow(), coach=coach_provider(), matcher=_matcher()
        ).report
    except report_service.ReportNotReady:
        flash("Finish scoring this round to export its report.", "info")
        return redirect(url_for("learning.score", session_id=session_id))
    content_type, render = EXPORTS[fmt]
    body = render(result) if render else report_service.report_json(result)
    response = make_response(body)
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{report_service.export_filename(result, fmt)}"'
    )
    return no_store(response)
