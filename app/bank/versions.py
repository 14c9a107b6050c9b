"""Versioning: new immutable versions of questions and rubrics, and diffs between them.

Editing never touches an existing `QuestionVersion` or `RubricVersion`: it adds a new
version and moves the parent's `current_version_id`, so sessions pinned to an older
version keep exactly what they were started with. Nothing here commits: the calling use
case (app/bank/questions.py, rubrics.py, transfer.py) owns the transaction.
"""

from __future__ import annotations

import difflib

from app.bank.documents import (
    plain_tests,
    question_content,
    question_doc,
    rubric_content,
    rubric_doc,
)
from app.bank.files import writing
from app.extensions import db
from app.models import audit
from app.models.bank import Question, QuestionVersion, Rubric, RubricVersion, SkillArea


def add_question_version(
    question: Question,
    doc: dict,
    *,
    rubric_ids: dict[str, int],
    skills: dict[str, SkillArea],
    actor_id: int | None,
    change_note: str,
    first: bool = False,
) -> QuestionVersion:
    """Append a new immutable version built from `doc` and make it current.

    `first=True` for a question just created (saves loading its empty version list).
    """
    answer = doc["answer"]
    estimate = answer["kind"] == "estimate"
    number = 1 if first else 1 + max((v.number for v in question.versions), default=0)
    version = QuestionVersion(
        question_id=question.id,
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
        talking_points=question_content(doc)["talking_points"],
        code_tests=plain_tests(doc.get("tests")) if answer["kind"] == "code" else None,
        created_by_id=actor_id,
        change_note=(change_note or "")[:300],
    )
    version.skills = [skills[k] for k in doc["skills"]]
    db.session.add(version)
    db.session.flush()
    question.current_version = version
    return version


def add_rubric_version(
    rubric: Rubric, doc: dict, *, actor_id: int | None, change_note: str, first: bool = False
) -> RubricVersion:
    """Append a new immutable rubric version built from `doc` and make it current."""
    content = rubric_content(doc)
    number = 1 if first else 1 + max((v.number for v in rubric.versions), default=0)
    version = RubricVersion(
        rubric_id=rubric.id,
        number=number,
        title=content["title"],
        description=content["description"],
        criteria=content["criteria"],
        hire_bar=content["hire_bar"],
        created_by_id=actor_id,
        change_note=(change_note or "")[:300],
    )
    db.session.add(version)
    db.session.flush()
    rubric.current_version = version
    return version


def audit_edit(kind: str, key: str, number: int, actor_id: int | None, note: str) -> None:
    """Audit an edit of the question or rubric `key` that made its version `number`."""
    audit.record(
        f"{kind}.edit",
        actor_id=actor_id,
        target_type=kind,
        target_id=key,
        version=number,
        note=note or "",
    )


def version_text(question: Question, version: QuestionVersion) -> str:
    """A version as YAML-ish text, for diffs (status is not part of a version)."""
    return _diff_text(writing.question_file_doc(question_doc(question, version)), "status")


def rubric_version_text(rubric: Rubric, version: RubricVersion) -> str:
    """A rubric version as YAML-ish text, for diffs (archiving is not part of a version)."""
    return _diff_text(rubric_doc(rubric, version), "archived")


def _diff_text(doc: dict, unversioned: str) -> str:
    """`doc` as YAML-ish text without its key and the `unversioned` field."""
    doc.pop("key", None)
    doc.pop(unversioned, None)
    return writing.dump_yaml(doc)


def version_diffs(texts: list[str]) -> list[list[str]]:
    """Unified-diff lines between each version text and the one before it."""
    diffs = []
    for i, text in enumerate(texts):
        before = texts[i - 1] if i else ""
        lines = difflib.unified_diff(
            before.splitlines(),
            text.splitlines(),
            fromfile=f"version {i}" if i else "(nothing)",
            tofile=f"version {i + 1}",
            lineterm="",
            n=2,
        )
        diffs.append(list(lines))
    return diffs
