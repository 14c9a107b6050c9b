"""Forms of the data page."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from app.accounts.passwords import MAX_LENGTH


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        "Your password, to confirm", validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    submit = SubmitField("Delete my account")
