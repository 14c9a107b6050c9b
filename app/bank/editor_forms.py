"""Forms of the bank editor: questions, rubrics (criteria and levels), formats, loop plans.

Field rules live in one place, the bank file schema (`app.bank.bankfiles`): each form
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
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.bank import bankfiles

ACTION_RE = re.compile(r"^(save|add|remove)_([a-z_]+)(?::(\d{1,3}))?(?::(\d{1,3}))?$")


def one_line(value):
    """Strip surrounding blanks from one-line text."""
    return value.strip() if isinstance(value, str) else value


def printable(value):
    """Drop control characters no database column can store (for free-form notes)."""
    return bankfiles.BAD_CHARS_RE.sub("", value) if isinstance(value, str) else value


def multi_line(value):
    """Browsers send CRLF from textareas; store LF so an unchanged edit stays unchanged."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _blank_to_none(value):
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
        return path


# --- questions ---------------------------------------------------------------------------


QUESTION_FIELDS = {
    ("answer", "kind"): "answer_kind",
    ("answer", "language"): "code_language",
    ("answer", "value"): "estimate_value",
    ("answer", "unit"): "estimate_unit",
    ("answer", "tolerance_pct"): "estimate_tolerance_pct",
    ("answer", "worked_answer"): "worked_answer",
}


class QuestionForm(ActionForm):
    key = StringField(
        "Key",
        filters=[one_line],
        validators=[Length(max=80)],
        description="Stable identifier and file name: lowercase letters, digits, - and _.",
    )
    title = StringField("Title", filters=[one_line], validators=[Length(max=200)])
    stage = SelectField("Stage", choices=[], validate_choice=False)
    skills = MultiCheckboxField("Skill areas", choices=[], validate_choice=False)
    difficulty = SelectField(
        "Difficulty",
        choices=options((d, d.title()) for d in bankfiles.DIFFICULTIES),
        default="medium",
        validate_choice=False,
    )
    rubric = SelectField("Rubric", choices=[], validate_choice=False)
    suggested_minutes = StringField("Suggested minutes", filters=[one_line], default="10")
    tags = StringField(
        "Tags", filters=[one_line], description="Comma-separated, e.g. latency, rag."
    )
    prompt = TextAreaField(
        "Prompt (Markdown)",
        filters=[multi_line],
        description=f"What the candidate sees; at most {bankfiles.MAX_PROMPT_CHARS:,} characters.",
    )
    answer_kind = SelectField(
        "Answer kind",
        choices=options(
            [
                ("text", "Text"),
                ("code", "Code"),
                ("estimate", "Estimate (a number with a unit)"),
                ("deliverable", "Deliverable (links and a write-up)"),
            ]
        ),
        default="text",
        validate_choice=False,
    )
    code_language = StringField(
        "Code language", filters=[one_line], description="Code answers only, e.g. python."
    )
    estimate_value = StringField(
        "Reference value", filters=[one_line], description="Estimate answers only."
    )
    estimate_unit = StringField("Unit", filters=[one_line], description="e.g. USD per month.")
    estimate_tolerance_pct = StringField(
        "Tolerance (%)", filters=[one_line], description="Accepted relative error, > 0."
    )
    worked_answer = TextAreaField(
        "Worked answer (Markdown)", filters=[multi_line], description="The calculation."
    )
    hints = FieldList(TextAreaField("Hint", filters=[multi_line]), min_entries=2, max_entries=20)
    follow_ups = FieldList(
        TextAreaField("Follow-up", filters=[multi_line]), min_entries=2, max_entries=20
    )
    good_answer = TextAreaField(
        "What good looks like (Markdown)",
        filters=[multi_line],
        description="Hidden from candidates until they have answered.",
    )
    change_note = StringField(
        "Change note",
        filters=[one_line, printable],
        validators=[Length(max=300)],
        description="Optional: why you changed it (shown in the history).",
    )

    def set_choices(self, choices: dict, *, current_rubric: str | None = None) -> None:
        self.stage.choices = options((s.key, s.name) for s in choices["stages"])
        self.skills.choices = options((s.key, s.name) for s in choices["skills"])
        self.rubric.choices = options(
            (r.key, r.current_version.title if r.current_version else r.key)
            for r in choices["rubrics"]
            if not r.archived or r.key == current_rubric
        )

    def _row_target(self, what, numbers):
        lists = {"hint": self.hints, "follow_up": self.follow_ups}
        if what not in lists:
            return None
        return lists[what], (numbers[0] if numbers else None)

    def translate(self, path):
        if path[:2] in QUESTION_FIELDS:
            return (QUESTION_FIELDS[path[:2]], *path[2:])
        if path and path[0] in ("hints", "follow_ups", "skills", "tags"):
            return path[:1]
        return path

    def fill(self, doc: dict) -> None:
        """Load a question document into the form (GET of the edit page)."""
        answer = doc["answer"]
        self.key.data = doc["key"]
        self.title.data = doc["title"]
        self.stage.data = doc["stage"]
        self.skills.data = list(doc["skills"])
        self.difficulty.data = doc["difficulty"]
        self.rubric.data = doc["rubric"]
        self.suggested_minutes.data = str(doc["suggested_minutes"])
        self.tags.data = ", ".join(doc.get("tags") or [])
        self.prompt.data = doc["prompt"]
        self.answer_kind.data = answer["kind"]
        self.code_language.data = answer.get("language") or ""
        value = answer.get("value")
        self.estimate_value.data = "" if value is None else f"{value:g}"
        self.estimate_unit.data = answer.get("unit") or ""
        tolerance = answer.get("tolerance_pct")
        self.estimate_tolerance_pct.data = "" if tolerance is None else f"{tolerance:g}"
        self.worked_answer.data = answer.get("worked_answer") or ""
        self.good_answer.data = doc["good_answer"]
        for name in ("hints", "follow_ups"):
            field_list = getattr(self, name)
            while field_list.entries:
                field_list.pop_entry()
            for item in list(doc[name]) + [""]:
                if len(field_list.entries) < field_list.max_entries:
                    field_list.append_entry(item)

    def to_doc(self) -> dict:
        """The submitted question as a bank document (checked by the service)."""
        kind = self.answer_kind.data
        answer: dict = {"kind": kind}
        if kind == "code":
            answer["language"] = _blank_to_none(self.code_language.data)
        if kind == "estimate":
            answer["value"] = _number(self.estimate_value.data)
            answer["unit"] = _blank_to_none(self.estimate_unit.data)
            answer["tolerance_pct"] = _number(self.estimate_tolerance_pct.data)
            answer["worked_answer"] = _blank_to_none(self.worked_answer.data)
        tags = [t.strip() for t in (self.tags.data or "").split(",") if t.strip()]
        return {
            "key": self.key.data or None,
            "stage": self.stage.data,
            "title": self.title.data or None,
            "skills": list(self.skills.data or []),
            "difficulty": self.difficulty.data,
            "rubric": self.rubric.data,
            "suggested_minutes": _integer(self.suggested_minutes.data),
            "tags": tags,
            "prompt": _blank_to_none(self.prompt.data),
            "answer": answer,
            "hints": [h for h in self.hints.data if h and h.strip()],
            "follow_ups": [f for f in self.follow_ups.data if f and f.strip()],
            "good_answer": _blank_to_none(self.good_answer.data),
        }


def _number(text):
    """A number typed in a form: float, the original text when unreadable (the schema
    then reports it), or None when blank."""
    if text is None or not str(text).strip():
        return None
    try:
        return float(str(text).replace(",", "").replace("_", ""))
    except ValueError:
        return str(text)


# --- rubrics -----------------------------------------------------------------------------


class LevelForm(Form):
    value = StringField("Value", filters=[one_line])
    label = StringField("Label", filters=[one_line])
    descriptor = TextAreaField("Descriptor", filters=[multi_line])


class CriterionForm(Form):
    key = StringField("Key", filters=[one_line])
    title = StringField("Title", filters=[one_line])
    description = TextAreaField("Description", filters=[multi_line])
    weight = StringField("Weight", filters=[one_line], default="1")
    levels = FieldList(FormField(LevelForm), min_entries=2, max_entries=10)


class RubricForm(ActionForm):
    key = StringField(
        "Key",
        filters=[one_line],
        validators=[Length(max=60)],
        description="Stable identifier and file name: lowercase letters, digits, - and _.",
    )
    title = StringField("Title", filters=[one_line])
    description = TextAreaField("Description", filters=[multi_line])
    criteria = FieldList(FormField(CriterionForm), min_entries=1, max_entries=30)
    change_note = StringField(
        "Change note",
        filters=[one_line, printable],
        validators=[Length(max=300)],
        description="Optional: why you changed it (shown in the history).",
    )

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
                    "value": _integer(row.form.value.data),
                    "label": row.form.label.data or None,
                    "descriptor": _blank_to_none(row.form.descriptor.data),
                }
                for row in form.levels.entries
            ]
            weight = _number(form.weight.data)
            criterion = {
                "key": form.key.data or None,
                "title": form.title.data or None,
                "description": _blank_to_none(form.description.data),
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


def _integer(text):
    if text is None or not str(text).strip():
        return None
    try:
        return int(str(text).strip())
    except ValueError:
        return str(text)


def new_rubric_form() -> RubricForm:
    """An empty rubric form with one criterion of four levels to start from."""
    form = RubricForm()
    if not form.is_submitted():
        while len(form.criteria[0].form.levels.entries) < 4:
            form.criteria[0].form.levels.append_entry()
        for i, entry in enumerate(form.criteria[0].form.levels.entries, start=1):
            entry.form.value.data = str(i)
    return form


# --- round formats and loop plans --------------------------------------------------------


class FormatForm(ActionForm):
    key = StringField("Key", filters=[one_line], validators=[Length(max=60)])
    name = StringField("Name", filters=[one_line])
    stage = SelectField("Stage", choices=[], validate_choice=False)
    minutes = StringField("Length (minutes)", filters=[one_line])
    questions = StringField("Questions per round", filters=[one_line], default="1")
    answer_kinds = MultiCheckboxField(
        "Only these answer kinds (none ticked: any; two or more: each round mixes them)",
        choices=options((k, k.title()) for k in bankfiles.ANSWER_KINDS),
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
    grace_seconds = StringField("Grace (seconds)", filters=[one_line], default="60")
    description = TextAreaField("Description", filters=[multi_line])
    archived = BooleanField("Archived (not offered for new rounds)")

    def set_choices(self, choices: dict) -> None:
        self.stage.choices = options((s.key, s.name) for s in choices["stages"])

    def fill(self, doc: dict) -> None:
        self.key.data = doc["key"]
        self.name.data = doc["name"]
        self.stage.data = doc["stage"]
        self.minutes.data = str(doc["minutes"])
        self.questions.data = str(doc["questions"])
        self.answer_kinds.data = list(doc["answer_kinds"])
        self.expiry.data = doc["expiry"]
        self.grace_seconds.data = str(doc["grace_seconds"])
        self.description.data = doc["description"]
        self.archived.data = doc["archived"]

    def to_doc(self) -> dict:
        return {
            "key": self.key.data or None,
            "name": self.name.data or None,
            "stage": self.stage.data,
            "minutes": _integer(self.minutes.data),
            "questions": _integer(self.questions.data),
            "answer_kinds": list(self.answer_kinds.data or []),
            "expiry": self.expiry.data,
            "grace_seconds": _integer(self.grace_seconds.data),
            "description": self.description.data or "",
            "archived": bool(self.archived.data),
        }


class StepForm(Form):
    format = SelectField("Round format", choices=[], validate_choice=False)
    label = StringField("Label", filters=[one_line])
    gap_minutes = StringField("Gap after the previous round (minutes)", default="0")
    opens_at = StringField("Not before (HH:MM, optional)", filters=[one_line])


class LoopForm(ActionForm):
    key = StringField("Key", filters=[one_line], validators=[Length(max=60)])
    name = StringField("Name", filters=[one_line])
    description = TextAreaField("Description", filters=[multi_line])
    archived = BooleanField("Archived (not offered to candidates)")
    steps = FieldList(FormField(StepForm), min_entries=1, max_entries=20)

    def set_choices(self, formats) -> None:
        for entry in self.steps.entries:
            entry.form.format.choices = options((f.key, f.name) for f in formats)

    def _row_target(self, what, numbers):
        if what == "step":
            return self.steps, (numbers[0] if numbers else None)
        return None

    def fill(self, doc: dict) -> None:
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

    def to_doc(self) -> dict:
        return {
            "key": self.key.data or None,
            "name": self.name.data or None,
            "description": self.description.data or "",
            "archived": bool(self.archived.data),
            "steps": [
                {
                    "format": e.form.format.data,
                    "label": e.form.label.data or "",
                    "gap_minutes": _integer(e.form.gap_minutes.data),
                    "opens_at": e.form.opens_at.data or None,
                }
                for e in self.steps.entries
            ],
        }
