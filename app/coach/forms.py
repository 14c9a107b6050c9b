"""Coach and coaching forms. The review form is built per session from its pinned rubrics."""

from __future__ import annotations

from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.coach.services import ReviewInput

COMMENT_MAX = 5000
SUMMARY_MAX = 10000


def strip(value):
    return value.strip() if isinstance(value, str) else value


class InviteCodeForm(FlaskForm):
    code = StringField(
        "Coach invite code",
        filters=[strip],
        validators=[DataRequired("Enter the code your coach gave you."), Length(max=40)],
        description="Eight letters and digits, like ABCD-2345. Dashes and spaces are ignored.",
    )
    submit = SubmitField("Link coach")


class SharingForm(FlaskForm):
    mode = RadioField(
        "Which sessions can your coaches see?",
        choices=[
            SelectChoice("all", "All my finished sessions"),
            SelectChoice("selected", "Only the sessions I share"),
        ],
        validators=[DataRequired("Choose one.")],
    )
    submit = SubmitField("Save sharing")


class ShareSessionForm(FlaskForm):
    shared = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Share")


class ButtonForm(FlaskForm):
    """Gives button-only POSTs their CSRF token."""

    submit = SubmitField("Submit")


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    candidate = SelectField("Candidate", validators=[Optional()])
    q = StringField(
        "Candidate name or email",
        validators=[Optional(), Length(max=100, message="Search for at most 100 characters.")],
    )
    stage = SelectField("Stage", validators=[Optional()])
    state = SelectField(
        "Review",
        choices=[
            SelectChoice("", "Awaiting or in draft"),
            SelectChoice("awaiting", "Awaiting"),
            SelectChoice("draft", "In draft"),
        ],
        validators=[Optional()],
    )
    submit = SubmitField("Filter")


class ReviewFormBase(FlaskForm):
    strengths = TextAreaField(
        "Strengths", filters=[strip], validators=[Length(max=SUMMARY_MAX)], description="Markdown."
    )
    gaps = TextAreaField(
        "Gaps", filters=[strip], validators=[Length(max=SUMMARY_MAX)], description="Markdown."
    )
    next_steps = TextAreaField(
        "Next steps",
        filters=[strip],
        validators=[Length(max=SUMMARY_MAX)],
        description="Markdown.",
    )
    save = SubmitField("Save draft")
    publish = SubmitField("Publish review")


@dataclass
class CriterionFields:
    item_id: int
    criterion: dict
    level: object  # the bound SelectField
    comment: object  # the bound TextAreaField


@dataclass
class ReviewLayout:
    criteria: dict[int, list[CriterionFields]]  # by session question id
    answer_comment: dict[int, object]  # by session question id


def build_review_form(session, review=None) -> tuple[FlaskForm, ReviewLayout]:
    """The review form for a session: a level and comment per criterion of each answer, a
    comment per answer, and the summary; prefilled from the coach's working copy."""

    class ReviewForm(ReviewFormBase):
        pass

    names: list[tuple[int, dict, str]] = []
    for item in session.items:
        for index, criterion in enumerate(item.rubric_version.criteria):
            name = f"q{item.id}c{index}"
            names.append((item.id, criterion, name))
            choices = [SelectChoice("", "Not scored")] + [
                SelectChoice(str(level["value"]), f"{level['value']} · {level['label']}")
                for level in criterion.get("levels", [])
            ]
            setattr(
                ReviewForm,
                f"{name}_level",
                SelectField(
                    f"Your level for {criterion['title']}",
                    choices=choices,
                    default="",
                    validate_choice=True,
                    invalid_choice_message="Pick one of the rubric's levels.",
                ),
            )
            setattr(
                ReviewForm,
                f"{name}_comment",
                TextAreaField(
                    f"Comment on {criterion['title']}",
                    filters=[strip],
                    validators=[Length(max=COMMENT_MAX)],
                ),
            )
        setattr(
            ReviewForm,
            f"q{item.id}_comment",
            TextAreaField(
                f"Comment on the answer to question {item.position + 1}",
                filters=[strip],
                validators=[Length(max=COMMENT_MAX)],
            ),
        )

    data: dict[str, str] = {}
    if review is not None:
        scores = {(s.session_question_id, s.criterion_key): s for s in review.scores}
        for item_id, criterion, name in names:
            score = scores.get((item_id, criterion["key"]))
            if score is not None:
                data[f"{name}_level"] = "" if score.level is None else str(score.level)
                data[f"{name}_comment"] = score.comment_md
        for comment in review.answer_comments:
            data[f"q{comment.session_question_id}_comment"] = comment.comment_md
        data.update(
            strengths=review.strengths_md, gaps=review.gaps_md, next_steps=review.next_steps_md
        )
    form = ReviewForm(data=data)
    layout = ReviewLayout(criteria={}, answer_comment={})
    for item_id, criterion, name in names:
        layout.criteria.setdefault(item_id, []).append(
            CriterionFields(item_id, criterion, form[f"{name}_level"], form[f"{name}_comment"])
        )
    for item in session.items:
        layout.answer_comment[item.id] = form[f"q{item.id}_comment"]
    form.names = names
    form.item_ids = [item.id for item in session.items]
    return form, layout


def review_input(form) -> ReviewInput:
    """The validated form as the plain values the service takes."""
    values = ReviewInput(
        strengths_md=form.strengths.data or "",
        gaps_md=form.gaps.data or "",
        next_steps_md=form.next_steps.data or "",
    )
    for item_id, criterion, name in form.names:
        raw = form[f"{name}_level"].data
        values.levels[(item_id, criterion["key"])] = int(raw) if raw else None
        values.comments[(item_id, criterion["key"])] = form[f"{name}_comment"].data or ""
    for item_id in form.item_ids:
        values.answer_comments[item_id] = form[f"q{item_id}_comment"].data or ""
    return values
