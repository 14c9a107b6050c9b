"""The follow-up answer form (issue 13): the plain form and the autosave body alike."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from app.converters import DB_INT_MAX
from app.practice.forms import strip


class FollowUpForm(FlaskForm):
    """One follow-up's answer, with the revision bookkeeping of the main answer form."""

    revision = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=DB_INT_MAX)])
    client_id = StringField(
        validators=[Optional(), Length(max=40), Regexp(r"^[A-Za-z0-9_-]+$")], filters=[strip]
    )
    seq = IntegerField(validators=[Optional(), NumberRange(min=0, max=DB_INT_MAX)], default=0)
    # the same label as the answer form's: the stale-token page names typed fields by it
    answer_text = TextAreaField("Your answer")

    def save_options(self) -> dict:
        """What the follow-up service needs besides the text (caps from config)."""
        return {
            "base_revision": self.revision.data,
            "max_chars": current_app.config["ANSWER_MAX_CHARS"],
            "client_id": self.client_id.data or None,
            "seq": self.seq.data or 0,
        }

    def error_messages(self) -> dict[str, list[str]]:
        return {name: list(errors) for name, errors in self.errors.items()}
