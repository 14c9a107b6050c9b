"""Practice forms: start a round or loop, the answer form (also the autosave body), submit."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import (
    FloatField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.converters import DB_INT_MAX
from app.practice.errors import AnswerInput


def strip(value):
    """Trim surrounding whitespace from a text field."""
    return value.strip() if isinstance(value, str) else value


def split_links(value: str | None) -> list[str]:
    """One link per non-empty line."""
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class StartRoundForm(FlaskForm):
    format_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=DB_INT_MAX)])
    submit = SubmitField("Start")


class DrillForm(FlaskForm):
    """Practise this question: its key and "timed" (its suggested minutes) or "untimed"."""

    question = StringField(validators=[InputRequired(), Length(max=80)], filters=[strip])
    mode = StringField(validators=[InputRequired(), AnyOf(("timed", "untimed"))])


class StartLoopForm(FlaskForm):
    plan_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=DB_INT_MAX)])
    # as scheduled (the plan's gaps) or back to back; absent means as scheduled
    pace = StringField(validators=[Optional(), AnyOf(("scheduled", "back_to_back"))])
    submit = SubmitField("Start this loop")


class EmptyForm(FlaskForm):
    """Gives button-only POSTs (submit, start a loop step, leave) their CSRF token."""

    submit = SubmitField("Submit")


class FloatInput(FloatField):
    """A number as people type it: "1,200", "3.5e6", " 42 "."""

    message = "Enter a number, like 1200, 1,200 or 3.5e6."

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = (valuelist[0] or "").strip().replace(",", "").replace("_", "")
        self.data = None
        if not raw:
            return
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(self.message) from None
        if not math.isfinite(number):
            raise ValueError(self.message)
        self.data = number


class AnswerForm(FlaskForm):
    """One question's answer. Posted by the plain form and by autosave alike."""

    revision = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=DB_INT_MAX)])
    client_id = StringField(
        validators=[Optional(), Length(max=40), Regexp(r"^[A-Za-z0-9_-]+$")], filters=[strip]
    )
    seq = IntegerField(validators=[Optional(), NumberRange(min=0, max=DB_INT_MAX)], default=0)
    answer_text = TextAreaField("Your answer")
    answer_number = FloatInput(
        "Your estimate",
        validators=[Optional()],
        description="A number; you may write 3.5e6 or 1,200.",
    )
    answer_unit = StringField("Unit", filters=[strip], validators=[Optional(), Length(max=40)])
    answer_links = TextAreaField("Links, one per line")
    action = HiddenField()
    goto = IntegerField(validators=[Optional(), NumberRange(min=0, max=DB_INT_MAX)])

    def validate_answer_links(self, field):
        """Each line a web link. How many links (and how long the answer) may be is the
        answer service's check alone (`app.practice.answers`), with the caps from
        `save_options`."""
        for link in split_links(field.data):
            parts = urlsplit(link)
            if parts.scheme not in ("http", "https") or not parts.netloc or len(link) > 500:
                raise ValidationError(
                    f"“{link[:80]}” is not a web link; links start with https:// (one per line)."
                )

    def save_options(self) -> dict:
        """The revision bookkeeping and the answer caps (from config) the services need."""
        return {
            "base_revision": self.revision.data,
            "max_chars": current_app.config["ANSWER_MAX_CHARS"],
            "max_links": current_app.config["ANSWER_MAX_LINKS"],
            "client_id": self.client_id.data or None,
            "seq": self.seq.data or 0,
        }

    def next_action(self) -> str:
        """What the pressed button asked for after saving: save, hint, goto or review."""
        return self.action.data or ("goto" if self.goto.data is not None else "save")

    def answer(self) -> AnswerInput:
        """The validated answer as a plain value for the service."""
        return AnswerInput(
            text=self.answer_text.data or "",
            number=self.answer_number.data,
            unit=self.answer_unit.data or None,
            links=tuple(split_links(self.answer_links.data)),
        )

    def error_messages(self) -> dict[str, list[str]]:
        return {name: list(errors) for name, errors in self.errors.items()}


class WarningForm(FlaskForm):
    seconds_left = IntegerField(
        validators=[InputRequired(), NumberRange(min=-DB_INT_MAX, max=DB_INT_MAX)]
    )
