"""Question bank use cases: versioned edits of questions and rubrics, publishing, lookups.

Every public function that changes data is one use case with exactly one commit.
Editing never touches an existing `QuestionVersion` or `RubricVersion`: it adds a new
version and moves the parent's `current_version_id`, so sessions pinned to an older
version keep exactly what they were started with.

Other areas draw questions with `published_question_versions(...)`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from app.bank import bankfiles
from app.clock import utcnow
from app.extensions import db
from app.models import audit
from app.models.bank import (
    LoopPlan,
    LoopStep,
    Question,
    QuestionStatus,
    QuestionVersion,
    RoundFormat,
    Rubric,
    RubricVersion,
    SkillArea,
    Stage,
    question_version_skills,
)
from app.models.practice import SessionQuestion

IMPORT_NOTE = "imported from files"


class BankError(ValueError):
    """A use case refused its input; the message is safe to show to an admin.

    `problems` holds field-level problems (from the shared schema) when there are any.
    """

    def __init__(self, message: str, problems: Sequence[bankfiles.Problem] = (), field=None):
        super().__init__(message)
        self.problems = list(problems)
        self.field = field


class BankNotFound(BankError):
    """The question, rubric, format or loop plan does not exist."""


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


# --- reading for pages --------------------------------------------------------------------


def bank_choices() -> dict[str, list]:
    """Stages, skills and rubrics for form choices: {"stages": [...], "skills": [...], ...}."""
    return {
        "stages": list(db.session.scalars(select(Stage).order_by(Stage.position, Stage.key))),
        "skills": list(
            db.session.scalars(select(SkillArea).order_by(SkillArea.position, SkillArea.key))
        ),
        "rubrics": list(
            db.session.scalars(
                select(Rubric).options(selectinload(Rubric.current_version)).order_by(Rubric.key)
            )
        ),
        "formats": list(
            db.session.scalars(select(RoundFormat).order_by(RoundFormat.position, RoundFormat.key))
        ),
    }


def _list_options():
    return (
        selectinload(Question.current_version).selectinload(QuestionVersion.skills),
        selectinload(Question.current_version).selectinload(QuestionVersion.stage),
        selectinload(Question.current_version).selectinload(QuestionVersion.rubric),
    )


def _page_options():
    """For the list pages, whose query already joins the current version: load it from that
    join, its stage in the same row, and only the skills with one more query (the lists
    show no rubric). The bank browse page spent most of its time in the selectin loads."""
    current = contains_eager(Question.current_version)
    return (current.joinedload(QuestionVersion.stage), current.selectinload(QuestionVersion.skills))


MAX_PAGE = 100_000


def clamp_page(page: int | None) -> int:
    """A page number a database can take (a huge ?page= would overflow the offset)."""
    return max(1, min(int(page or 1), MAX_PAGE))


def clean_filter(value: str | None) -> str | None:
    """A filter value from a query string, without characters a database cannot compare."""
    if not value:
        return None
    return bankfiles.BAD_CHARS_RE.sub("", value).strip()[:200] or None


def _filtered(query, stage: str | None, skill: str | None, text: str | None):
    stage, skill, text = clean_filter(stage), clean_filter(skill), clean_filter(text)
    if stage:
        query = query.where(QuestionVersion.stage_key == stage)
    if skill:
        query = query.where(
            QuestionVersion.id.in_(
                select(question_version_skills.c.question_version_id).where(
                    question_version_skills.c.skill_key == skill
                )
            )
        )
    if text:
        needle = text
        query = query.where(
            or_(
                Question.key.icontains(needle, autoescape=True),
                QuestionVersion.title.icontains(needle, autoescape=True),
                QuestionVersion.prompt_md.icontains(needle, autoescape=True),
            )
        )
    return query


def search_questions(
    *,
    stage: str | None = None,
    skill: str | None = None,
    status: str | None = None,
    text: str | None = None,
    page: int = 1,
    per_page: int = 20,
):
    """Admin list: questions (any status) filtered and paginated, newest change first."""
    query = select(Question).join(
        QuestionVersion, Question.current_version_id == QuestionVersion.id
    )
    query = _filtered(query, stage, skill, text)
    status = clean_filter(status)
    if status:
        query = query.where(Question.status == status)
    query = query.options(*_page_options()).order_by(Question.updated_at.desc(), Question.id.desc())
    return db.paginate(query, page=clamp_page(page), per_page=per_page, error_out=False)


def browse_published(
    *, stage: str | None = None, skill: str | None = None, page: int = 1, per_page: int = 20
):
    """Candidate list: published questions by stage and skill, in funnel order."""
    query = (
        select(Question)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .join(Stage, Stage.key == QuestionVersion.stage_key)
        .where(Question.status == QuestionStatus.PUBLISHED.value)
    )
    query = _filtered(query, stage, skill, None)
    query = query.options(*_page_options()).order_by(
        Stage.position, QuestionVersion.title, Question.id
    )
    return db.paginate(query, page=clamp_page(page), per_page=per_page, error_out=False)


def published_question(key: str) -> Question | None:
    """A published question by key with its current version and rubric loaded, or None."""
    if clean_filter(key) != key:
        return None
    return db.session.scalar(
        select(Question)
        .where(Question.key == key, Question.status == QuestionStatus.PUBLISHED.value)
        .options(
            *_list_options(),
            selectinload(Question.current_version)
            .selectinload(QuestionVersion.rubric)
            .selectinload(Rubric.current_version),
        )
    )


def get_question(question_id: int) -> Question | None:
    """Any question by id with its versions, their skills and authors loaded."""
    return db.session.scalar(
        select(Question)
        .where(Question.id == question_id)
        .options(
            *_list_options(),
            selectinload(Question.versions).selectinload(QuestionVersion.skills),
            selectinload(Question.versions).selectinload(QuestionVersion.created_by),
            selectinload(Question.versions).selectinload(QuestionVersion.rubric),
        )
    )


def get_rubric(rubric_id: int) -> Rubric | None:
    """A rubric by id with its versions and their authors loaded."""
    return db.session.scalar(
        select(Rubric)
        .where(Rubric.id == rubric_id)
        .options(
            selectinload(Rubric.current_version),
            selectinload(Rubric.versions).selectinload(RubricVersion.created_by),
        )
    )


def list_rubrics(page: int = 1, per_page: int = 20):
    """Admin list of rubrics (paginated) and {rubric id: published questions using it}."""
    query = (
        select(Rubric)
        .options(selectinload(Rubric.current_version))
        .order_by(Rubric.archived, Rubric.key)
    )
    pagination = db.paginate(query, page=clamp_page(page), per_page=per_page, error_out=False)
    ids = [r.id for r in pagination.items]
    usage = dict(
        db.session.execute(
            select(QuestionVersion.rubric_id, func.count(Question.id))
            .join(Question, Question.current_version_id == QuestionVersion.id)
            .where(
                Question.status == QuestionStatus.PUBLISHED.value,
                QuestionVersion.rubric_id.in_(ids),
            )
            .group_by(QuestionVersion.rubric_id)
        ).all()
    )
    return pagination, usage


def version_text(question: Question, version: QuestionVersion) -> str:
    """A version as YAML-ish text, for diffs (status is not part of a version)."""
    return _diff_text(bankfiles.question_file_doc(question_doc(question, version)), "status")


def rubric_version_text(rubric: Rubric, version: RubricVersion) -> str:
    """A rubric version as YAML-ish text, for diffs (archiving is not part of a version)."""
    return _diff_text(rubric_doc(rubric, version), "archived")


def _diff_text(doc: dict, unversioned: str) -> str:
    """`doc` as YAML-ish text without its key and the `unversioned` field."""
    doc.pop("key", None)
    doc.pop(unversioned, None)
    return bankfiles.dump_yaml(doc)


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


# --- question use cases -------------------------------------------------------------------


def _refs() -> tuple[dict[str, int], dict[str, SkillArea], set[str]]:
    rubric_ids = {key: rid for key, rid in db.session.execute(select(Rubric.key, Rubric.id)).all()}
    skills = {s.key: s for s in db.session.scalars(select(SkillArea))}
    stages = set(db.session.scalars(select(Stage.key)))
    return rubric_ids, skills, stages


def check_question_doc(doc: dict, *, display: str = "question") -> dict:
    """Validate an edited question with the file schema and the database's references."""
    ck = bankfiles.Check(display)
    checked = bankfiles.QUESTION(ck, doc, 1, ())
    if checked is not bankfiles.INVALID:
        rubric_ids, skills, stages = _refs()
        bankfiles.check_question_refs(ck, checked, stages, set(skills), set(rubric_ids))
        archived = db.session.scalar(select(Rubric.archived).where(Rubric.key == checked["rubric"]))
        if archived:
            ck.add(1, "this rubric is archived; pick a current one", ("rubric",))
    if ck.problems:
        raise BankError("Please correct the highlighted fields; nothing was saved.", ck.problems)
    return checked


def _commit_or_refuse(message: str) -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise BankError(message) from None


def _add_draft(doc: dict, *, actor_id: int | None, change_note: str) -> Question:
    """Add (and flush) a draft question whose version 1 is the checked `doc`."""
    rubric_ids, skills, _ = _refs()
    now = utcnow()
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


def create_question(doc: dict, *, actor_id: int | None, change_note: str = "") -> Question:
    """Create a draft question with its version 1."""
    doc = dict(doc, status=QuestionStatus.DRAFT.value)
    checked = check_question_doc(doc)
    if db.session.scalar(select(Question.id).where(Question.key == checked["key"])):
        raise BankError(
            "Please correct the highlighted fields; nothing was saved.",
            [bankfiles.Problem("question", 1, "this key is already used", ("key",))],
        )
    question = _add_draft(checked, actor_id=actor_id, change_note=change_note or "created")
    audit.record(
        "question.create", actor_id=actor_id, target_type="question", target_id=question.key
    )
    _commit_or_refuse("A question with this key was created meanwhile; nothing was saved.")
    return question


def update_question(
    question_id: int, doc: dict, *, actor_id: int | None, change_note: str = ""
) -> QuestionVersion | None:
    """Save an edit as a new version; None when nothing changed (no version is added)."""
    question = _question_or_error(question_id)
    doc = dict(doc, key=question.key, status=question.status)
    checked = check_question_doc(doc)
    if question_content(checked) == question_content(question_doc(question)):
        return None
    rubric_ids, skills, _ = _refs()
    version = add_question_version(
        question,
        checked,
        rubric_ids=rubric_ids,
        skills=skills,
        actor_id=actor_id,
        change_note=change_note,
    )
    question.updated_at = utcnow()
    _audit_edit("question", question.key, version.number, actor_id, change_note)
    _commit_or_refuse("This question was changed meanwhile; reload and try again.")
    return version


def _audit_edit(kind: str, key: str, number: int, actor_id: int | None, note: str) -> None:
    """Audit an edit of the question or rubric `key` that made its version `number`."""
    audit.record(
        f"{kind}.edit",
        actor_id=actor_id,
        target_type=kind,
        target_id=key,
        version=number,
        note=note or "",
    )


def _question_or_error(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise BankNotFound("There is no such question.")
    return question


def _free_key(base: str) -> str:
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


def duplicate_question(question_id: int, *, actor_id: int | None) -> Question:
    """Copy a question's current version into a new draft with a free key."""
    source = _question_or_error(question_id)
    doc = question_doc(source)
    doc.update(key=_free_key(source.key), status=QuestionStatus.DRAFT.value)
    doc["title"] = f"{doc['title']} (copy)"[:200]
    copy = _add_draft(
        doc,
        actor_id=actor_id,
        change_note=f"copied from {source.key} version {source.current_version.number}",
    )
    audit.record(
        "question.duplicate",
        actor_id=actor_id,
        target_type="question",
        target_id=copy.key,
        source=source.key,
    )
    _commit_or_refuse("A question with this key was created meanwhile; try again.")
    return copy


def publish_question(question_id: int, *, actor_id: int | None) -> Question:
    """Publish a draft or archived question so rounds can draw it."""
    question = _question_or_error(question_id)
    if question.status == QuestionStatus.PUBLISHED.value:
        raise BankError("This question is already published.")
    if question.current_version.rubric.archived:
        raise BankError(
            f"Its rubric '{question.current_version.rubric.key}' is archived; "
            "pick a current rubric before publishing."
        )
    now = utcnow()
    question.status = QuestionStatus.PUBLISHED.value
    question.first_published_at = question.first_published_at or now
    question.updated_at = now
    audit.record(
        "question.publish", actor_id=actor_id, target_type="question", target_id=question.key
    )
    db.session.commit()
    return question


def archive_question(question_id: int, *, actor_id: int | None) -> Question:
    """Archive a question: rounds stop drawing it; past sessions keep their pinned version."""
    question = _question_or_error(question_id)
    if question.status == QuestionStatus.ARCHIVED.value:
        raise BankError("This question is already archived.")
    question.status = QuestionStatus.ARCHIVED.value
    question.updated_at = utcnow()
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
    db.session.execute(delete(QuestionVersion).where(QuestionVersion.id.in_(version_ids)))
    db.session.delete(question)
    audit.record("question.delete", actor_id=actor_id, target_type="question", target_id=key)
    db.session.commit()
    return key


# --- rubric use cases ---------------------------------------------------------------------


def check_rubric_doc(doc: dict, *, display: str = "rubric") -> dict:
    """Validate an edited rubric with the file schema."""
    ck = bankfiles.Check(display)
    checked = bankfiles.RUBRIC(ck, doc, 1, ())
    if ck.problems:
        raise BankError("Please correct the highlighted fields; nothing was saved.", ck.problems)
    return checked


def create_rubric(doc: dict, *, actor_id: int | None, change_note: str = "") -> Rubric:
    """Create a rubric with its version 1."""
    checked = check_rubric_doc(dict(doc, archived=False))
    if db.session.scalar(select(Rubric.id).where(Rubric.key == checked["key"])):
        raise BankError(
            "Please correct the highlighted fields; nothing was saved.",
            [bankfiles.Problem("rubric", 1, "this key is already used", ("key",))],
        )
    rubric = Rubric(key=checked["key"], created_at=utcnow())
    db.session.add(rubric)
    db.session.flush()
    add_rubric_version(
        rubric, checked, actor_id=actor_id, change_note=change_note or "created", first=True
    )
    audit.record("rubric.create", actor_id=actor_id, target_type="rubric", target_id=rubric.key)
    _commit_or_refuse("A rubric with this key was created meanwhile; nothing was saved.")
    return rubric


def update_rubric(
    rubric_id: int, doc: dict, *, actor_id: int | None, change_note: str = ""
) -> RubricVersion | None:
    """Save a rubric edit as a new version; None when nothing changed."""
    rubric = _rubric_or_error(rubric_id)
    checked = check_rubric_doc(dict(doc, key=rubric.key, archived=rubric.archived))
    if rubric_content(checked) == rubric_content(rubric_doc(rubric)):
        return None
    version = add_rubric_version(rubric, checked, actor_id=actor_id, change_note=change_note)
    _audit_edit("rubric", rubric.key, version.number, actor_id, change_note)
    _commit_or_refuse("This rubric was changed meanwhile; reload and try again.")
    return version


def _rubric_or_error(rubric_id: int) -> Rubric:
    rubric = db.session.get(Rubric, rubric_id)
    if rubric is None:
        raise BankNotFound("There is no such rubric.")
    return rubric


def published_questions_using(rubric_id: int) -> list[str]:
    """Keys of published questions whose current version is scored with this rubric."""
    return list(
        db.session.scalars(
            select(Question.key)
            .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
            .where(
                QuestionVersion.rubric_id == rubric_id,
                Question.status == QuestionStatus.PUBLISHED.value,
            )
            .order_by(Question.key)
        )
    )


def _in_use_message(rubric: Rubric, keys: list[str], verb: str) -> str:
    shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
    return (
        f"Rubric '{rubric.key}' cannot be {verb}: {len(keys)} published "
        f"question{'s' if len(keys) != 1 else ''} still use{'s' if len(keys) == 1 else ''} "
        f"it ({shown}). Move them to another rubric or archive them first."
    )


def archive_rubric(rubric_id: int, *, actor_id: int | None) -> Rubric:
    """Archive a rubric no published question uses (old sessions keep their versions)."""
    rubric = _rubric_or_error(rubric_id)
    if rubric.archived:
        raise BankError("This rubric is already archived.")
    keys = published_questions_using(rubric.id)
    if keys:
        raise BankError(_in_use_message(rubric, keys, "archived"))
    rubric.archived = True
    audit.record("rubric.archive", actor_id=actor_id, target_type="rubric", target_id=rubric.key)
    db.session.commit()
    return rubric


def restore_rubric(rubric_id: int, *, actor_id: int | None) -> Rubric:
    """Bring an archived rubric back into use."""
    rubric = _rubric_or_error(rubric_id)
    if not rubric.archived:
        raise BankError("This rubric is not archived.")
    rubric.archived = False
    audit.record("rubric.restore", actor_id=actor_id, target_type="rubric", target_id=rubric.key)
    db.session.commit()
    return rubric


def delete_rubric(rubric_id: int, *, actor_id: int | None) -> str:
    """Delete a rubric nothing refers to (no question version, no session); returns its key."""
    rubric = _rubric_or_error(rubric_id)
    keys = published_questions_using(rubric.id)
    if keys:
        raise BankError(_in_use_message(rubric, keys, "deleted"))
    referenced = db.session.scalar(
        select(func.count(QuestionVersion.id)).where(QuestionVersion.rubric_id == rubric.id)
    ) or db.session.scalar(
        select(func.count(SessionQuestion.id))
        .join(RubricVersion, RubricVersion.id == SessionQuestion.rubric_version_id)
        .where(RubricVersion.rubric_id == rubric.id)
    )
    if referenced:
        raise BankError(
            f"Rubric '{rubric.key}' cannot be deleted: draft, archived or older question "
            "versions or practice sessions refer to it. Archive it instead."
        )
    key = rubric.key
    rubric.current_version_id = None
    db.session.flush()
    db.session.execute(delete(RubricVersion).where(RubricVersion.rubric_id == rubric.id))
    db.session.delete(rubric)
    audit.record("rubric.delete", actor_id=actor_id, target_type="rubric", target_id=key)
    db.session.commit()
    return key


def sync_attributes(obj: Any, values: dict) -> bool:
    """Set the attributes that differ; say whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def sync_loop_steps(plan: LoopPlan, steps: list[dict], format_ids: dict[str, int]) -> bool:
    """Make `plan.steps` match `steps` in place (keeps row ids where positions survive)."""
    changed = False
    current = {s.position: s for s in plan.steps}
    for position, doc in enumerate(steps):
        values = {
            "round_format_id": format_ids[doc["format"]],
            "gap_minutes": doc["gap_minutes"],
            "opens_at": doc["opens_at"],
            "label": doc["label"],
        }
        step = current.pop(position, None)
        if step is None:
            plan.steps.append(LoopStep(position=position, **values))
            changed = True
        else:
            changed = sync_attributes(step, values) or changed
    for step in current.values():
        plan.steps.remove(step)
        changed = True
    return changed


# --- round formats and loop plans --------------------------------------------------------


def format_doc(fmt: RoundFormat) -> dict:
    """A round format in the file layout."""
    return {
        "key": fmt.key,
        "name": fmt.name,
        "stage": fmt.stage_key,
        "minutes": fmt.duration_minutes,
        "questions": fmt.question_count,
        "answer_kinds": list(fmt.answer_kinds or []),
        "expiry": fmt.expiry_policy,
        "grace_seconds": fmt.grace_seconds,
        "description": fmt.description or "",
        "archived": fmt.archived,
    }


def save_format(format_id: int | None, doc: dict, *, actor_id: int | None) -> RoundFormat:
    """Create (format_id None) or update a round format after checking it like the files."""
    ck = bankfiles.Check("format")
    fmt = db.session.get(RoundFormat, format_id) if format_id else None
    if format_id and fmt is None:
        raise BankNotFound("There is no such round format.")
    if fmt is not None:
        doc = dict(doc, key=fmt.key)
    checked = bankfiles.FORMAT(ck, doc, 1, ())
    stage = doc.get("stage")
    if isinstance(stage, str) and db.session.get(Stage, stage) is None:
        ck.add(1, f"unknown stage '{stage}'", ("stage",))
    if fmt is None and db.session.scalar(
        select(RoundFormat.id).where(RoundFormat.key == str(doc.get("key")))
    ):
        ck.add(1, "this key is already used", ("key",))
    if ck.problems:
        raise BankError("Please correct the highlighted fields; nothing was saved.", ck.problems)
    values = {
        "name": checked["name"],
        "stage_key": checked["stage"],
        "duration_minutes": checked["minutes"],
        "question_count": checked["questions"],
        "answer_kinds": list(checked["answer_kinds"]),
        "expiry_policy": checked["expiry"],
        "grace_seconds": checked["grace_seconds"],
        "description": checked["description"],
        "archived": checked["archived"],
    }
    if fmt is None:
        position = db.session.scalar(select(func.max(RoundFormat.position))) or 0
        fmt = RoundFormat(key=checked["key"], position=position + 1, **values)
        db.session.add(fmt)
        action = "format.create"
    else:
        before = format_doc(fmt)
        for name, value in values.items():
            setattr(fmt, name, value)
        action = "format.edit"
        values = {k: v for k, v in format_doc(fmt).items() if before.get(k) != v}
    audit.record(
        action,
        actor_id=actor_id,
        target_type="round_format",
        target_id=checked["key"],
        changes=sorted(values),
    )
    _commit_or_refuse("A round format with this key was created meanwhile; nothing was saved.")
    return fmt


def get_loop(plan_id: int) -> LoopPlan | None:
    """A loop plan with its steps and their formats."""
    return db.session.scalar(
        select(LoopPlan)
        .where(LoopPlan.id == plan_id)
        .options(selectinload(LoopPlan.steps).selectinload(LoopStep.round_format))
    )


def list_loops() -> list[LoopPlan]:
    """Every loop plan in display order with steps loaded."""
    return list(
        db.session.scalars(
            select(LoopPlan)
            .options(selectinload(LoopPlan.steps).selectinload(LoopStep.round_format))
            .order_by(LoopPlan.archived, LoopPlan.position, LoopPlan.key)
        )
    )


def loop_doc(plan: LoopPlan) -> dict:
    """A loop plan in the file layout."""
    return {
        "key": plan.key,
        "name": plan.name,
        "description": plan.description or "",
        "archived": plan.archived,
        "steps": [
            {
                "format": s.round_format.key,
                "label": s.label or "",
                "gap_minutes": s.gap_minutes,
                "opens_at": s.opens_at,
            }
            for s in plan.steps
        ],
    }


def save_loop(plan_id: int | None, doc: dict, *, actor_id: int | None) -> LoopPlan:
    """Create (plan_id None) or update a loop plan and its ordered steps."""
    ck = bankfiles.Check("loop")
    plan = get_loop(plan_id) if plan_id else None
    if plan_id and plan is None:
        raise BankNotFound("There is no such loop plan.")
    if plan is not None:
        doc = dict(doc, key=plan.key)
    checked = bankfiles.LOOP(ck, doc, 1, ())
    format_ids = {k: i for k, i in db.session.execute(select(RoundFormat.key, RoundFormat.id))}
    steps = doc.get("steps")
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        key = step.get("format") if isinstance(step, dict) else None
        if isinstance(key, str) and key not in format_ids:
            ck.add(1, f"unknown format '{key}'", ("steps", i, "format"))
    if plan is None and db.session.scalar(
        select(LoopPlan.id).where(LoopPlan.key == str(doc.get("key")))
    ):
        ck.add(1, "this key is already used", ("key",))
    if ck.problems:
        raise BankError("Please correct the highlighted fields; nothing was saved.", ck.problems)
    values = {
        "name": checked["name"],
        "description": checked["description"],
        "archived": checked["archived"],
    }
    if plan is None:
        position = db.session.scalar(select(func.max(LoopPlan.position))) or 0
        plan = LoopPlan(key=checked["key"], position=position + 1, **values)
        db.session.add(plan)
        action = "loop.create"
    else:
        for name, value in values.items():
            setattr(plan, name, value)
        action = "loop.edit"
    sync_loop_steps(plan, checked["steps"], format_ids)
    audit.record(
        action,
        actor_id=actor_id,
        target_type="loop_plan",
        target_id=checked["key"],
        steps=[s["format"] for s in checked["steps"]],
    )
    _commit_or_refuse("A loop plan with this key was created meanwhile; nothing was saved.")
    return plan
