"""Admin pages: the admin home, the Users page and the audit log."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app import keyset
from app.access import home_endpoint, require_role, safe_next
from app.accounts import extra_time
from app.accounts.forms import EXTRA_TIME_CHOICES, EmptyForm, ExtraTimeForm
from app.accounts.services import AccountError, UnknownUser
from app.admin import services
from app.admin.forms import RoleForm, UserSearchForm
from app.clock import utcnow
from app.learning import grading
from app.models.users import Role
from app.pagination import page_given, page_number, row_id
from app.security import no_store

bp = Blueprint("admin", __name__)

bp.before_request(require_role(Role.ADMIN.value))

BANK_EDITOR_ENDPOINT = "bank_editor.index"


@bp.get("/")
def index():
    """The admin home: links to every admin tool."""
    has_bank_editor = BANK_EDITOR_ENDPOINT in current_app.view_functions
    return render_template(
        "admin/index.html",
        bank_editor_endpoint=BANK_EDITOR_ENDPOINT if has_bank_editor else None,
    )


@bp.get("/users")
def users():
    """Every account, searchable by email or name, one page at a time."""
    search = UserSearchForm(request.args)
    page = services.search_users(
        search.q.data, page_number(request.args.get("page")), current_app.config["PER_PAGE"]
    )
    return render_template(
        "admin/users.html",
        search=search,
        page=page,
        role_form=RoleForm(),
        action_form=EmptyForm(),
        extra_time_choices=EXTRA_TIME_CHOICES,
    )


def _back_to_users():
    """Back to the Users page the admin came from (same search and page)."""
    return redirect(safe_next(request.form.get("back"), "admin.users"))


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    """Give a user another role."""
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose candidate, coach or admin.", "error")
        return _back_to_users()
    try:
        user = services.change_role(
            user_id, form.role.data, actor_id=current_user.id, ip=request.remote_addr
        )
    except UnknownUser:
        abort(404)
    except AccountError as error:
        flash(str(error), "error")
        return _back_to_users()
    flash(f"{user.email} is now {user.role}.", "success")
    if user.id == current_user.id and user.role != Role.ADMIN.value:
        return redirect(url_for(home_endpoint()))
    return _back_to_users()


@bp.post("/users/<int:user_id>/extra-time")
def set_extra_time(user_id: int):
    """Set a candidate's extra time (accommodations); audited."""
    form = ExtraTimeForm()
    if not form.validate_on_submit():
        flash(extra_time.REFUSED, "error")
        return _back_to_users()
    try:
        user = extra_time.set_time_multiplier(
            user_id,
            form.time_multiplier.data,
            actor_id=current_user.id,
            via="admin",
            ip=request.remote_addr,
        )
    except UnknownUser:
        abort(404)
    except AccountError as error:
        flash(str(error), "error")
        return _back_to_users()
    flash(f"{user.email} now has {user.time_multiplier:g}× round time.", "success")
    return _back_to_users()


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int):
    """Deactivate an account: it is signed out at once and cannot sign in."""
    return _set_active(user_id, active=False)


@bp.post("/users/<int:user_id>/reactivate")
def reactivate(user_id: int):
    """Let a deactivated account sign in again."""
    return _set_active(user_id, active=True)


def _set_active(user_id: int, *, active: bool):
    """Deactivate or reactivate, then back to the Users page."""
    try:
        user = services.set_active(
            user_id, active, now=utcnow(), actor_id=current_user.id, ip=request.remote_addr
        )
    except UnknownUser:
        abort(404)
    except AccountError as error:
        flash(str(error), "error")
        return _back_to_users()
    flash(f"{user.email} is {'active again' if active else 'deactivated'}.", "success")
    if user.id == current_user.id and not active:
        return redirect(url_for("accounts.login"))
    return _back_to_users()


@bp.get("/audit.csv")
def audit_csv():
    """The audit log (filtered like the page) as a CSV download, for review elsewhere."""
    action = request.args.get("action", "").strip()[:64] or None
    response = make_response(services.audit_csv(action))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    kind = "".join(c if c.isalnum() else "-" for c in action or "all")
    name = f"mockloop-audit-{kind}-{utcnow():%Y%m%d-%H%M}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return no_store(response)


@bp.get("/model-suggestions")
def model_suggestions():
    """What the optional model suggested, newest first (issue 13)."""
    page = grading.suggestions_page(
        page_number(request.args.get("page")), current_app.config["PER_PAGE"]
    )
    return render_template("admin/model_suggestions.html", page=page)


@bp.get("/model-suggestions/<int:suggestion_id>")
def model_suggestion(suggestion_id: int):
    """One suggestion with the prompt sent and the raw replies."""
    found = grading.suggestion(suggestion_id)
    if found is None:
        abort(404)
    return render_template("admin/model_suggestion.html", suggestion=found)


@bp.get("/audit")
def audit_log():
    """The audit log, newest first, filterable by action."""
    action = request.args.get("action", "").strip() or None
    page = services.audit_page(
        action,
        page_given(request.args.get("page")),
        current_app.config["PER_PAGE"],
        after=row_id(request.args.get("after")),
        before=row_id(request.args.get("before")),
        count_cap=current_app.config.get("LIST_COUNT_CAP", keyset.COUNT_CAP),
    )
    actor_ids = {event.actor_id for event in page.items if event.actor_id}
    return render_template(
        "admin/audit.html",
        page=page,
        action=action,
        actions=services.audit_actions(),
        emails=services.emails_by_id(actor_ids),
    )
