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

from app import mailer, theme
from app.access import current_sign_in_key, public, renew_sign_in, safe_next, sign_in, sign_out
from app.accounts import limits, recovery, services, signins, signup
from app.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    EmptyForm,
    ForgotPasswordForm,
    LoginForm,
    MyProjectsForm,
    NotificationEmailsForm,
    RegisterForm,
    ResetPasswordForm,
    ThemeForm,
    TimeZoneForm,
)
from app.accounts.loader import lifetimes
from app.clock import utcnow
from app.extensions import limiter
from app.models.users import normalise_email

bp = Blueprint("accounts", __name__)


def _start_sign_in(user, now) -> None:
    """Record the sign-in on the server and give this browser its key."""
    key = signins.start(
        user.id,
        ip=request.remote_addr,
        user_agent=request.user_agent.string,
        now=now,
        browser_theme=theme.browser_choice(request),
    )
    sign_in(user, key)


def _sign_up_address_key() -> str:
    """Rate-limit key for sign-up emails: the address typed, normalised."""
    return "signup:" + normalise_email(request.form.get("email", ""))[:254]


@bp.route("/register", methods=["GET", "POST"])
@public
@limits.sign_up_limit
@limiter.limit(
    lambda: current_app.config["SIGNUP_LIMIT_PER_ADDRESS"],
    key_func=_sign_up_address_key,
    methods=["POST"],
    scope="signup-address",
)
def register():
    """Sign up: "check your inbox" for a new and an existing address alike (one email each)."""
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            mail = signup.request_sign_up(
                form.email.data,
                form.display_name.data,
                form.password.data,
                next_url=form.next.data,
                now=utcnow(),
                max_age=current_app.config["EMAIL_CONFIRM_MAX_AGE"],
                ip=request.remote_addr,
            )
        except services.AccountError as error:
            getattr(form, error.field or "email").errors.append(str(error))
        else:
            if _send_sign_up(mail):
                return render_template("accounts/sign_up_sent.html", email=mail.email)
            form.email.errors.append(mailer.SEND_FAILED)
            return render_template("accounts/register.html", form=form), 503
    status = 422 if form.errors else 200
    return render_template("accounts/register.html", form=form), status


def _send_sign_up(mail: signup.SignUpMail) -> bool:
    """The sign-up's one email: the link to finish, or "someone tried" to an account's owner."""
    hours = current_app.config["EMAIL_CONFIRM_MAX_AGE"] // 3600
    context = dict(name=mail.name, email=mail.email, hours=hours)
    if mail.token:
        context["link"] = mailer.external_url("accounts.finish_sign_up", token=mail.token)
    else:
        context["sign_in"] = mailer.external_url("accounts.login")
        context["reset"] = mailer.external_url("accounts.forgot_password")
    return mailer.send(mail.email, mail.template, **context)


@bp.route("/register/finish/<token>", methods=["GET", "POST"])
@public
def finish_sign_up(token: str):
    """Make the account from the emailed link and sign in (a click: nothing changes on GET)."""
    now = utcnow()
    try:
        pending = signup.pending(token, now=now)
    except recovery.LinkProblem as problem:
        return render_template("accounts/link_problem.html", problem=str(problem)), 410
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            user, next_url = signup.finish_sign_up(token, now=now, ip=request.remote_addr)
        except recovery.LinkProblem as problem:
            return render_template("accounts/link_problem.html", problem=str(problem)), 410
        _start_sign_in(user, now)
        flash("Welcome to mockloop. Pick a stage to rehearse.", "success")
        return redirect(safe_next(next_url or ""))
    return render_template("accounts/finish_sign_up.html", form=form, email=pending.email)


def _send_verification(user_id: int) -> None:
    """Email the link that confirms the user's address (after the commit); flash the outcome."""
    request_ = recovery.verification_for(user_id)
    if request_ is None:
        return
    link = mailer.external_url("accounts.verify_email", token=request_.token)
    if mailer.send(
        request_.email, "verify_email", name=request_.name, email=request_.email, link=link
    ):
        flash(f"We sent a link to {request_.email} to confirm your address.", "info")
    else:
        flash(mailer.SEND_FAILED + " (Settings has a button to send it again.)", "error")


def _reset_address_key() -> str:
    """Rate-limit key for reset requests: the address typed, normalised."""
    return "reset:" + normalise_email(request.form.get("email", ""))


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


def _settings_page(
    password_form=None,
    timezone_form=None,
    email_form=None,
    projects_form=None,
    status: int = 200,
    theme_form=None,
):
    """The settings page with the given forms (re-rendered with their errors)."""
    timezone_form = timezone_form or TimeZoneForm(timezone=current_user.timezone)
    return render_template(
        "accounts/settings.html",
        projects_form=projects_form or MyProjectsForm(my_projects=current_user.my_projects),
        theme_form=theme_form or ThemeForm(theme=theme.chosen(request)),
        password_form=password_form or ChangePasswordForm(),
        timezone_form=timezone_form,
        email_form=email_form or ChangeEmailForm(),
        notifications_form=NotificationEmailsForm(
            email_notifications=current_user.email_notifications
        ),
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


@bp.post("/settings/projects")
def set_my_projects():
    """Save the "My projects" text résumé questions show above the prompt."""
    form = MyProjectsForm()
    if form.validate_on_submit():
        try:
            services.set_my_projects(current_user.id, form.my_projects.data)
        except services.AccountError as error:
            form.my_projects.errors.append(str(error))
        else:
            flash("My projects saved.", "success")
            return redirect(url_for("accounts.settings"))
    return _settings_page(projects_form=form, status=422)


@bp.post("/settings/theme")
def set_theme():
    """Light, dark or as the system (issue 18): kept with the account (every browser it
    signs in from) and in this browser's cookie (its signed-out pages)."""
    form = ThemeForm()
    if not form.validate_on_submit():
        return _settings_page(theme_form=form, status=422)
    services.set_theme(current_user.id, form.theme.data)
    flash("Colours saved for your account.", "success")
    response = redirect(url_for("accounts.settings"))
    secure = current_app.config.get("SESSION_COOKIE_SECURE", False)
    response.set_cookie(
        theme.COOKIE,
        form.theme.data,
        max_age=theme.MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )
    return response


@bp.post("/settings/timezone")
def set_time_zone():
    """Choose the time zone deadlines and schedules are shown in."""
    form = TimeZoneForm()
    if form.validate_on_submit():
        services.set_time_zone(current_user.id, form.timezone.data)
        flash(f"Time zone set to {form.timezone.data}.", "success")
        return redirect(url_for("accounts.settings"))
    return _settings_page(timezone_form=form, status=422)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_IP"], methods=["POST"], scope="reset-ip"
)
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_ADDRESS"],
    key_func=_reset_address_key,
    methods=["POST"],
    scope="reset-address",
)
def forgot_password():
    """Email a reset link; the page says the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        reset = recovery.request_password_reset(form.email.data, ip=request.remote_addr)
        minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
        context = dict(name=reset.name, email=reset.email, minutes=minutes)
        if reset.token:
            context["link"] = mailer.external_url("accounts.reset_password", token=reset.token)
        else:
            context["sign_up"] = mailer.external_url("accounts.register")
        if not mailer.send(reset.email, reset.template, **context):
            form.email.errors.append(mailer.SEND_FAILED)
            return render_template("accounts/forgot_password.html", form=form), 503
        return render_template("accounts/forgot_password_sent.html", email=form.email.data)
    status = 422 if form.errors else 200
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a new password from an emailed link (single use, 1 hour)."""
    try:
        user = recovery.user_for_reset(token)
    except recovery.LinkProblem as problem:
        return render_template("accounts/link_problem.html", problem=str(problem)), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            recovery.reset_password(token, form.password.data, ip=request.remote_addr)
        except recovery.LinkProblem as problem:
            return render_template("accounts/link_problem.html", problem=str(problem)), 410
        except services.AccountError as error:
            form.password.errors.append(str(error))
        else:
            sign_out()
            flash(
                "Your password is set. Sign in with it; every other session was ended.", "success"
            )
            return redirect(url_for("accounts.login"))
    status = 422 if form.errors else 200
    return render_template("accounts/reset_password.html", form=form, email=user.email), status


@bp.route("/verify/<token>", methods=["GET", "POST"])
@public
def verify_email(token: str):
    """Confirm the account's address: the page asks for a click (no change on GET)."""
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            recovery.verify_email(token)
        except recovery.LinkProblem as problem:
            return render_template("accounts/link_problem.html", problem=str(problem)), 410
        flash("Your email address is confirmed.", "success")
        target = "accounts.settings" if current_user.is_authenticated else "accounts.login"
        return redirect(url_for(target))
    return render_template("accounts/confirm_link.html", form=form, purpose="verify")


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_email_change(token: str):
    """Move the account to the new address the link was sent to (a click, no change on GET)."""
    form = EmptyForm()
    if form.validate_on_submit():
        signed_in_id = current_user.id if current_user.is_authenticated else None  # before rotation
        try:
            # this browser's sign-in stays if it is this user's (another user's is untouched)
            user = recovery.confirm_email_change(token, keep_key=current_sign_in_key())
        except recovery.LinkProblem as problem:
            return render_template("accounts/link_problem.html", problem=str(problem)), 410
        if signed_in_id == user.id:
            renew_sign_in(user)
        flash(f"Your address is now {user.email}. Other sessions were ended.", "success")
        target = "accounts.settings" if current_user.is_authenticated else "accounts.login"
        return redirect(url_for(target))
    return render_template("accounts/confirm_link.html", form=form, purpose="change")


def _account_key() -> str:
    """Rate-limit key for the signed-in account (emails it can make us send)."""
    return f"mail:{current_user.id}"


@bp.post("/settings/verify")
@limiter.shared_limit(
    lambda: current_app.config["ACCOUNT_EMAIL_LIMIT"], scope="account-mail", key_func=_account_key
)
def resend_verification():
    """Send the address-confirmation link again."""
    _send_verification(current_user.id)
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/email")
@limiter.shared_limit(
    lambda: current_app.config["ACCOUNT_EMAIL_LIMIT"], scope="account-mail", key_func=_account_key
)
def change_email():
    """Ask to move the account to a new address; a link goes to that address."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            pending = recovery.request_email_change(
                current_user.id, form.password.data, form.email.data, ip=request.remote_addr
            )
        except services.AccountError as error:
            getattr(form, error.field or "email").errors.append(str(error))
        else:
            link = mailer.external_url("accounts.confirm_email_change", token=pending.token)
            context = dict(name=pending.name, email=pending.email, link=link)
            if mailer.send(pending.email, "confirm_new_email", **context):
                flash(f"We sent a link to {pending.email}; open it to confirm.", "info")
            else:
                flash(mailer.SEND_FAILED, "error")
            return redirect(url_for("accounts.settings"))
    return _settings_page(email_form=form, status=422)


@bp.post("/settings/notifications")
def set_notification_emails():
    """Turn notification emails on or off (on needs a confirmed address)."""
    form = NotificationEmailsForm()
    if form.validate_on_submit():
        try:
            recovery.set_email_notifications(current_user.id, form.email_notifications.data)
        except services.AccountError as error:
            flash(str(error), "error")
        else:
            state = "on" if form.email_notifications.data else "off"
            flash(f"Notification emails are {state}.", "success")
    return redirect(url_for("accounts.settings"))


@bp.route("/email/unsubscribe/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token: str):
    """Turn notification emails off from the link in one (a click, no change on GET)."""
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            recovery.unsubscribe(token)
        except recovery.LinkProblem as problem:
            return render_template("accounts/link_problem.html", problem=str(problem)), 410
        return render_template("accounts/unsubscribed.html")
    return render_template("accounts/confirm_link.html", form=form, purpose="unsubscribe")
