"""Coach dashboard pages."""

from flask import Blueprint, render_template

from app.access import require_role
from app.models.users import Role

bp = Blueprint("coach", __name__)

bp.before_request(require_role(Role.COACH.value))


@bp.get("/")
def dashboard():
    """Coach dashboard (placeholder until this area is built)."""
    return render_template("placeholder.html", title="Coach dashboard")
