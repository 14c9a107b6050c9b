"""Progress pages."""

from flask import Blueprint, render_template

bp = Blueprint("feedback", __name__)


@bp.get("/")
def progress():
    """Progress (placeholder until this area is built)."""
    return render_template("placeholder.html", title="Progress")


@bp.get("/sessions/<int:session_id>/score")
def score(session_id: int):
    """Self-scoring of a finished session (placeholder until built)."""
    return render_template("placeholder.html", title="Score your round")


@bp.get("/sessions/<int:session_id>/report")
def report(session_id: int):
    """The feedback report of a session (placeholder until built)."""
    return render_template("placeholder.html", title="Report")
