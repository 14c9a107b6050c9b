"""The question editor's form: one question version, every answer kind, hints and follow-ups."""

from __future__ import annotations

from dataclasses import replace

from wtforms import FieldList, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import Length

from app.bank.files import reading, schema, writing
from app.bank.forms.base import (
    ActionForm,
    MultiCheckboxField,
    blank_to_none,
    change_note_field,
    multi_line,
    one_line,
    options,
    to_integer,
    to_number,
)

# document path -> form field, where the form names a field otherwise than the file
FORM_FIELD_FOR = {
    ("answer", "kind"): "answer_kind",
    ("answer", "language"): "code_language",
    ("answer", "value"): "estimate_value",
    ("answer", "unit"): "estimate_unit",
    ("answer", "tolerance_pct"): "estimate_tolerance_pct",
    ("answer", "worked_answer"): "worked_answer",
}


class QuestionForm(ActionForm):
    """A question as the editor shows it; `to_doc()` makes the document the service checks."""

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
        choices=options((d, d.title()) for d in schema.DIFFICULTIES),
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
        description=f"What the candidate sees; at most {schema.MAX_PROMPT_CHARS:,} characters.",
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
    talking_points = TextAreaField(
        "Talking points (YAML)",
        filters=[multi_line],
        description=(
            f"{schema.MIN_TALKING_POINTS} to {schema.MAX_TALKING_POINTS} points a strong answer "
            "covers, each '- id: slug', 'label: one line' and 'phrases: [key phrase, ...]' "
            f"(1 to {schema.MAX_PHRASES}). Required to publish; a draft may leave it empty."
        ),
    )
    tests_yaml = TextAreaField(
        "Tests (YAML)",
        filters=[multi_line],
        description="Code answers only: function, examples, hidden, optional compare, "
        "time_limit_s and reference_solution, as in question_bank/README.md. Saving runs "
        "the reference solution against every case.",
    )
    change_note = change_note_field()

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

    def validate_tests_yaml(self, field) -> None:
        """The text must be YAML (a mapping); its fields are checked by the service."""
        if not (field.data or "").strip():
            return
        data, problems = reading.load_yaml(field.data, "tests")
        if problems:
            raise ValidationError(f"Line {problems[0].line}: {problems[0].message}")
        if not isinstance(data, dict):
            raise ValidationError("Line 1: the tests must be a mapping (function:, examples:, ...)")

    def translate(self, path):
        if path[:1] == ("tests",):
            return ("tests_yaml",)
        if path[:2] in FORM_FIELD_FOR:
            return (FORM_FIELD_FOR[path[:2]], *path[2:])
        if path and path[0] in ("hints", "follow_ups", "skills", "tags", "talking_points"):
            return path[:1]
        return path

    def show_problems(self, problems) -> list[str]:
        """As every editor form; a problem inside the tests or the talking points says on
        which line of its YAML box it is."""
        located = []
        for problem in problems:
            if problem.field[:1] == ("tests",):
                problem = replace(problem, message=f"line {problem.line}: {problem.message}")
            elif problem.field[:1] == ("talking_points",) and len(problem.field) > 1:
                problem = replace(problem, message=f"Line {problem.line}: {problem.message}")
            located.append(problem)
        return super().show_problems(located)

    def validate_talking_points(self, field) -> None:
        """The YAML must parse; what it says is checked by the service with the file schema."""
        _, problems = self._points_yaml()
        if problems:
            raise ValidationError(f"Line {problems[0].line}: {problems[0].message}")

    def _points_yaml(self):
        """(the talking points parsed from the textarea or None when blank, YAML problems)."""
        text = self.talking_points.data or ""
        if not text.strip():
            return None, []
        return reading.load_yaml(text, "talking points")

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
        points = doc.get("talking_points") or []
        self.talking_points.data = writing.dump_yaml(points) if points else ""
        tests = doc.get("tests")
        self.tests_yaml.data = writing.dump_yaml(writing.tests_file_doc(tests)) if tests else ""
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
            answer["language"] = blank_to_none(self.code_language.data)
        if kind == "estimate":
            answer["value"] = to_number(self.estimate_value.data)
            answer["unit"] = blank_to_none(self.estimate_unit.data)
            answer["tolerance_pct"] = to_number(self.estimate_tolerance_pct.data)
            answer["worked_answer"] = blank_to_none(self.worked_answer.data)
        tags = [t.strip() for t in (self.tags.data or "").split(",") if t.strip()]
        return {
            "key": self.key.data or None,
            "stage": self.stage.data,
            "title": self.title.data or None,
            "skills": list(self.skills.data or []),
            "difficulty": self.difficulty.data,
            "rubric": self.rubric.data,
            "suggested_minutes": to_integer(self.suggested_minutes.data),
            "tags": tags,
            "prompt": blank_to_none(self.prompt.data),
            "answer": answer,
            "hints": [h for h in self.hints.data if h and h.strip()],
            "follow_ups": [f for f in self.follow_ups.data if f and f.strip()],
            "good_answer": blank_to_none(self.good_answer.data),
            "talking_points": self._points_yaml()[0],
            "tests": self._tests() if kind == "code" else None,
        }

    def _tests(self):
        """The tests box as the YAML reader's mapping (with lines), or None when empty."""
        text = self.tests_yaml.data or ""
        return reading.load_yaml(text, "tests")[0] if text.strip() else None
