"""Admin pages."""

from flask import Blueprint, render_template

from app.access import require_role
from app.models.users import Role

bp = Blueprint("admin", __name__)

bp.before_request(require_role(Role.ADMIN.value))


@bp.get("/")
def index():
    """Admin (placeholder until this area is built)."""
    return render_template("placeholder.html", title="Admin")
