"""Sign-up, sign-in, sign-out, the home page and the dashboard."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.access import public, safe_next
from app.accounts import services
from app.accounts.forms import EmptyForm, LoginForm, RegisterForm

bp = Blueprint("accounts", __name__)


@bp.get("/")
@public
def home():
    """The public landing page."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.dashboard"))
    return render_template("accounts/home.html")


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    """Create a candidate account and sign in."""
    form = RegisterForm()
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
            session.clear()
            login_user(user)
            flash("Welcome to mockloop. Pick a stage to rehearse.", "success")
            return redirect(url_for("accounts.dashboard"))
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in with email and password."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data, ip=request.remote_addr)
        if result.ok:
            session.clear()
            login_user(result.user)
            return redirect(safe_next(form.next.data))
        form.password.errors.append("Email or password is not right.")
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 401


@bp.post("/logout")
@login_required
def logout():
    """Sign out of this browser."""
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


@bp.get("/dashboard")
def dashboard():
    """The signed-in home page: what to do next."""
    return render_template("accounts/dashboard.html", form=EmptyForm())


@bp.get("/settings")
def settings():
    """Account settings: password, devices, time zone."""
    return render_template("placeholder.html", title="Account settings")
