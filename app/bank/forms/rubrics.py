"""The rubric editor's form: criteria, each with its ordered levels."""

from __future__ import annotations

from wtforms import FieldList, Form, FormField, StringField, TextAreaField
from wtforms.validators import Length

from app.bank.forms.base import (
    ActionForm,
    blank_to_none,
    change_note_field,
    multi_line,
    one_line,
    to_integer,
    to_number,
)


class LevelForm(Form):
    """One level of a criterion: its value, label and descriptor."""

    value = StringField("Value", filters=[one_line])
    label = StringField("Label", filters=[one_line])
    descriptor = TextAreaField("Descriptor", filters=[multi_line])


class CriterionForm(Form):
    """One criterion with its levels."""

    key = StringField("Key", filters=[one_line])
    title = StringField("Title", filters=[one_line])
    description = TextAreaField("Description", filters=[multi_line])
    weight = StringField("Weight", filters=[one_line], default="1")
    levels = FieldList(FormField(LevelForm), min_entries=2, max_entries=10)


class RubricForm(ActionForm):
    """A rubric as the editor shows it; rows of criteria and levels are added and removed."""

    key = StringField(
        "Key",
        filters=[one_line],
        validators=[Length(max=60)],
        description="Stable identifier and file name: lowercase letters, digits, - and _.",
    )
    title = StringField("Title", filters=[one_line])
    description = TextAreaField("Description", filters=[multi_line])
    criteria = FieldList(FormField(CriterionForm), min_entries=1, max_entries=30)
    change_note = change_note_field()

    def _row_target(self, what, numbers):
        if what == "criterion":
            return self.criteria, (numbers[0] if numbers else None)
        if what == "level" and numbers and numbers[0] < len(self.criteria.entries):
            levels = self.criteria.entries[numbers[0]].form.levels
            return levels, (numbers[1] if len(numbers) > 1 else None)
        return None

    def fill(self, doc: dict) -> None:
        """Load a rubric document into the form."""
        self.key.data = doc["key"]
        self.title.data = doc["title"]
        self.description.data = doc.get("description") or ""
        while self.criteria.entries:
            self.criteria.pop_entry()
        for criterion in doc["criteria"]:
            entry = self.criteria.append_entry()
            form = entry.form
            form.key.data = criterion["key"]
            form.title.data = criterion["title"]
            form.description.data = criterion.get("description", "")
            form.weight.data = f"{float(criterion.get('weight', 1.0)):g}"
            while form.levels.entries:
                form.levels.pop_entry()
            for level in criterion["levels"]:
                row = form.levels.append_entry().form
                row.value.data = str(level["value"])
                row.label.data = level["label"]
                row.descriptor.data = level["descriptor"]

    def to_doc(self) -> dict:
        """The submitted rubric as a bank document."""
        criteria = []
        for entry in self.criteria.entries:
            form = entry.form
            levels = [
                {
                    "value": to_integer(row.form.value.data),
                    "label": row.form.label.data or None,
                    "descriptor": blank_to_none(row.form.descriptor.data),
                }
                for row in form.levels.entries
            ]
            weight = to_number(form.weight.data)
            criterion = {
                "key": form.key.data or None,
                "title": form.title.data or None,
                "description": blank_to_none(form.description.data),
                "levels": levels,
            }
            if weight is not None:
                criterion["weight"] = weight
            criteria.append(criterion)
        return {
            "key": self.key.data or None,
            "title": self.title.data or None,
            "description": self.description.data or "",
            "criteria": criteria,
        }


def new_rubric_form() -> RubricForm:
    """An empty rubric form with one criterion of four levels to start from."""
    form = RubricForm()
    if not form.is_submitted():
        while len(form.criteria[0].form.levels.entries) < 4:
            form.criteria[0].form.levels.append_entry()
        for i, entry in enumerate(form.criteria[0].form.levels.entries, start=1):
            entry.form.value.data = str(i)
    return form
