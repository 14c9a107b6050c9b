"""The round format and loop plan editors' forms."""

from __future__ import annotations

from flask import current_app
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length

from app.bank.files import schema
from app.bank.forms.base import (
    ActionForm,
    MultiCheckboxField,
    multi_line,
    one_line,
    options,
    to_integer,
)


def _default_grace() -> str:
    """The grace a new format starts with: the app's DEFAULT_GRACE_SECONDS."""
    return str(current_app.config["DEFAULT_GRACE_SECONDS"])


class FormatForm(ActionForm):
    """A round format: length, questions, answer kinds and what happens when time is up."""

    key = StringField("Key", filters=[one_line], validators=[Length(max=60)])
    name = StringField("Name", filters=[one_line])
    stage = SelectField("Stage", choices=[], validate_choice=False)
    minutes = StringField("Length (minutes)", filters=[one_line])
    questions = StringField("Questions per round", filters=[one_line], default="1")
    answer_kinds = MultiCheckboxField(
        "Only these answer kinds (none ticked: any; two or more: each round mixes them)",
        choices=options((k, k.title()) for k in schema.ANSWER_KINDS),
        validate_choice=False,
    )
    expiry = SelectField(
        "When time runs out",
        choices=options(
            [
                ("auto_submit", "Auto-submit the last saved answers"),
                ("grace_then_close", "Allow a grace period, then close"),
            ]
        ),
        validate_choice=False,
    )
    grace_seconds = StringField("Grace (seconds)", filters=[one_line], default=_default_grace)
    hint_cost_minutes = StringField(
        f"Time cost per hint (whole minutes off the deadline, 0 to {schema.MAX_HINT_COST_MINUTES};"
        " scaled by a candidate's extra time)",
        filters=[one_line],
        default="0",
    )
    description = TextAreaField("Description", filters=[multi_line])
    archived = BooleanField("Archived (not offered for new rounds)")

    def row_action(self) -> bool:
        """A format has no repeated rows: every submit is a save."""
        return False

    def set_choices(self, choices: dict) -> None:
        """The stages a format can belong to (from `queries.bank_choices()`)."""
        self.stage.choices = options((s.key, s.name) for s in choices["stages"])

    def fill(self, doc: dict) -> None:
        """Load a document into the form (GET of the edit page)."""
        self.key.data = doc["key"]
        self.name.data = doc["name"]
        self.stage.data = doc["stage"]
        self.minutes.data = str(doc["minutes"])
        self.questions.data = str(doc["questions"])
        self.answer_kinds.data = list(doc["answer_kinds"])
        self.expiry.data = doc["expiry"]
        self.grace_seconds.data = str(doc["grace_seconds"])
        self.hint_cost_minutes.data = str(doc["hint_cost_minutes"])
        self.description.data = doc["description"]
        self.archived.data = doc["archived"]

    def to_doc(self) -> dict:
        """The submitted form as a bank document (checked by the service)."""
        return {
            "key": self.key.data or None,
            "name": self.name.data or None,
            "stage": self.stage.data,
            "minutes": to_integer(self.minutes.data),
            "questions": to_integer(self.questions.data),
            "answer_kinds": list(self.answer_kinds.data or []),
            "expiry": self.expiry.data,
            "grace_seconds": to_integer(self.grace_seconds.data),
            "hint_cost_minutes": to_integer(self.hint_cost_minutes.data),
            "description": self.description.data or "",
            "archived": bool(self.archived.data),
        }


class StepForm(Form):
    """One round of a loop plan."""

    format = SelectField("Round format", choices=[], validate_choice=False)
    label = StringField("Label", filters=[one_line])
    gap_minutes = StringField("Gap after the previous round (minutes)", default="0")
    opens_at = StringField("Not before (HH:MM, optional)", filters=[one_line])


class LoopForm(ActionForm):
    """A loop plan: its ordered rounds, added and removed without JavaScript."""

    _format_choices: list = []

    key = StringField("Key", filters=[one_line], validators=[Length(max=60)])
    name = StringField("Name", filters=[one_line])
    description = TextAreaField("Description", filters=[multi_line])
    archived = BooleanField("Archived (not offered to candidates)")
    steps = FieldList(FormField(StepForm), min_entries=1, max_entries=20)

    def set_choices(self, formats) -> None:
        """The round formats each step can use; rows added later get them too."""
        self._format_choices = options((f.key, f.name) for f in formats)
        self._apply_choices()

    def _apply_choices(self) -> None:
        for entry in self.steps.entries:
            entry.form.format.choices = list(self._format_choices)

    def row_action(self) -> bool:
        """Add or remove a step (see ActionForm), keeping every step's format choices."""
        applied = super().row_action()
        self._apply_choices()
        return applied

    def _row_target(self, what, numbers):
        if what == "step":
            return self.steps, (numbers[0] if numbers else None)
        return None

    def fill(self, doc: dict) -> None:
        """Load a document into the form (GET of the edit page)."""
        self.key.data = doc["key"]
        self.name.data = doc["name"]
        self.description.data = doc["description"]
        self.archived.data = doc["archived"]
        while self.steps.entries:
            self.steps.pop_entry()
        for step in doc["steps"]:
            form = self.steps.append_entry().form
            form.format.data = step["format"]
            form.label.data = step["label"]
            form.gap_minutes.data = str(step["gap_minutes"])
            form.opens_at.data = step["opens_at"] or ""
        self._apply_choices()

    def to_doc(self) -> dict:
        """The submitted form as a bank document (checked by the service)."""
        return {
            "key": self.key.data or None,
            "name": self.name.data or None,
            "description": self.description.data or "",
            "archived": bool(self.archived.data),
            "steps": [
                {
                    "format": e.form.format.data,
                    "label": e.form.label.data or "",
                    "gap_minutes": to_integer(e.form.gap_minutes.data),
                    "opens_at": e.form.opens_at.data or None,
                }
                for e in self.steps.entries
            ],
        }
