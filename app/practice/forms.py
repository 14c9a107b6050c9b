"""Practice forms: start a round or loop, the answer form (also the autosave body), submit."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
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
        self.data = None
        self.data = typed_number(valuelist[0])


def typed_number(value: str | None) -> float | None:
    """A number as typed ("1,200", "3.5e6", " 42 "), None when blank; ValueError with the
    form's message when it is not a finite number."""
    raw = (value or "").strip().replace(",", "").replace("_", "")
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        raise ValueError(FloatInput.message) from None
    if not math.isfinite(number):
        raise ValueError(FloatInput.message)
    return number


def is_web_link(link: str) -> bool:
    """An http(s) link with a host, at most 500 characters (the answer form's rule)."""
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(link) <= 500


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
            if not is_web_link(link):
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


_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _whole(value: str | None) -> int | None:
    """Plain ASCII digits within DB_INT_MAX, else None."""
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if number <= DB_INT_MAX else None


@dataclass(frozen=True)
class QuickAnswer:
    """An autosave body that `AnswerForm` would accept, read without building the form."""

    answer: AnswerInput
    base_revision: int
    client_id: str | None
    seq: int


def quick_answer(formdata) -> QuickAnswer | None:
    """The autosave's fields when every one is plainly valid (the common case), else None:
    the view then validates with `AnswerForm` as always, so a refusal is the form's 422
    and its messages. Never accepts what the form would refuse."""
    get = formdata.get
    if get("goto"):
        return None  # the plain form's field: the form validates it
    revision = _whole(get("revision"))
    if revision is None:
        return None
    client_id = (get("client_id") or "").strip()
    if client_id and not _CLIENT_ID.match(client_id):
        return None
    raw_seq = get("seq")
    seq = 0 if raw_seq is None or raw_seq == "" else _whole(raw_seq)
    if seq is None:
        return None
    unit = (get("answer_unit") or "").strip()
    if len(unit) > 40:
        return None
    links = tuple(split_links(get("answer_links")))
    if not all(is_web_link(link) for link in links):
        return None
    try:
        number = typed_number(get("answer_number"))
    except ValueError:
        return None
    text = get("answer_text") or ""
    answer = AnswerInput(text=text, number=number, unit=unit or None, links=links)
    return QuickAnswer(answer, revision, client_id or None, seq)
