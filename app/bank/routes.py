"""Question bank pages for candidates: browse published questions and read one."""

from flask import Blueprint, abort, render_template, request

from app.bank import services

bp = Blueprint("bank", __name__)


@bp.get("/")
def index():
    """Published questions by stage and skill area, paginated."""
    filters = {
        "stage": request.args.get("stage") or None,
        "skill": request.args.get("skill") or None,
    }
    page = services.browse_published(**filters, page=request.args.get("page", 1, type=int) or 1)
    choices = services.bank_choices()
    return render_template(
        "bank/index.html",
        page=page,
        filters=filters,
        stages=choices["stages"],
        skills=choices["skills"],
    )


@bp.get("/<key>")
def detail(key: str):
    """One published question: its prompt and the rubric it is scored with."""
    question = services.published_question(key) or abort(404)
    version = question.current_version
    return render_template(
        "bank/detail.html",
        question=question,
        version=version,
        rubric_version=version.rubric.current_version,
        preview=False,
    )
