"""Account forms."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from app.accounts import extra_time
from app.accounts.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from app.accounts.services import MY_PROJECTS_TOO_LONG, time_zone_names
from app.domain import timing
from app.models.users import DISPLAY_NAME_MAX, EMAIL_MAX, MY_PROJECTS_MAX
from app.theme import CHOICES as THEME_CHOICES


def strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[strip], validators=[DataRequired(), Length(max=EMAIL_MAX)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField()
    submit = SubmitField("Sign in")


class RegisterForm(FlaskForm):
    email = EmailField(
        "Email", filters=[strip], validators=[DataRequired(), Email(), Length(max=EMAIL_MAX)]
    )
    display_name = StringField(
        "Display name", filters=[strip], validators=[DataRequired(), Length(max=DISPLAY_NAME_MAX)]
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        description=f"{MIN_LENGTH} to {MAX_LENGTH} characters; a passphrase works well.",
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    next = HiddenField()  # where to go once signed up (e.g. a coach's invite link)
    submit = SubmitField("Create account")

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.email.data)
        if problem:
            raise ValidationError(problem)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        description=f"{MIN_LENGTH} to {MAX_LENGTH} characters; a passphrase works well.",
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", "Passwords differ.")],
    )
    submit = SubmitField("Change password")


class ThemeForm(FlaskForm):
    theme = RadioField(
        "Colours",
        choices=[SelectChoice(value, label) for value, label in THEME_CHOICES],
        validators=[InputRequired()],
    )
    submit = SubmitField("Save colours")


class TimeZoneForm(FlaskForm):
    timezone = SelectField(
        "Time zone",
        validate_choice=False,
        description="Take-home deadlines and loop schedules are shown in this time zone.",
    )
    submit = SubmitField("Save time zone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = list(time_zone_names())

    def validate_timezone(self, field):
        if field.data not in time_zone_names():
            raise ValidationError("Choose a time zone from the list, such as Europe/Berlin.")


class MyProjectsForm(FlaskForm):
    my_projects = TextAreaField(
        "My projects",
        filters=[strip],
        validators=[Length(max=MY_PROJECTS_MAX, message=MY_PROJECTS_TOO_LONG)],
        description=(
            "A few lines on projects you have shipped (plain text). Recruiter-screen questions "
            "about your résumé show it above the question, so you answer about your own work."
        ),
    )
    submit = SubmitField("Save my projects")


class EmptyForm(FlaskForm):
    """Gives button-only POSTs their CSRF token."""

    submit = SubmitField("Submit")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email", filters=[strip], validators=[DataRequired(), Email(), Length(max=254)]
    )
    submit = SubmitField("Email me a link")


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        description=f"{MIN_LENGTH} to {MAX_LENGTH} characters; a passphrase works well.",
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
    )
    submit = SubmitField("Set new password")


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        "New email address", filters=[strip], validators=[DataRequired(), Email(), Length(max=254)]
    )
    password = PasswordField(
        "Your password, to confirm it is you", validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    submit = SubmitField("Send confirmation")


class NotificationEmailsForm(FlaskForm):
    email_notifications = BooleanField(
        "Email me when a coach publishes a review or a candidate shares a round with me"
    )
    submit = SubmitField("Save email choice")


# (value, label) for the extra-time select: "1.25× (+25 %)"
EXTRA_TIME_CHOICES = [
    (f"{m:g}", f"{m:g}× ({'none' if m == 1 else f'+{round((m - 1) * 100)} %'})")
    for m in timing.TIME_MULTIPLIERS
]


def _multiplier(form, field):
    if timing.allowed_multiplier(field.data) is None:
        raise ValidationError(extra_time.REFUSED)


class ExtraTimeForm(FlaskForm):
    """An admin's or linked coach's extra-time setting for a candidate."""

    time_multiplier = StringField(
        "Extra time", validators=[DataRequired(extra_time.REFUSED), Length(max=10), _multiplier]
    )
    submit = SubmitField("Set extra time")
