"""Question use cases of the bank editor: create, edit, copy, publish, archive, delete.

Each public function that changes data is one use case with exactly one commit, checks
its document with the file schema (`app.bank.files.schema`), audits what it did, and
takes `now` from its caller (the route reads the clock once per request).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from app.bank import reference_runner
from app.bank.documents import question_content, question_doc
from app.bank.errors import BankError, BankNotFound, commit_or_refuse
from app.bank.files import checks, schema
from app.bank.versions import add_question_version, audit_edit
from app.extensions import db
from app.models import audit
from app.models.bank import (
    Question,
    QuestionStatus,
    QuestionVersion,
    Rubric,
    SkillArea,
    Stage,
    question_version_skills,
)
from app.models.practice import SessionQuestion
from app.models.usage import QuestionTimeUsage, QuestionUsage, QuestionVersionUsage


def _refs() -> tuple[dict[str, int], dict[str, SkillArea], set[str]]:
    """What a question may refer to: rubric ids by key, skill areas by key, stage keys."""
    rubric_ids = {key: rid for key, rid in db.session.execute(select(Rubric.key, Rubric.id)).all()}
    skills = {s.key: s for s in db.session.scalars(select(SkillArea))}
    stages = set(db.session.scalars(select(Stage.key)))
    return rubric_ids, skills, stages


def check_question_doc(doc: dict, *, display: str = "question") -> dict:
    """Validate an edited question with the file schema and the database's references."""
    ck = checks.Check(display)
    checked = schema.QUESTION(ck, doc, 1, ())
    if checked is not checks.INVALID:
        rubric_ids, skills, stages = _refs()
        schema.check_question_refs(ck, checked, stages, set(skills), set(rubric_ids))
        archived = db.session.scalar(select(Rubric.archived).where(Rubric.key == checked["rubric"]))
        if archived:
            ck.add(1, "this rubric is archived; pick a current one", ("rubric",))
    if ck.problems:
        raise BankError("Please correct the highlighted fields; nothing was saved.", ck.problems)
    return checked


def check_reference(checked: dict, *, display: str = "question") -> None:
    """Run a checked code question's reference solution against its tests (a child CPython);
    refuse the save, naming each failing case, when it does not pass them all."""
    tests = checked.get("tests") if checked["answer"]["kind"] == "code" else None
    problems = reference_runner.check_one(tests, checked["good_answer"], display)
    if problems:
        raise BankError(
            "The reference solution does not pass its tests; nothing was saved.", problems
        )


def _question_or_error(question_id: int) -> Question:
    """The question, or BankNotFound."""
    question = db.session.get(Question, question_id)
    if question is None:
        raise BankNotFound("There is no such question.")
    return question


def _add_draft(doc: dict, *, actor_id: int | None, change_note: str, now: datetime) -> Question:
    """Add (and flush) a draft question whose version 1 is the checked `doc`."""
    rubric_ids, skills, _ = _refs()
    question = Question(key=doc["key"], status=QuestionStatus.DRAFT.value, created_at=now)
    question.updated_at = now
    db.session.add(question)
    db.session.flush()
    add_question_version(
        question,
        doc,
        rubric_ids=rubric_ids,
        skills=skills,
        actor_id=actor_id,
        change_note=change_note,
        first=True,
    )
    return question


def create_question(
    doc: dict, *, actor_id: int | None, now: datetime, change_note: str = ""
) -> Question:
    """Create a draft question with its version 1."""
    doc = dict(doc, status=QuestionStatus.DRAFT.value)
    checked = check_question_doc(doc)
    check_reference(checked)
    if db.session.scalar(select(Question.id).where(Question.key == checked["key"])):
        raise BankError(
            "Please correct the highlighted fields; nothing was saved.",
            [checks.Problem("question", 1, "this key is already used", ("key",))],
        )
    question = _add_draft(checked, actor_id=actor_id, change_note=change_note or "created", now=now)
    audit.record(
        "question.create", actor_id=actor_id, target_type="question", target_id=question.key
    )
    commit_or_refuse("A question with this key was created meanwhile; nothing was saved.")
    return question


def update_question(
    question_id: int, doc: dict, *, actor_id: int | None, now: datetime, change_note: str = ""
) -> QuestionVersion | None:
    """Save an edit as a new version; None when nothing changed (no version is added)."""
    question = _question_or_error(question_id)
    doc = dict(doc, key=question.key, status=question.status)
    if "tests" not in doc:  # a caller that does not edit tests keeps the current ones
        doc["tests"] = question_doc(question)["tests"]
    checked = check_question_doc(doc)
    if question_content(checked) == question_content(question_doc(question)):
        return None
    check_reference(checked)
    rubric_ids, skills, _ = _refs()
    version = add_question_version(
        question,
        checked,
        rubric_ids=rubric_ids,
        skills=skills,
        actor_id=actor_id,
        change_note=change_note,
    )
    question.updated_at = now
    audit_edit("question", question.key, version.number, actor_id, change_note)
    commit_or_refuse("This question was changed meanwhile; reload and try again.")
    return version


def _free_key(base: str) -> str:
    """A key for a copy of `base` that no question has yet (`base-copy`, `base-copy-2`...)."""
    base = base[:70]
    taken = set(
        db.session.scalars(
            select(Question.key).where(Question.key.startswith(base, autoescape=True))
        )
    )
    for n in range(1, 1000):
        candidate = f"{base}-copy" if n == 1 else f"{base}-copy-{n}"
        if candidate not in taken:
            return candidate
    raise BankError("Too many copies of this question already.")


def duplicate_question(question_id: int, *, actor_id: int | None, now: datetime) -> Question:
    """Copy a question's current version into a new draft with a free key."""
    source = _question_or_error(question_id)
    doc = question_doc(source)
    doc.update(key=_free_key(source.key), status=QuestionStatus.DRAFT.value)
    doc["title"] = f"{doc['title']} (copy)"[:200]
    copy = _add_draft(
        doc,
        actor_id=actor_id,
        change_note=f"copied from {source.key} version {source.current_version.number}",
        now=now,
    )
    audit.record(
        "question.duplicate",
        actor_id=actor_id,
        target_type="question",
        target_id=copy.key,
        source=source.key,
    )
    commit_or_refuse("A question with this key was created meanwhile; try again.")
    return copy


def publish_question(question_id: int, *, actor_id: int | None, now: datetime) -> Question:
    """Publish a draft or archived question so rounds can draw it."""
    question = _question_or_error(question_id)
    if question.status == QuestionStatus.PUBLISHED.value:
        raise BankError("This question is already published.")
    if question.current_version.rubric.archived:
        raise BankError(
            f"Its rubric '{question.current_version.rubric.key}' is archived; "
            "pick a current rubric before publishing."
        )
    if not question.current_version.talking_points:
        raise BankError(
            "It has no talking points; edit it to add "
            f"{schema.MIN_TALKING_POINTS} to {schema.MAX_TALKING_POINTS} points a strong "
            "answer covers before publishing."
        )
    question.status = QuestionStatus.PUBLISHED.value
    question.first_published_at = question.first_published_at or now
    question.updated_at = now
    audit.record(
        "question.publish", actor_id=actor_id, target_type="question", target_id=question.key
    )
    db.session.commit()
    return question


def archive_question(question_id: int, *, actor_id: int | None, now: datetime) -> Question:
    """Archive a question: rounds stop drawing it; past sessions keep their pinned version."""
    question = _question_or_error(question_id)
    if question.status == QuestionStatus.ARCHIVED.value:
        raise BankError("This question is already archived.")
    question.status = QuestionStatus.ARCHIVED.value
    question.updated_at = now
    audit.record(
        "question.archive", actor_id=actor_id, target_type="question", target_id=question.key
    )
    db.session.commit()
    return question


def deletion_blocker(question: Question) -> str | None:
    """Why a question may not be deleted, or None when it may (a never-published draft)."""
    if question.status != QuestionStatus.DRAFT.value or question.first_published_at:
        return "It has been published; archive it instead (nothing published is deleted)."
    used = db.session.scalar(
        select(func.count(SessionQuestion.id)).where(SessionQuestion.question_id == question.id)
    )
    if used:
        return "A practice session used it; archive it instead."
    return None


def delete_question(question_id: int, *, actor_id: int | None) -> str:
    """Delete a draft that was never published (all its versions); returns its key."""
    question = _question_or_error(question_id)
    blocker = deletion_blocker(question)
    if blocker:
        raise BankError(f"This question cannot be deleted. {blocker}")
    key = question.key
    version_ids = [v.id for v in question.versions]
    question.current_version_id = None
    db.session.flush()
    db.session.execute(
        delete(question_version_skills).where(
            question_version_skills.c.question_version_id.in_(version_ids)
        )
    )
    for counters in (QuestionTimeUsage, QuestionVersionUsage, QuestionUsage):  # all zero
        db.session.execute(delete(counters).where(counters.question_id == question.id))
    db.session.execute(delete(QuestionVersion).where(QuestionVersion.id.in_(version_ids)))
    db.session.delete(question)
    audit.record("question.delete", actor_id=actor_id, target_type="question", target_id=key)
    db.session.commit()
    return key
