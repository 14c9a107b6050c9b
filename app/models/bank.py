"""The question bank: stages, skill areas, rubrics, questions, round formats and loop plans.

Questions and rubrics are versioned: every saved change makes a new immutable
`*Version` row and moves the parent's `current_version_id`. Practice sessions pin the
versions they were started with, so old reports never change. Nothing published is
hard-deleted; it is archived.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from markupsafe import Markup
from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.config import DEFAULT_GRACE_SECONDS
from app.domain import follow_ups
from app.extensions import db
from app.markdown import render_markdown
from app.models.base import UTCDateTime


class QuestionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class AnswerKind(StrEnum):
    TEXT = "text"
    CODE = "code"
    ESTIMATE = "estimate"
    DELIVERABLE = "deliverable"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class ExpiryPolicy(StrEnum):
    AUTO_SUBMIT = "auto_submit"
    GRACE_THEN_CLOSE = "grace_then_close"


class Stage(db.Model):
    __tablename__ = "stages"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    default_minutes: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")


class SkillArea(db.Model):
    __tablename__ = "skill_areas"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    # job-related terms of the area, in file order (issue 13; app.domain.insights); the
    # current glossary, with its history in glossary_versions
    glossary: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")


class GlossaryVersion(db.Model):
    """A skill area's glossary as it stood from `valid_from` on.

    A finished round's insights read each glossary as it was when the round started (the
    way a round pins its question and rubric versions), so editing a glossary in the bank
    never changes an old report. The bank import adds a version when the terms change.
    """

    __tablename__ = "glossary_versions"
    __table_args__ = (UniqueConstraint("skill_key", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    skill_key: Mapped[str] = mapped_column(
        ForeignKey("skill_areas.key", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    terms: Mapped[list] = mapped_column(JSON, default=list)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())


class Rubric(db.Model):
    __tablename__ = "rubrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    archived: Mapped[bool] = mapped_column(default=False)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("rubric_versions.id", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    current_version: Mapped[RubricVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list[RubricVersion]] = relationship(
        back_populates="rubric",
        foreign_keys="RubricVersion.rubric_id",
        order_by="RubricVersion.number",
    )


class RubricVersion(db.Model):
    """An immutable snapshot of a rubric.

    `criteria` is a list of dicts, in display order:
    {"key": "cost_modeling", "title": "Cost modeling", "description": "...",
     "weight": 2.0, "levels": [{"value": 1, "label": "Missing", "descriptor": "..."}, ...]}
    Level values are ascending integers; criteria may have different level counts.
    """

    __tablename__ = "rubric_versions"
    __table_args__ = (UniqueConstraint("rubric_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    change_note: Mapped[str] = mapped_column(String(300), default="")
    # The level value that meets the hire bar (issue 18, migration 0010); None in versions
    # made before it: their reports keep the fixed 75/50 thresholds.
    hire_bar: Mapped[int | None] = mapped_column(Integer)

    rubric: Mapped[Rubric] = relationship(back_populates="versions", foreign_keys=[rubric_id])
    created_by = relationship("User")

    def criterion(self, key: str) -> dict | None:
        return next((c for c in self.criteria if c["key"] == key), None)


question_version_skills = Table(
    "question_version_skills",
    db.Model.metadata,
    Column("question_version_id", Integer, ForeignKey("question_versions.id"), primary_key=True),
    Column("skill_key", String(40), ForeignKey("skill_areas.key"), primary_key=True),
)


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (
        # the admin question list: newest change first, overall and for one status
        Index("ix_questions_updated", "updated_at", "id"),
        Index("ix_questions_status_updated", "status", "updated_at", "id"),
        # from a version to the question it is current for (the browse page's reads by stage)
        Index("ix_questions_current_version", "current_version_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # stable slug, also the file name
    status: Mapped[str] = mapped_column(String(16), default=QuestionStatus.DRAFT.value, index=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set the first time the question is published; a question that has ever been
    # published can only be archived, never deleted (sessions may have used it).
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    current_version: Mapped[QuestionVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question",
        foreign_keys="QuestionVersion.question_id",
        order_by="QuestionVersion.number",
    )


def _rendered_prompt(context) -> str:
    """A new version's prompt as sanitised HTML, rendered once when it is saved (issue 14)."""
    return str(render_markdown(context.get_current_parameters().get("prompt_md")))


def _rendered_hints(context) -> list[str]:
    """A new version's hints as sanitised HTML, rendered once when it is saved."""
    hints = context.get_current_parameters().get("hints") or []
    return [str(render_markdown(hint)) for hint in hints]


class QuestionVersion(db.Model):
    """An immutable snapshot of a question's content."""

    __tablename__ = "question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "number"),
        # the bank browse page: each stage's questions by title (then question id)
        Index("ix_question_versions_stage_title", "stage_key", "title", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    number: Mapped[int]
    stage_key: Mapped[str] = mapped_column(ForeignKey("stages.key"), index=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    prompt_md: Mapped[str] = mapped_column(Text)
    # prompt and hints rendered (app/markdown.py) when the version is saved; a version
    # never changes, so pages show these instead of rendering Markdown on every load
    prompt_html: Mapped[str] = mapped_column(Text, default=_rendered_prompt)
    hints_html: Mapped[list] = mapped_column(JSON, default=_rendered_hints)
    difficulty: Mapped[str] = mapped_column(String(8), default=Difficulty.MEDIUM.value)
    answer_kind: Mapped[str] = mapped_column(String(16), default=AnswerKind.TEXT.value)
    code_language: Mapped[str | None] = mapped_column(String(32))
    # estimate questions: the reference value, its unit and the accepted relative error
    estimate_value: Mapped[float | None] = mapped_column(Float)
    estimate_unit: Mapped[str | None] = mapped_column(String(40))
    estimate_tolerance_pct: Mapped[float | None] = mapped_column(Float)
    worked_answer_md: Mapped[str] = mapped_column(Text, default="")
    suggested_minutes: Mapped[int] = mapped_column(default=10)
    hints: Mapped[list] = mapped_column(JSON, default=list)
    follow_ups: Mapped[list] = mapped_column(JSON, default=list)
    good_answer_md: Mapped[str] = mapped_column(Text, default="")  # hidden until answered
    tags: Mapped[list] = mapped_column(JSON, default=list)
    # [{"id": "kv_formula", "label": "...", "phrases": ["...", ...]}, ...]: what a strong
    # answer covers (issue 13), kept with the version so a round keeps the points it was
    # started with; [] for versions written before talking points existed
    talking_points: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # code questions: the tests block in file layout (app/domain/codetests.py), kept with
    # the version so a started round keeps its tests; None for other kinds
    code_tests: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    change_note: Mapped[str] = mapped_column(String(300), default="")

    question: Mapped[Question] = relationship(back_populates="versions", foreign_keys=[question_id])
    created_by = relationship("User")
    stage: Mapped[Stage] = relationship()
    rubric: Mapped[Rubric] = relationship()
    skills: Mapped[list[SkillArea]] = relationship(
        secondary=question_version_skills, order_by="SkillArea.position"
    )

    @property
    def prompt_markup(self) -> Markup:
        """The stored prompt HTML, safe for a template (sanitised when it was saved)."""
        return Markup(self.prompt_html or "")  # noqa: S704 - sanitised by nh3 at save time

    @property
    def hints_markup(self) -> list[Markup]:
        """The stored hints' HTML, in order."""
        return [Markup(hint) for hint in self.hints_html or []]  # noqa: S704 - as above


def _default_follow_up_count(context) -> int:
    """A new format's follow-up count, from its stage (the migration set the old ones)."""
    return follow_ups.default_count(context.get_current_parameters().get("stage_key"))


class RoundFormat(db.Model):
    __tablename__ = "round_formats"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    stage_key: Mapped[str] = mapped_column(ForeignKey("stages.key"), index=True)
    duration_minutes: Mapped[int]
    question_count: Mapped[int] = mapped_column(default=1)
    # optional restriction, e.g. ["code", "text"]; empty means any kind
    answer_kinds: Mapped[list] = mapped_column(JSON, default=list)
    # the kind the round's first question is drawn from (e.g. "code"); None: no rule
    first_kind: Mapped[str | None] = mapped_column(String(16))
    expiry_policy: Mapped[str] = mapped_column(String(20), default=ExpiryPolicy.AUTO_SUBMIT.value)
    grace_seconds: Mapped[int] = mapped_column(default=DEFAULT_GRACE_SECONDS)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    archived: Mapped[bool] = mapped_column(default=False)
    # The built-in single-question drill of a stage (issue 18, app.practice.drills): made
    # by the app, never listed in the formats grid, the editor or the bank's files.
    drill: Mapped[bool] = mapped_column(default=False, server_default=false())
    # how many of a question's follow-ups the round reveals (issue 13); set from the
    # stage when a format is created (app.domain.follow_ups.default_count)
    follow_up_count: Mapped[int] = mapped_column(
        default=_default_follow_up_count, server_default="1"
    )
    # whole minutes each hint opened in a round takes off its deadline (issue 18); 0: free
    hint_cost_minutes: Mapped[int] = mapped_column(default=0, server_default="0")

    stage: Mapped[Stage] = relationship()


class LoopPlan(db.Model):
    __tablename__ = "loop_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    archived: Mapped[bool] = mapped_column(default=False)

    steps: Mapped[list[LoopStep]] = relationship(
        back_populates="plan", order_by="LoopStep.position", cascade="all, delete-orphan"
    )


class LoopStep(db.Model):
    """One round of a loop plan. It opens `gap_minutes` after the previous round is
    submitted, and, when `opens_at` ("09:00") is set, not before that local time."""

    __tablename__ = "loop_steps"
    __table_args__ = (UniqueConstraint("plan_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("loop_plans.id"), index=True)
    position: Mapped[int]
    round_format_id: Mapped[int] = mapped_column(ForeignKey("round_formats.id"))
    gap_minutes: Mapped[int] = mapped_column(default=0)
    opens_at: Mapped[str | None] = mapped_column(String(5))
    label: Mapped[str] = mapped_column(String(120), default="")  # e.g. "On-site day 2"

    plan: Mapped[LoopPlan] = relationship(back_populates="steps")
    round_format: Mapped[RoundFormat] = relationship()
