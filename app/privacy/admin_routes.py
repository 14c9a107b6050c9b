"""Admin → Users → Delete…: an admin deletes someone's account (admins only)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import require_role
from app.accounts.services import AccountError, user_by_id
from app.models.users import Role
from app.privacy import deletion
from app.privacy.forms import DeleteAccountForm

bp = Blueprint("privacy_admin", __name__)

bp.before_request(require_role(Role.ADMIN.value))


@bp.route("/<int:user_id>/delete", methods=["GET", "POST"])
def delete_user(user_id: int):
    """Delete someone's account (what goes is listed; the admin's password confirms)."""
    user = user_by_id(user_id)
    if user is None or user.is_deleted:
        abort(404)
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            deletion.delete_account_as_admin(
                user_id, current_user.id, form.password.data, ip=request.remote_addr
            )
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            if user_id == current_user.id:
                return redirect(url_for("accounts.login"))
            flash("The account and its data are deleted.", "success")
            return redirect(url_for("admin.users"))
    status = 422 if form.errors else 200
    return render_template("admin/delete_user.html", user=user, form=form), status
