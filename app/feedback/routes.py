"""Progress pages."""

from flask import Blueprint, render_template


bp = Blueprint("feedback", __name__)


@bp.get("/")
def progress():
    """Progress (placeholder until this area is built)."""
    return render_template("placeholder.html", title="Progress")
