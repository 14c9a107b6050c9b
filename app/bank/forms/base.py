"""What every bank editor form shares: input filters, row actions, problems next to fields.

Field rules live in one place, the bank file schema (`app.bank.files.schema`): each form
turns its input into a bank document (`to_doc()`), the service checks that document, and
`show_problems()` puts each problem back next to the field it concerns.

Repeated rows (hints, criteria, levels, loop steps) grow and shrink without JavaScript:
every form has one `action` value, sent by the button pressed: "save", or e.g.
"add_level:1" / "remove_criterion:2", which re-renders the form with a row more or less
and saves nothing.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.bank.files import checks

ACTION_RE = re.compile(r"^(save|add|remove)_([a-z_]+)(?::(\d{1,3}))?(?::(\d{1,3}))?$")


def one_line(value):
    """Strip surrounding blanks from one-line text."""
    return value.strip() if isinstance(value, str) else value


def printable(value):
    """Drop control characters no database column can store (for free-form notes)."""
    return checks.BAD_CHARS_RE.sub("", value) if isinstance(value, str) else value


def multi_line(value):
    """Browsers send CRLF from textareas; store LF so an unchanged edit stays unchanged."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def blank_to_none(value):
    """None for blank text, so the schema reports a required field as missing."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def friendly(message: str) -> str:
    """Schema messages name the file field; next to a form field, say it plainly."""
    if re.fullmatch(r"missing required field '[^']+'", message):
        return "This is required."
    match = re.fullmatch(r"'[^']+' (.*)", message, flags=re.S)
    if match:
        rest = match.group(1)
        return rest[0].upper() + rest[1:]
    return message[0].upper() + message[1:] if message else message


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class Rows:
    """Add/remove buttons for a FieldList, driven by the form's `action` value."""

    @staticmethod
    def parse(action: str | None) -> tuple[str, str, list[int]] | None:
        match = ACTION_RE.match(action or "")
        if not match:
            return None
        verb, what, *numbers = match.groups()
        return verb, what, [int(n) for n in numbers if n is not None]

    @staticmethod
    def add(field_list: FieldList) -> None:
        if not field_list.max_entries or len(field_list.entries) < field_list.max_entries:
            field_list.append_entry()

    @staticmethod
    def remove(field_list: FieldList, index: int) -> None:
        if 0 <= index < len(field_list.entries):
            field_list.entries.pop(index)


class ActionForm(FlaskForm):
    """A form whose buttons send `action`; anything but "save" edits rows and re-renders.

    `action` is never rendered as an input: only the pressed button sends it, and the
    first button of every form is Save, so pressing Enter saves.
    """

    action = StringField(default="save")

    def row_action(self) -> bool:
        """Apply an add/remove row action; True when one was applied (then nothing is saved)."""
        parsed = Rows.parse(self.action.data)
        if parsed is None or parsed[0] == "save":
            return False
        verb, what, numbers = parsed
        target = self._row_target(what, numbers)
        if target is None:
            return True  # an unknown or stale row: re-render unchanged, save nothing
        field_list, index = target
        if verb == "add":
            Rows.add(field_list)
        elif index is not None:
            Rows.remove(field_list, index)
        return True

    def _row_target(self, what: str, numbers: list[int]):
        """The (FieldList, index) a row action names; None when this form has no such rows."""
        return None

    def show_problems(self, problems) -> list[str]:
        """Attach each problem to its field; return messages that belong to no field."""
        leftovers = []
        for problem in problems:
            field = self.field_for(problem.field)
            if field is None:
                leftovers.append(problem.message)
                continue
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            message = friendly(problem.message)
            if message not in field.errors:
                field.errors.append(message)
        return leftovers

    def field_for(self, path: tuple):
        """The form field a document path points at (or its nearest plain ancestor)."""
        node, found = self, None
        for part in self.translate(tuple(path)):
            if isinstance(part, int):
                entries = getattr(node, "entries", None)
                if entries is None or part >= len(entries):
                    break
                node = entries[part]
            else:
                target = node.form if isinstance(node, FormField) else node
                if not hasattr(target, "_fields") or part not in target._fields:
                    break
                node = target._fields[part]
            if not isinstance(node, FieldList | FormField):
                found = node
        if found is None and isinstance(node, FieldList):
            found = node
        return found

    def translate(self, path: tuple) -> tuple:
        """The form path of a document path (forms whose fields are named otherwise say how)."""
        return path


def change_note_field() -> StringField:
    """The optional note saved with a new version of a question or rubric."""
    return StringField(
        "Change note",
        filters=[one_line, printable],
        validators=[Length(max=300)],
        description="Optional: why you changed it (shown in the history).",
    )


def to_number(text):
    """A number typed in a form: float, the original text when unreadable (the schema
    then reports it), or None when blank."""
    if text is None or not str(text).strip():
        return None
    try:
        return float(str(text).replace(",", "").replace("_", ""))
    except ValueError:
        return str(text)


def to_integer(text):
    """A whole number typed in a form: int, the original text when unreadable, None when blank."""
    if text is None or not str(text).strip():
        return None
    try:
        return int(str(text).strip())
    except ValueError:
        return str(text)
