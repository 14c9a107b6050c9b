"""Sign-up, sign-in, sign-out and settings."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from app.access import current_sign_in_key, public, renew_sign_in, safe_next, sign_in, sign_out
from app.accounts import limits, services, signins
from app.accounts.forms import (
    ChangePasswordForm,
    EmptyForm,
    LoginForm,
    RegisterForm,
    TimeZoneForm,
)
from app.accounts.loader import lifetimes
from app.clock import utcnow

bp = Blueprint("accounts", __name__)


def _start_sign_in(user, now) -> None:
    """Record the sign-in on the server and give this browser its key."""
    key = signins.start(
        user.id, ip=request.remote_addr, user_agent=request.user_agent.string, now=now
    )
    sign_in(user, key)


@bp.route("/register", methods=["GET", "POST"])
@public
@limits.sign_up_limit
def register():
    """Create a candidate account and sign in (then go on to `next`, e.g. an invite link)."""
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.register(
                form.email.data,
                form.display_name.data,
                form.password.data,
                ip=request.remote_addr,
            )
        except services.AccountError as error:
            getattr(form, error.field or "email").errors.append(str(error))
        else:
            _start_sign_in(user, utcnow())
            flash("Welcome to mockloop. Pick a stage to rehearse.", "success")
            return redirect(safe_next(form.next.data))
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@public
@limits.sign_in_limits
def login():
    """Sign in with email and password."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        now = utcnow()
        result = services.authenticate(
            form.email.data, form.password.data, now=now, ip=request.remote_addr
        )
        if result.ok:
            _start_sign_in(result.user, now)
            return redirect(safe_next(form.next.data))
        form.password.errors.append("Email or password is not right.")
    status = 401 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out of this browser: the sign-in ends on the server, so copies of the cookie too."""
    services.sign_out(current_user.id, current_sign_in_key(), now=utcnow(), ip=request.remote_addr)
    sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


def _settings_page(password_form=None, timezone_form=None, status: int = 200):
    """The settings page with the given forms (re-rendered with their errors)."""
    timezone_form = timezone_form or TimeZoneForm(timezone=current_user.timezone)
    return render_template(
        "accounts/settings.html",
        password_form=password_form or ChangePasswordForm(),
        timezone_form=timezone_form,
        devices_form=EmptyForm(),
        devices=signins.active(current_user.id, now=utcnow(), limits=lifetimes(current_app.config)),
        this_device=current_sign_in_key(),
    ), status


@bp.get("/settings")
def settings():
    """Account settings: password, devices, time zone."""
    return _settings_page()


@bp.post("/settings/password")
def change_password():
    """Change the password; other devices are signed out, this browser stays in."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = services.change_password(
                current_user.id,
                form.current_password.data,
                form.new_password.data,
                keep_key=current_sign_in_key(),
                now=utcnow(),
                ip=request.remote_addr,
            )
        except services.AccountError as error:
            getattr(form, error.field or "new_password").errors.append(str(error))
        else:
            renew_sign_in(user)
            flash("Password changed. Every other device has been signed out.", "success")
            return redirect(url_for("accounts.settings"))
    return _settings_page(password_form=form, status=422)


@bp.post("/settings/sign-out-everywhere")
def sign_out_everywhere():
    """Sign out every other device (this browser gets the new token and stays in)."""
    user = services.sign_out_everywhere(
        current_user.id, keep_key=current_sign_in_key(), now=utcnow(), ip=request.remote_addr
    )
    renew_sign_in(user)
    message = "Every other device has been signed out."
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        return render_template("accounts/_devices_status.html", message=message)
    flash(message, "success")
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/devices/<int:sign_in_id>/sign-out")
def sign_out_device(sign_in_id: int):
    """Sign out one of your own signed-in devices (someone else's is 404)."""
    if not signins.end_one(current_user.id, sign_in_id, now=utcnow()):
        abort(404)
    flash("That device has been signed out.", "success")
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/timezone")
def set_time_zone():
    """Choose the time zone deadlines and schedules are shown in."""
    form = TimeZoneForm()
    if form.validate_on_submit():
        services.set_time_zone(current_user.id, form.timezone.data)
        flash(f"Time zone set to {form.timezone.data}.", "success")
        return redirect(url_for("accounts.settings"))
    return _settings_page(timezone_form=form, status=422)
