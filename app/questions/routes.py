"""Question bank pages."""

from flask import Blueprint, render_template

bp = Blueprint("questions", __name__)


@bp.get("/")
def index():
    """Question bank (placeholder until this area is built)."""
    return render_template("placeholder.html", title="Question bank")
