"""Question bank pages for candidates: browse published questions and read one."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from app import keyset, pagination
from app.bank import queries
from app.bank import search as bank_search

bp = Blueprint("bank", __name__)


@bp.get("/")
def index():
    """Published questions by stage and skill area, paginated."""
    filters = {
        "stage": request.args.get("stage") or None,
        "skill": request.args.get("skill") or None,
    }
    choices = queries.browse_choices()
    page = queries.browse_published(
        **filters,
        page=pagination.page_given(request.args.get("page")),
        per_page=current_app.config["PER_PAGE"],
        after=request.args.get("after"),
        before=request.args.get("before"),
        funnel=choices["stages"],
        count_cap=current_app.config.get("LIST_COUNT_CAP", keyset.COUNT_CAP),
    )
    return render_template(
        "bank/index.html",
        page=page,
        filters=filters,
        stages=choices["stages"],
        skills=choices["skills"],
    )


@bp.get("/search")
def search():
    """Full-text search of the published bank (ranked), within the stage/skill filters."""
    query = (request.args.get("q") or "")[: bank_search.QUERY_MAX]
    filters = {
        "stage": request.args.get("stage") or None,
        "skill": request.args.get("skill") or None,
    }
    number, per_page = (
        pagination.page_number(request.args.get("page")),
        current_app.config["PER_PAGE"],
    )
    choices = queries.browse_choices()
    page = bank_search.search_published(query, **filters, page=number, per_page=per_page)
    if page is None:  # nothing to search for: the plain list
        page = queries.browse_published(
            **filters,
            page=number,
            per_page=per_page,
            funnel=choices["stages"],
            count_cap=current_app.config.get("LIST_COUNT_CAP", keyset.COUNT_CAP),
        )
    return render_template(
        "bank/index.html",
        page=page,
        filters=filters,
        query=query,
        stages=choices["stages"],
        skills=choices["skills"],
    )


@bp.get("/<key>")
def detail(key: str):
    """One published question: its prompt and the rubric it is scored with."""
    question = queries.published_question(key) or abort(404)
    version = question.current_version
    return render_template(
        "bank/detail.html",
        question=question,
        version=version,
        rubric_version=version.rubric.current_version,
        preview=False,
        attempted=queries.has_attempted(current_user.id, question.id),
    )
