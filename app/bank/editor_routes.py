"""The bank editor for admins: questions, rubrics, round formats and loop plans.

Every save of a question or rubric makes a new version; nothing published is deleted.
Each change is audited by the service it calls.
"""

from __future__ import annotations

from functools import partial

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app import keyset, pagination
from app.access import require_role
from app.bank import archive, documents, formats, queries, questions, rubrics, stats, versions
from app.bank.errors import BankError, BankNotFound
from app.bank.forms.archive import ArchiveForm
from app.bank.forms.formats import FormatForm, LoopForm
from app.bank.forms.questions import QuestionForm
from app.bank.forms.rubrics import RubricForm, new_rubric_form
from app.clock import utcnow
from app.domain import codetests, item_stats
from app.models.bank import QuestionStatus
from app.models.users import Role

bp = Blueprint("bank_editor", __name__)

bp.before_request(require_role(Role.ADMIN.value))


def _page() -> int:
    """The requested ?page= of a list (see app.pagination)."""
    return pagination.page_number(request.args.get("page"))


def _per_page() -> int:
    """Rows per page of the editor's lists (the app's PER_PAGE)."""
    return current_app.config["PER_PAGE"]


def _form_page(template: str, form, problems: list[str] | None = None, **context):
    """Render an editor form; `problems` is None unless a save was refused (then 422)."""
    status = 200 if problems is None else 422
    return render_template(template, form=form, problems=problems, **context), status


def _refused(error: BankError, form) -> list[str]:
    """A refused save's messages: next to their fields, the rest for the page's summary."""
    return form.show_problems(error.problems) if error.problems else [str(error)]


def _save_args(form) -> dict:
    """Who saves, and the change note of a versioned edit (questions and rubrics)."""
    args = {"actor_id": current_user.id}
    if "change_note" in form:
        args["change_note"] = form.change_note.data
    return args


def _editor(form, template: str, save, done, *, fill=None, **context):
    """Every editor's flow (questions, rubrics, formats, loop plans), new or edit.

    A GET shows the form (filled from `fill()` when editing); a row action (add or remove
    a criterion, level, hint, step...) redraws it; a submit validates and calls
    `save(doc, actor_id=[, change_note=])`, then `done(result)` (flash and redirect). A
    refused save redraws the form with its problems (422).
    """
    problems = None
    if not form.is_submitted():
        if fill is not None:
            form.fill(fill())
    elif not form.row_action():
        problems = []
    if problems is not None and form.validate():
        try:
            result = save(form.to_doc(), **_save_args(form))
        except BankError as error:
            problems = _refused(error, form)
        else:
            return done(result)
    return _form_page(template, form, problems, **context)


def _saved_version(version, detail_url: str):
    """After an edit: which version it made (or that nothing changed), back to the detail."""
    message = f"Saved as version {version.number}." if version else "No changes to save."
    flash(message, "success" if version else "info")
    return redirect(detail_url)


# --- questions ---------------------------------------------------------------------------


@bp.get("/")
def index():
    """The bank editor starts at the question list."""
    return redirect(url_for(".questions"))


@bp.get("/questions", endpoint="questions")
def question_list():
    """Questions filtered by stage, skill, status and text, newest change first."""
    filters = {
        "stage": request.args.get("stage") or None,
        "skill": request.args.get("skill") or None,
        "status": request.args.get("status") or None,
        "text": (request.args.get("q") or "").strip()[:200] or None,
    }
    page = queries.search_questions(
        **filters,
        page=pagination.page_given(request.args.get("page")),
        per_page=_per_page(),
        after=pagination.row_id(request.args.get("after")),
        before=pagination.row_id(request.args.get("before")),
        count_cap=current_app.config.get("LIST_COUNT_CAP", keyset.COUNT_CAP),
    )
    return render_template(
        "bank/editor/questions.html",
        page=page,
        filters=filters,
        choices=queries.bank_choices(),
        statuses=[s.value for s in QuestionStatus],
    )


@bp.route("/questions/new", methods=["GET", "POST"])
def new_question():
    """Create a draft question."""
    form = QuestionForm()
    form.set_choices(queries.bank_choices())

    def created(question):
        flash(f"Draft '{question.key}' created. Preview it, then publish it.", "success")
        return redirect(url_for(".question_detail", question_id=question.id))

    return _editor(
        form,
        "bank/editor/question_form.html",
        partial(questions.create_question, now=utcnow()),
        created,
        question=None,
    )


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
def edit_question(question_id: int):
    """Edit a question; each save that changes something makes a new version."""
    question = queries.get_question(question_id) or abort(404)
    form = QuestionForm()
    form.set_choices(queries.bank_choices(), current_rubric=question.current_version.rubric.key)
    return _editor(
        form,
        "bank/editor/question_form.html",
        partial(questions.update_question, question.id, now=utcnow()),
        lambda version: _saved_version(
            version, url_for(".question_detail", question_id=question.id)
        ),
        fill=lambda: documents.question_doc(question),
        question=question,
    )


@bp.get("/questions/<int:question_id>")
def question_detail(question_id: int):
    """One question: status, actions and its version history with diffs."""
    question = queries.get_question(question_id) or abort(404)
    texts = [versions.version_text(question, v) for v in question.versions]
    overall, per_version = stats.question_statistics(question.id)
    return render_template(
        "bank/editor/question_detail.html",
        question=question,
        diffs=versions.version_diffs(texts),
        delete_blocker=questions.deletion_blocker(question),
        usage=overall,
        usage_by_version=per_version,
    )


@bp.get("/questions/<int:question_id>/preview")
def preview_question(question_id: int):
    """The question exactly as a candidate sees it (any version, any status)."""
    question = queries.get_question(question_id) or abort(404)
    number = request.args.get("version", type=int)
    version = next((v for v in question.versions if v.number == number), None)
    if number is not None and version is None:
        abort(404)
    version = version or question.current_version
    tests = codetests.load_tests(version.code_tests) if version.answer_kind == "code" else None
    return render_template(
        "bank/detail.html",
        question=question,
        version=version,
        rubric_version=version.rubric.current_version,
        preview=True,
        code_spec=codetests.candidate_view(tests) if tests else None,
    )


def _refuse(error: BankError) -> None:
    """A refused button action: 404 when the thing is gone, else a flash message."""
    if isinstance(error, BankNotFound):
        abort(404)
    flash(str(error), "error")


@bp.post("/questions/<int:question_id>/publish")
def publish_question(question_id: int):
    """Publish a question so rounds can draw it."""
    try:
        question = questions.publish_question(question_id, actor_id=current_user.id, now=utcnow())
    except BankError as error:
        _refuse(error)
    else:
        flash(f"'{question.key}' is published.", "success")
    return redirect(url_for(".question_detail", question_id=question_id))


@bp.post("/questions/<int:question_id>/archive")
def archive_question(question_id: int):
    """Archive a question: rounds stop drawing it; it is never deleted once published."""
    try:
        question = questions.archive_question(question_id, actor_id=current_user.id, now=utcnow())
    except BankError as error:
        _refuse(error)
    else:
        flash(f"'{question.key}' is archived.", "success")
    return redirect(url_for(".question_detail", question_id=question_id))


@bp.post("/questions/<int:question_id>/duplicate")
def duplicate_question(question_id: int):
    """Copy a question into a new draft and open it for editing."""
    try:
        copy = questions.duplicate_question(question_id, actor_id=current_user.id, now=utcnow())
    except BankError as error:
        _refuse(error)
        return redirect(url_for(".question_detail", question_id=question_id))
    flash(f"Copied into the draft '{copy.key}'. Change what you need and save.", "success")
    return redirect(url_for(".edit_question", question_id=copy.id))


@bp.post("/questions/<int:question_id>/delete")
def delete_question(question_id: int):
    """Delete a draft that was never published."""
    try:
        key = questions.delete_question(question_id, actor_id=current_user.id)
    except BankError as error:
        _refuse(error)
        return redirect(url_for(".question_detail", question_id=question_id))
    flash(f"Draft '{key}' deleted.", "success")
    return redirect(url_for(".questions"))


# --- rubrics -----------------------------------------------------------------------------


@bp.get("/rubrics", endpoint="rubrics")
def rubric_list():
    """Rubrics with how many published questions use each."""
    page, usage = queries.list_rubrics(page=_page(), per_page=_per_page())
    return render_template("bank/editor/rubrics.html", page=page, usage=usage)


@bp.route("/rubrics/new", methods=["GET", "POST"])
def new_rubric():
    """Create a rubric with its criteria and levels."""

    def created(rubric):
        flash(f"Rubric '{rubric.key}' created.", "success")
        return redirect(url_for(".rubric_detail", rubric_id=rubric.id))

    return _editor(
        new_rubric_form(),
        "bank/editor/rubric_form.html",
        partial(rubrics.create_rubric, now=utcnow()),
        created,
        rubric=None,
    )


@bp.route("/rubrics/<int:rubric_id>/edit", methods=["GET", "POST"])
def edit_rubric(rubric_id: int):
    """Edit a rubric's criteria and levels; each save that changes something is a version."""
    rubric = queries.get_rubric(rubric_id) or abort(404)
    return _editor(
        RubricForm(),
        "bank/editor/rubric_form.html",
        partial(rubrics.update_rubric, rubric.id),
        lambda version: _saved_version(version, url_for(".rubric_detail", rubric_id=rubric.id)),
        fill=lambda: documents.rubric_doc(rubric),
        rubric=rubric,
    )


@bp.get("/rubrics/<int:rubric_id>")
def rubric_detail(rubric_id: int):
    """One rubric: current criteria, who uses it, and its version history with diffs."""
    rubric = queries.get_rubric(rubric_id) or abort(404)
    texts = [versions.rubric_version_text(rubric, v) for v in rubric.versions]
    return render_template(
        "bank/editor/rubric_detail.html",
        rubric=rubric,
        diffs=versions.version_diffs(texts),
        used_by=queries.published_questions_using(rubric.id),
    )


@bp.post("/rubrics/<int:rubric_id>/archive")
def archive_rubric(rubric_id: int):
    """Archive a rubric that no published question uses."""
    try:
        rubric = rubrics.archive_rubric(rubric_id, actor_id=current_user.id)
    except BankError as error:
        _refuse(error)
    else:
        flash(f"Rubric '{rubric.key}' is archived.", "success")
    return redirect(url_for(".rubric_detail", rubric_id=rubric_id))


@bp.post("/rubrics/<int:rubric_id>/restore")
def restore_rubric(rubric_id: int):
    """Bring an archived rubric back."""
    try:
        rubric = rubrics.restore_rubric(rubric_id, actor_id=current_user.id)
    except BankError as error:
        _refuse(error)
    else:
        flash(f"Rubric '{rubric.key}' is back in use.", "success")
    return redirect(url_for(".rubric_detail", rubric_id=rubric_id))


@bp.post("/rubrics/<int:rubric_id>/delete")
def delete_rubric(rubric_id: int):
    """Delete a rubric nothing refers to."""
    try:
        key = rubrics.delete_rubric(rubric_id, actor_id=current_user.id)
    except BankError as error:
        _refuse(error)
        return redirect(url_for(".rubric_detail", rubric_id=rubric_id))
    flash(f"Rubric '{key}' deleted.", "success")
    return redirect(url_for(".rubrics"))


# --- round formats -----------------------------------------------------------------------


@bp.get("/formats", endpoint="formats")
def format_list():
    """Round formats in display order."""
    return render_template("bank/editor/formats.html", formats=queries.bank_choices()["formats"])


@bp.route("/formats/new", methods=["GET", "POST"])
@bp.route("/formats/<int:format_id>/edit", methods=["GET", "POST"])
def edit_format(format_id: int | None = None):
    """Create or edit a round format (length, questions, expiry policy)."""
    fmt = queries.get_format(format_id) if format_id else None
    if format_id and fmt is None:
        abort(404)
    form = FormatForm()
    form.set_choices(queries.bank_choices())

    def saved(fmt):
        flash(f"Round format '{fmt.key}' saved.", "success")
        return redirect(url_for(".formats"))

    return _editor(
        form,
        "bank/editor/format_form.html",
        partial(formats.save_format, format_id),
        saved,
        fill=(lambda: documents.format_doc(fmt)) if fmt else None,
        fmt=fmt,
    )


# --- loop plans --------------------------------------------------------------------------


@bp.get("/loops")
def loops():
    """Loop plans with their ordered rounds."""
    return render_template("bank/editor/loops.html", loops=queries.list_loops())


@bp.route("/loops/new", methods=["GET", "POST"])
@bp.route("/loops/<int:plan_id>/edit", methods=["GET", "POST"])
def edit_loop(plan_id: int | None = None):
    """Create or edit a loop plan and its steps (add/remove steps without JavaScript)."""
    plan = queries.get_loop(plan_id) if plan_id else None
    if plan_id and plan is None:
        abort(404)
    form = LoopForm()
    form.set_choices(queries.bank_choices()["formats"])

    def saved(plan):
        flash(f"Loop plan '{plan.key}' saved.", "success")
        return redirect(url_for(".loops"))

    return _editor(
        form,
        "bank/editor/loop_form.html",
        partial(formats.save_loop, plan_id),
        saved,
        fill=(lambda: documents.loop_doc(plan)) if plan else None,
        plan=plan,
    )


# --- item statistics ---------------------------------------------------------------------


@bp.get("/stats")
def item_statistics():
    """How each question plays in finished rounds: attempts, blanks, time, scores, flags."""
    filters = {
        "stage": request.args.get("stage") or None,
        "status": request.args.get("status") or None,
        "sort": request.args.get("sort") if request.args.get("sort") in stats.SORTS else "most",
    }
    page, by_question = stats.item_statistics(
        **filters,
        page=pagination.page_given(request.args.get("page")),
        per_page=current_app.config["ITEM_STATS_PER_PAGE"],
        after=pagination.row_id(request.args.get("after")),
        before=pagination.row_id(request.args.get("before")),
        count_cap=current_app.config.get("LIST_COUNT_CAP", keyset.COUNT_CAP),
    )
    return render_template(
        "bank/editor/stats.html",
        page=page,
        stats=by_question,
        filters=filters,
        sorts=stats.SORTS,
        choices=queries.bank_choices(),
        statuses=[s.value for s in QuestionStatus],
        thresholds=item_stats,
    )


# --- the bank as a ZIP -------------------------------------------------------------------


@bp.get("/archive")
def archive_page():
    """Export the bank as a ZIP, or import one (validated first, all or nothing)."""
    return render_template("bank/editor/archive.html", form=ArchiveForm(), problems=None)


@bp.get("/archive/question_bank.zip")
def archive_download():
    """The bank as a ZIP of its files (audited)."""
    data = archive.export_zip(
        like=current_app.config["QUESTION_BANK_DIR"], actor_id=current_user.id
    )
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f"attachment; filename={archive.EXPORT_NAME}"
    return response


@bp.post("/archive")
def archive_import():
    """Import an uploaded bank ZIP; any problem refuses the whole archive (422)."""
    request.max_content_length = archive.ZIP_MAX_BYTES + 64 * 1024
    form = ArchiveForm()
    problems: list = []
    if form.validate():
        upload = form.archive.data
        try:
            result = archive.import_zip(
                upload.read(archive.ZIP_MAX_BYTES + 1),
                upload.filename,
                actor_id=current_user.id,
                now=utcnow(),
            )
        except BankError as error:
            problems = [str(error), *(str(p) for p in error.problems)]
        else:
            flash(f"Imported {result.files} files: " + "; ".join(result.report.lines()), "success")
            return redirect(url_for(".archive_page"))
    return render_template("bank/editor/archive.html", form=form, problems=problems), 422
