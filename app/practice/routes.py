"""Practice pages."""

from flask import Blueprint, render_template

bp = Blueprint("practice", __name__)


@bp.get("/")
def index():
    """Practice (placeholder until this area is built)."""
    return render_template("placeholder.html", title="Practice")
