"""Account forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.accounts.passwords import MAX_LENGTH, MIN_LENGTH, password_problem


def strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[strip], validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField()
    submit = SubmitField("Sign in")


class RegisterForm(FlaskForm):
    email = EmailField(
        "Email", filters=[strip], validators=[DataRequired(), Email(), Length(max=254)]
    )
    display_name = StringField(
        "Display name", filters=[strip], validators=[DataRequired(), Length(max=80)]
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        description=f"{MIN_LENGTH} to {MAX_LENGTH} characters; a passphrase works well.",
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    submit = SubmitField("Create account")

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.email.data)
        if problem:
            from wtforms.validators import ValidationError

            raise ValidationError(problem)


class EmptyForm(FlaskForm):
    """Gives button-only POSTs their CSRF token."""

    submit = SubmitField("Submit")
