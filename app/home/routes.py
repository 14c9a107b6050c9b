"""The public landing page and the signed-in dashboard, composed from the others' reads."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from app.access import DEFAULT_HOME, home_endpoint, public
from app.accounts.forms import EmptyForm
from app.bank import queries as bank_queries
from app.clock import utcnow
from app.coach.queries import recent_notifications
from app.learning import schedule as learning_schedule

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def landing():
    """The public landing page: what the product does, the funnel from the bank, two buttons."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint()))
    return render_template("home/landing.html", funnel=bank_queries.funnel())


@bp.get("/dashboard")
def dashboard():
    """The signed-in home page: what to do next. A coach's home is the coach overview."""
    if home_endpoint() != DEFAULT_HOME:
        return redirect(url_for(home_endpoint()))
    practise_next = learning_schedule.practise_next(current_user.id, utcnow())
    notifications, unread = recent_notifications(current_user.id)
    return render_template(
        "home/dashboard.html",
        form=EmptyForm(),
        practise_next=practise_next,
        notifications=notifications,
        unread=unread,
    )
