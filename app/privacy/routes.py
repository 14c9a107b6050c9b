"""Settings → Your data: download everything, or delete the account."""

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from app.access import sign_out
from app.accounts.services import AccountError
from app.clock import utcnow
from app.privacy import deletion, export
from app.privacy.forms import DeleteAccountForm

bp = Blueprint("privacy", __name__)


@bp.get("/")
def index():
    """What the download holds and what deleting removes."""
    return render_template(
        "privacy/index.html",
        form=DeleteAccountForm(),
        rounds=len(export.session_ids(current_user.id)),
    )


@bp.get("/export.zip")
def download():
    """The signed-in user's own data as a ZIP of JSON files, streamed as it is written."""
    now = utcnow()
    export.record_download(current_user.id, ip=request.remote_addr)
    chunks = export.zip_chunks(export.members(current_user.id, now), now)
    response = Response(stream_with_context(chunks), mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export.export_filename(now)}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/delete")
def delete():
    """Delete the account after checking the password; then signed out."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            deletion.delete_own_account(current_user.id, form.password.data)
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            sign_out()
            flash("Your account and your data are deleted. Goodbye.", "info")
            return redirect(url_for("accounts.login"))
    rounds = len(export.session_ids(current_user.id))
    return render_template("privacy/index.html", form=form, rounds=rounds), 422
