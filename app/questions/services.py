"""Question bank use cases: versioned edits of questions and rubrics, publishing, lookups.

Every public function that changes data is one use case with exactly one commit.
Editing never touches an existing `QuestionVersion` or `RubricVersion`: it adds a new
version and moves the parent's `current_version_id`, so sessions pinned to an older
version keep exactly what they were started with.

Other areas draw questions with `published_question_versions(...)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.bank import (
    Question,
    QuestionStatus,
    QuestionVersion,
    Rubric,
    RubricVersion,
    SkillArea,
    question_version_skills,
)
from app.questions import bankfiles

IMPORT_NOTE = "imported from files"


class BankError(ValueError):
    """A use case refused its input; the message is safe to show to an admin.

    `problems` holds field-level problems (from the shared schema) when there are any.
    """

    def __init__(self, message: str, problems: Sequence[bankfiles.Problem] = (), field=None):
        super().__init__(message)
        self.problems = list(problems)
        self.field = field


# --- documents: the file form of a question or rubric ------------------------------------


def question_doc(question: Question, version: QuestionVersion | None = None) -> dict:
    """A question (its current version unless `version` is given) in the file layout."""
    v = version or question.current_version
    answer: dict[str, Any] = {
        "kind": v.answer_kind,
        "language": v.code_language if v.answer_kind == "code" else None,
        "value": None,
        "unit": None,
        "tolerance_pct": None,
        "worked_answer": None,
    }
    if v.answer_kind == "estimate":
        answer.update(
            value=v.estimate_value,
            unit=v.estimate_unit,
            tolerance_pct=v.estimate_tolerance_pct,
            worked_answer=v.worked_answer_md or None,
        )
    return {
        "key": question.key,
        "stage": v.stage_key,
        "status": question.status,
        "title": v.title,
        "skills": [s.key for s in v.skills],
        "difficulty": v.difficulty,
        "rubric": v.rubric.key,
        "suggested_minutes": v.suggested_minutes,
        "tags": list(v.tags or []),
        "prompt": v.prompt_md,
        "answer": answer,
        "hints": list(v.hints or []),
        "follow_ups": list(v.follow_ups or []),
        "good_answer": v.good_answer_md,
    }


def question_content(doc: dict) -> dict:
    """What makes a question version differ from another: the doc without key and status."""
    content = {k: v for k, v in doc.items() if k not in ("key", "status")}
    content["skills"] = sorted(content["skills"])
    content["answer"] = {k: _plain(v) for k, v in doc["answer"].items()}
    for name in ("hints", "follow_ups", "tags"):
        content[name] = list(content.get(name) or [])
    return content


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def rubric_doc(rubric: Rubric, version: RubricVersion | None = None) -> dict:
    """A rubric (its current version unless `version` is given) in the file layout."""
    v = version or rubric.current_version
    return {
        "key": rubric.key,
        "title": v.title,
        "description": v.description or "",
        "archived": rubric.archived,
        "criteria": [_criterion_doc(c) for c in v.criteria],
    }


def _criterion_doc(criterion: dict) -> dict:
    return {
        "key": criterion["key"],
        "title": criterion["title"],
        "description": criterion.get("description", ""),
        "weight": float(criterion.get("weight", 1.0)),
        "levels": [
            {"value": lv["value"], "label": lv["label"], "descriptor": lv["descriptor"]}
            for lv in criterion["levels"]
        ],
    }


def rubric_content(doc: dict) -> dict:
    """What makes a rubric version differ from another."""
    return {
        "title": doc["title"],
        "description": doc.get("description") or "",
        "criteria": [_criterion_doc(c) for c in doc["criteria"]],
    }


# --- versioning primitives (no commit: callers own the transaction) -----------------------


def add_question_version(
    question: Question,
    doc: dict,
    *,
    rubric_ids: dict[str, int],
    skills: dict[str, SkillArea],
    actor_id: int | None,
    change_note: str,
) -> QuestionVersion:
    """Append a new immutable version built from `doc` and make it current."""
    answer = doc["answer"]
    estimate = answer["kind"] == "estimate"
    number = 1 + max((v.number for v in question.versions), default=0)
    version = QuestionVersion(
        question=question,
        number=number,
        stage_key=doc["stage"],
        rubric_id=rubric_ids[doc["rubric"]],
        title=doc["title"],
        prompt_md=doc["prompt"],
        difficulty=doc["difficulty"],
        answer_kind=answer["kind"],
        code_language=answer.get("language") if answer["kind"] == "code" else None,
        estimate_value=answer.get("value") if estimate else None,
        estimate_unit=answer.get("unit") if estimate else None,
        estimate_tolerance_pct=answer.get("tolerance_pct") if estimate else None,
        worked_answer_md=(answer.get("worked_answer") or "") if estimate else "",
        suggested_minutes=doc["suggested_minutes"],
        hints=list(doc["hints"]),
        follow_ups=list(doc["follow_ups"]),
        good_answer_md=doc["good_answer"],
        tags=list(doc.get("tags") or []),
        created_by_id=actor_id,
        change_note=(change_note or "")[:300],
    )
    version.skills = [skills[k] for k in doc["skills"]]
    db.session.add(version)
    db.session.flush()
    question.current_version = version
    return version


def add_rubric_version(
    rubric: Rubric, doc: dict, *, actor_id: int | None, change_note: str
) -> RubricVersion:
    """Append a new immutable rubric version built from `doc` and make it current."""
    content = rubric_content(doc)
    number = 1 + max((v.number for v in rubric.versions), default=0)
    version = RubricVersion(
        rubric=rubric,
        number=number,
        title=content["title"],
        description=content["description"],
        criteria=content["criteria"],
        created_by_id=actor_id,
        change_note=(change_note or "")[:300],
    )
    db.session.add(version)
    db.session.flush()
    rubric.current_version = version
    return version


# --- lookups other areas use --------------------------------------------------------------


def published_question_versions(
    stage_key: str | None = None,
    skill_keys: Iterable[str] | None = None,
    answer_kinds: Iterable[str] | None = None,
    exclude_question_ids: Iterable[int] | None = None,
) -> list[QuestionVersion]:
    """Current versions of published questions, for drawing a round.

    Filters (all optional): `stage_key`; `skill_keys` (a question matches when it has ANY
    of them); `answer_kinds` (e.g. ["code", "text"]; empty or None means any);
    `exclude_question_ids` (questions the candidate has just seen). Ordered by question id.
    Each version comes with `question`, `skills` and `rubric.current_version` loaded;
    pin `version.id` and `version.rubric.current_version_id` when starting a session.
    """
    query = (
        select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.status == QuestionStatus.PUBLISHED.value)
        .options(
            selectinload(QuestionVersion.skills),
            selectinload(QuestionVersion.question),
            selectinload(QuestionVersion.rubric).selectinload(Rubric.current_version),
        )
        .order_by(Question.id)
    )
    if stage_key:
        query = query.where(QuestionVersion.stage_key == stage_key)
    skill_keys = list(skill_keys or [])
    if skill_keys:
        query = query.where(
            QuestionVersion.id.in_(
                select(question_version_skills.c.question_version_id).where(
                    question_version_skills.c.skill_key.in_(skill_keys)
                )
            )
        )
    kinds = list(answer_kinds or [])
    if kinds:
        query = query.where(QuestionVersion.answer_kind.in_(kinds))
    excluded = list(exclude_question_ids or [])
    if excluded:
        query = query.where(Question.id.not_in(excluded))
    return list(db.session.scalars(query))


def question_count() -> int:
    """How many questions the bank holds (any status)."""
    return db.session.scalar(select(func.count(Question.id))) or 0
