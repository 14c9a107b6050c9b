"""Feedback forms. The scoring form is built per session: one radio group and one note
per criterion of each question's pinned rubric version."""

from __future__ import annotations

from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app.domain.scoring import Criterion
from app.learning.loading import ScoringView
from app.learning.scoring import NOTE_MAX_CHARS, REFLECTION_MAX_CHARS

NOT_SCORED = ""


@dataclass(frozen=True)
class CriterionFields:
    item_id: int
    criterion: Criterion
    level_name: str
    note_name: str
    descriptors: dict[str, str]


class ScoringForm(FlaskForm):
    reflection = TextAreaField(
        "Overall reflection",
        validators=[Length(max=REFLECTION_MAX_CHARS)],
        description="What went well, what you would do differently next time.",
    )
    save = SubmitField("Save")
    finish = SubmitField("Finish scoring")

    layout: dict[int, list[CriterionFields]]

    def entries(self) -> tuple[dict[tuple[int, str], int | None], dict[tuple[int, str], str]]:
        """(levels, notes) keyed by (session question id, criterion key)."""
        levels: dict[tuple[int, str], int | None] = {}
        notes: dict[tuple[int, str], str] = {}
        for fields in self.layout.values():
            for f in fields:
                key = (f.item_id, f.criterion.key)
                raw = self[f.level_name].data
                levels[key] = int(raw) if raw not in (None, NOT_SCORED) else None
                notes[key] = self[f.note_name].data or ""
        return levels, notes


def scoring_form(view: ScoringView) -> ScoringForm:
    """A ScoringForm with a level and a note field per criterion, filled from saved scores."""

    class Form(ScoringForm):
        pass

    layout: dict[int, list[CriterionFields]] = {}
    data: dict[str, object] = {"reflection": view.reflection}
    for item in view.items:
        layout[item.item.id] = []
        for index, criterion in enumerate(item.criteria):
            level_name = f"level_{item.item.id}_{index}"
            note_name = f"note_{item.item.id}_{index}"
            choices = [SelectChoice(NOT_SCORED, "Not scored")] + [
                SelectChoice(str(level.value), level.label) for level in criterion.levels
            ]
            setattr(Form, level_name, RadioField(criterion.title, choices=choices))
            setattr(
                Form,
                note_name,
                TextAreaField(
                    f"Note on {criterion.title} (optional)",
                    validators=[Length(max=NOTE_MAX_CHARS)],
                ),
            )
            saved = item.levels.get(criterion.key)
            data[level_name] = NOT_SCORED if saved is None else str(saved)
            data[note_name] = item.notes.get(criterion.key, "")
            layout[item.item.id].append(
                CriterionFields(
                    item_id=item.item.id,
                    criterion=criterion,
                    level_name=level_name,
                    note_name=note_name,
                    descriptors={str(lv.value): lv.descriptor for lv in criterion.levels},
                )
            )
    form = Form(data=data)
    form.layout = layout
    return form
