"""Practice pages: start a round or a loop, the round page, autosave, submit, expiry."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf

from app import pagination
from app.clock import utcnow
from app.converters import accepts_json
from app.domain import timing
from app.errors import audit_refusal, render_csrf_error, render_error, wants_fragment
from app.extensions import db
from app.practice import answers, coderuns, drills, lifecycle, loops, queries, starting
from app.practice.errors import (
    AlreadyInLoop,
    AlreadyRunning,
    Conflict,
    InvalidWarning,
    NoQuestions,
    NotFound,
    NotYet,
    SaveRefused,
    StepNotOpen,
)
from app.practice.forms import (
    AnswerForm,
    DrillForm,
    EmptyForm,
    StartLoopForm,
    StartRoundForm,
    WarningForm,
)
from app.practice.views import (
    STATUS_LABELS,
    hint_payload,
    refusal_payload,
    round_context,
    save_payload,
    session_status,
)
from app.practice.wiring import weakness_for
from app.ratelimits import unlimited
from app.security import no_store
from app.typed import request_is_same_origin

bp = Blueprint("practice", __name__)


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    """Someone else's (or no) session: 404, never a hint that it exists."""
    return render_error(404)


ANSWER_EXPIRED = (
    "This page had expired, so your answer is not saved yet. It is back in the boxes "
    "below with a fresh form: press Save again."
)


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError):
    """A stale token on our own answer form: the round again, the typed text in its boxes.

    Only for a same-origin plain POST on a round still open for editing; the save itself
    waits for the candidate to press Save. Anything else gets the app's stale-token page.
    """
    audit_refusal("csrf.failed", reason=str(error.description)[:200])
    if request.endpoint == "practice.answer" and not wants_fragment() and request_is_same_origin():
        page = _answer_again(**request.view_args)
        if page is not None:
            return page
    return render_csrf_error()


def _answer_again(session_id: int, position: int):
    """The round page for `position` with the posted (unsaved) answer, or None if closed."""
    now = utcnow()
    try:
        page = queries.round_page(current_user.id, session_id, position, now=now)
    except NotFound:
        return None
    if not timing.editable_in_browser(page.session, now) or position >= len(page.items):
        return None
    form = AnswerForm()  # the posted fields, unvalidated; the page renders a fresh token
    context = round_context(page, now, current_user.timezone, form=form, problem=ANSWER_EXPIRED)
    return _page(render_template("practice/round.html", **context), 400)


@bp.app_template_filter("local_when")
def local_when(instant, zone: str | None = None) -> str:
    """An instant in the candidate's zone: "Mon 30 Nov, 21:15 CET"."""
    return timing.format_local(instant, zone) if instant else ""


@bp.app_template_filter("round_status")
def round_status(status: str) -> str:
    """A round's status in words: "Submitted automatically when time ran out"."""
    return STATUS_LABELS.get(status, status)


@bp.app_template_filter("duration_words")
def duration_words(seconds) -> str:
    """Seconds as "1 h 30 min"."""
    return timing.format_duration(seconds or 0)


def _json(payload: dict, status: int = 200):
    return no_store(make_response(jsonify(payload), status))


def _page(body: str, status: int = 200):
    return no_store(make_response(body, status))


@bp.get("/")
def index():
    """The start page: stages and their round formats, loop plans, open and recent rounds."""
    now = utcnow()
    view = queries.overview(current_user.id, now=now)
    return render_template(
        "practice/index.html",
        view=view,
        now=now,
        zone=current_user.timezone,
        start_form=StartRoundForm(),
        loop_form=StartLoopForm(),
    )


@bp.post("/rounds")
def start():
    """Start a round of the chosen format and go to its page."""
    form = StartRoundForm()
    if not form.validate_on_submit():
        flash("Pick a round format to start.", "error")
        return redirect(url_for("practice.index"))
    weakness = weakness_for(current_user.id)
    return _open_round(
        lambda: starting.start_round(
            current_user.id, form.format_id.data, now=utcnow(), weakness=weakness
        ),
        url_for("practice.index"),
    )


@bp.post("/drills")
def drill():
    """Practise this question: a single-question round, timed or untimed."""
    form = DrillForm()
    if not form.validate_on_submit():
        flash("Pick a question and whether to time it.", "error")
        return redirect(url_for("bank.index"))
    return _open_round(
        lambda: drills.start_drill(
            current_user.id, form.question.data, form.mode.data, now=utcnow()
        ),
        url_for("bank.index"),
    )


def _open_round(start, back_url: str, refused=(NoQuestions,)):
    """Start a round with `start()` and go to its page.

    Another round still running is a 409 page that links to it; a refusal in `refused`
    (no questions, loop step not open yet) is flashed on `back_url`.
    """
    try:
        session = start()
    except AlreadyRunning as refusal:
        return _page(render_template("practice/already_running.html", refusal=refusal), 409)
    except refused as refusal:
        flash(str(refusal), "error")
        return redirect(back_url)
    return redirect(url_for("practice.round_page", session_id=session.id))


@bp.get("/history")
def history():
    """Every round the candidate has taken, newest first."""
    page = db.paginate(
        queries.history_query(current_user.id),
        page=pagination.page_number(request.args.get("page")),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template("practice/history.html", page=page, zone=current_user.timezone)


@bp.get("/sessions/<int:session_id>")
@unlimited
def round_page(session_id: int):
    """The round: one question at a time, its answer field, countdown and progress."""
    now = utcnow()
    # no (or no whole number) q: the question the candidate was on
    position = request.args.get("q", type=int)
    page = queries.round_page(current_user.id, session_id, position, now=now)
    if page.finished:
        session = queries.round_view(current_user.id, session_id, now=now)
        return _page(render_template("practice/finished.html", session=session))
    context = round_context(page, now, current_user.timezone)
    return _page(render_template("practice/round.html", **context))


@bp.post("/sessions/<int:session_id>/questions/<int:position>")
def answer(session_id: int, position: int):
    """The answer form without JavaScript: save, then hint / switch / review, then redirect."""
    now, form = utcnow(), AnswerForm()
    problem, status = None, 422
    if form.validate_on_submit():
        try:
            answers.save_and_go(
                current_user.id,
                session_id,
                position,
                form.answer(),
                action=form.next_action(),
                goto=form.goto.data,
                now=now,
                **form.save_options(),
            )
        except SaveRefused as refusal:
            problem, status = str(refusal), refusal.status
        else:
            return _after_save(session_id, position, form, now)
    page = queries.round_page(current_user.id, session_id, position, now=now)
    context = round_context(page, now, current_user.timezone, form=form, problem=problem)
    return _page(render_template("practice/round.html", **context), status)


def _after_save(session_id: int, position: int, form: AnswerForm, now):
    if form.action.data == "review":
        return redirect(url_for("practice.confirm_submit", session_id=session_id))
    target = form.goto.data if form.goto.data is not None else position
    flash(f"Saved at {timing.local_time(now, current_user.timezone):%H:%M:%S}.", "success")
    return redirect(url_for("practice.round_page", session_id=session_id, q=target))


@bp.post("/sessions/<int:session_id>/questions/<int:position>/hints")
def hint(session_id: int, position: int):
    """Show the next hint in place, without reloading the page (JSON; issue 18)."""
    if not EmptyForm().validate_on_submit():
        return _json({"ok": False, "error": "invalid"}, 422)
    now = utcnow()
    try:
        shown = answers.reveal_hint(current_user.id, session_id, position, now=now)
    except SaveRefused as refusal:
        return _json(refusal_payload(refusal, now, current_user.timezone), refusal.status)
    return _json(hint_payload(shown, now, current_user.timezone))


@bp.post("/sessions/<int:session_id>/questions/<int:position>/autosave")
@unlimited
def autosave(session_id: int, position: int):
    """Autosave (fetch or beacon): JSON with the new revision and the seconds remaining.

    The everyday save never gets here: `app.practice.hotpath` answers it below Flask.
    This is every other case, with the user loaded by Flask-Login, the form's messages
    and the service's refusals. CSRFProtect has already checked the token (every POST,
    app-wide)."""
    now = utcnow()
    # the form's own CSRF field would only sign a fresh token nobody reads
    form = AnswerForm(meta={"csrf": False})
    if not form.validate_on_submit():
        return _json({"ok": False, "error": "invalid", "errors": form.error_messages()}, 422)
    user_id, zone = current_user.id, current_user.timezone  # before the commit
    try:
        result = answers.save_answer(
            user_id, session_id, position, form.answer(), now=now, **form.save_options()
        )
    except SaveRefused as refusal:
        return _json(refusal_payload(refusal, now, zone), refusal.status)
    return _json(save_payload(result, zone))


@bp.get("/sessions/<int:session_id>/status")
@unlimited
def status(session_id: int):
    """Seconds remaining and status, for re-syncing the countdown (JSON), with a fresh CSRF
    token: a page whose sign-in was renewed elsewhere keeps saving. A running round's is
    answered by `app.practice.hotpath`; a finished, overdue or unknown one here."""
    now = utcnow()
    session = lifecycle.get_session(current_user.id, session_id, now=now)
    payload = session_status(session, now, current_user.timezone)
    return _json({**payload, "csrf_token": generate_csrf()})


@bp.post("/sessions/<int:session_id>/warnings")
def warning(session_id: int):
    """Log that the page showed the 5- or 1-minute warning (JSON)."""
    form = WarningForm()
    if not form.validate_on_submit():
        return _json({"ok": False, "error": "invalid"}, 422)
    try:
        logged = answers.record_warning(
            current_user.id, session_id, form.seconds_left.data, now=utcnow()
        )
    except InvalidWarning as refusal:
        return _json({"ok": False, "error": "invalid", "message": str(refusal)}, 422)
    return _json({"ok": True, "logged": logged})


@bp.errorhandler(coderuns.RunRefused)
def run_refused(refusal: coderuns.RunRefused):
    """A run result or hidden-test request refused: JSON with the reason, nothing stored."""
    body = {"ok": False, "error": str(refusal), "errors": refusal.errors[:20]}
    return _json(body, refusal.status)


@bp.post("/sessions/<int:session_id>/questions/<int:position>/runs")
@accepts_json
def code_run(session_id: int, position: int):
    """Store a Run's result posted by the candidate's browser (JSON, CSRF header, capped)."""
    cap = current_app.config["CODE_RUN_MAX_BYTES"]
    if request.content_length is None or request.content_length > cap:
        return _json({"ok": False, "error": f"A run result is at most {cap:,} bytes."}, 413)
    payload = request.get_json(silent=True) if request.is_json else None
    result = coderuns.record_run(current_user.id, session_id, position, payload, now=utcnow())
    return _json({"ok": True, "stored": result.set, "passed": result.passed})


@bp.get("/sessions/<int:session_id>/questions/<int:position>/hidden-tests")
def hidden_tests(session_id: int, position: int):
    """A code question's hidden cases, for its owner, only once the round is over (JSON)."""
    spec = coderuns.hidden_spec(current_user.id, session_id, position, now=utcnow())
    return _json(spec)


@bp.get("/sessions/<int:session_id>/submit")
def confirm_submit(session_id: int):
    """Confirm submitting early, naming the questions left unanswered."""
    now = utcnow()
    session = queries.round_view(current_user.id, session_id, now=now)
    if session.is_finished:
        return redirect(url_for("learning.score", session_id=session.id))
    return _page(
        render_template(
            "practice/confirm_submit.html",
            session=session,
            unanswered=queries.unanswered(session),
            seconds_left=timing.seconds_remaining(session, now),
            form=EmptyForm(),
        )
    )


@bp.post("/sessions/<int:session_id>/submit")
def submit(session_id: int):
    """Submit the round (idempotent) and go on to self-scoring."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    now = utcnow()
    try:
        session = lifecycle.submit_round(current_user.id, session_id, now=now)
    except Conflict as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("practice.confirm_submit", session_id=session_id))
    run = loops.next_round_now(current_user.id, session, now=now)
    if run is not None:  # back to back: the next round is open now
        flash("Round submitted. Your next round is open: start it now; score later.", "success")
        return redirect(url_for("practice.loop_page", run_id=run.id))
    flash("Round submitted. Now score yourself against the rubric.", "success")
    # run=hidden: the scoring page runs the hidden tests of code answers in this browser
    run = "hidden" if coderuns.has_tests(current_user.id, session_id) else None
    return redirect(url_for("learning.score", session_id=session_id, run=run))


@bp.post("/sessions/<int:session_id>/expire")
def expire(session_id: int):
    """The countdown ran out on the page: finalise if time is really up (JSON)."""
    now = utcnow()
    try:
        session = lifecycle.expire_round(current_user.id, session_id, now=now)
    except NotYet:
        session = lifecycle.get_session(current_user.id, session_id, now=now)
        return _json({**session_status(session, now), "ok": False, "error": "not_yet"}, 409)
    return _json({**session_status(session, now, current_user.timezone), "ok": True})


@bp.post("/loops")
def start_loop():
    """Begin a mock loop and show where the candidate is in it."""
    form = StartLoopForm()
    if not form.validate_on_submit():
        flash("Pick a loop plan to start.", "error")
        return redirect(url_for("practice.index"))
    try:
        run = loops.start_loop(
            current_user.id, form.plan_id.data, now=utcnow(), pace=form.pace.data or "scheduled"
        )
    except AlreadyInLoop as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("practice.loop_page", run_id=refusal.run.id))
    return redirect(url_for("practice.loop_page", run_id=run.id))


@bp.get("/loops/<int:run_id>")
def loop_page(run_id: int):
    """A mock loop: its rounds in order, which are done, which is next and when it opens."""
    view = loops.loop_view(current_user.id, run_id, now=utcnow())
    return render_template("practice/loop.html", view=view, form=EmptyForm())


@bp.post("/loops/<int:run_id>/steps/<int:position>")
def start_loop_step(run_id: int, position: int):
    """Start the loop's next round when it is open."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    weakness = weakness_for(current_user.id)
    return _open_round(
        lambda: loops.start_loop_step(
            current_user.id, run_id, position, now=utcnow(), weakness=weakness
        ),
        url_for("practice.loop_page", run_id=run_id),
        refused=(StepNotOpen, NoQuestions),
    )


@bp.post("/loops/<int:run_id>/leave")
def leave_loop(run_id: int):
    """Leave a mock loop; rounds already taken keep their answers."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    loops.leave_loop(current_user.id, run_id, now=utcnow())
    flash("You left the loop. Its finished rounds stay in your history.", "info")
    return redirect(url_for("practice.index"))
