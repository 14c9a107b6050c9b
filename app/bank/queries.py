"""Reading the bank: what rounds draw, the lists and filters of the bank pages, lookups.

Read-only; nothing here changes data. Other areas draw questions with
`published_question_versions(...)`. List pages are paginated with `db.paginate` and the
page number rule of `app.pagination`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, func, or_, select, tuple_
from sqlalchemy.orm import contains_eager, selectinload

from app import pagination
from app.bank.files import checks
from app.extensions import db
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
from app.models.practice import PracticeSession, SessionQuestion, SessionStatus


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
            db.session.scalars(
                select(RoundFormat)
                .where(RoundFormat.drill.is_(False))  # built-in drills are not edited
                .order_by(RoundFormat.position, RoundFormat.key)
            )
        ),
    }


def _list_options():
    """Loads for one question: its current version with skills, stage and rubric."""
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


def paginate(query, page: int, per_page: int):
    """One page of `query` (a page past the last is empty, never an error)."""
    return db.paginate(
        query,
        page=pagination.page_number(page),
        per_page=pagination.limit(per_page),
        error_out=False,
    )


def clean_filter(value: str | None) -> str | None:
    """A filter value from a query string, without characters a database cannot compare."""
    if not value:
        return None
    return checks.BAD_CHARS_RE.sub("", value).strip()[:200] or None


def _filtered(query, stage: str | None, skill: str | None, text: str | None):
    """`query` narrowed to a stage, a skill area and a text in key, title or prompt."""
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
    page: int,
    per_page: int,
    after: int | None = None,
    before: int | None = None,
) -> pagination.KeysetPage:
    """Admin list: questions (any status) filtered and paginated, newest change first.

    Next carries `after` (the page's last question id), Previous `before` (its first):
    such a page is read by `(updated_at, id)` past that question's, never by skipping
    rows, numbered from one COUNT that also gives the total; an id not on the filtered
    list reads `?page=` (which still skips rows)."""
    query = select(Question).join(
        QuestionVersion, Question.current_version_id == QuestionVersion.id
    )
    query = _filtered(query, stage, skill, text)
    status = clean_filter(status)
    if status:
        query = query.where(Question.status == status)
    size = pagination.limit(per_page)
    order = (Question.updated_at, Question.id)
    sort_key = tuple_(*order)
    newest_first = [c.desc() for c in order]

    def key_of(question_id):
        if question_id is None:
            return None
        return db.session.execute(
            query.with_only_columns(*order).where(Question.id == question_id)
        ).one_or_none()

    key, backwards, total = key_of(after), False, None
    if key is None:
        key = key_of(before)
        backwards = key is not None
    if key is not None:
        newer = sort_key > tuple_(*key) if backwards else sort_key >= tuple_(*key)
        total, ahead = _count_and_position(query, newer)
        if backwards and ahead <= size:  # Previous reaches the start: the first page, full
            key, backwards, page = None, False, 1
    if key is None:
        if total is None:
            total = db.session.scalar(query.with_only_columns(func.count(Question.id))) or 0
        number = pagination.page_number(page)
        start = pagination.offset(number, size)
        rows = _browse_rows(query.offset(start), newest_first, size + 1)
        items, more_before, more_after = rows[:size], start > 0, len(rows) > size
    elif not backwards:
        rows = _browse_rows(query.where(sort_key < tuple_(*key)), newest_first, size + 1)
        number = ahead // size + 1
        items, more_before, more_after = rows[:size], True, len(rows) > size
    else:
        rows = _browse_rows(query.where(sort_key > tuple_(*key)), order, size + 1)
        number = max(ahead - size, 0) // size + 1
        items, more_before, more_after = list(reversed(rows[:size])), len(rows) > size, True
    return pagination.KeysetPage(
        items=items,
        page=number,
        per_page=size,
        total=total,
        next_after=str(items[-1].id) if items and more_after else None,
        prev_before=str(items[0].id) if items and more_before else None,
    )


def browse_published(
    *,
    stage: str | None = None,
    skill: str | None = None,
    page: int,
    per_page: int,
    after: str | None = None,
    before: str | None = None,
) -> pagination.KeysetPage:
    """Candidate list: published questions by stage and skill, in funnel order.

    Next carries `after` (the last question's key) and Previous `before` (the first
    question's key): such a page is read by its sort key, `(stage position, title, id)`
    greater than (or, for Previous, less than, read backwards) the key's, never by
    skipping rows, and its number comes from the same one COUNT as the total. A typed-in
    `?page=` alone still skips rows; an unknown `after` or `before` reads `?page=` (or
    the first page).
    """
    query = (
        select(Question)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .join(Stage, Stage.key == QuestionVersion.stage_key)
        .where(Question.status == QuestionStatus.PUBLISHED.value)
    )
    query = _filtered(query, stage, skill, None)
    order = (Stage.position, QuestionVersion.title, Question.id)
    size = pagination.limit(per_page)
    key, backwards, total = _browse_key(query, order, after), False, None
    sort_key = tuple_(*order)
    if key is None:
        key = _browse_key(query, order, before)
        backwards = key is not None
    if backwards:
        total, ahead = _count_and_position(query, sort_key < tuple_(*key))
        if ahead <= size:  # Previous reaches the start: the first page, full
            key, backwards, page = None, False, 1
    if key is None:
        if total is None:
            total = db.session.scalar(query.with_only_columns(func.count(Question.id))) or 0
        number = pagination.page_number(page)
        start = pagination.offset(number, size)
        rows = _browse_rows(query.offset(start), order, size + 1)
        items, has_more_before = list(rows[:size]), start > 0
        has_more_after = len(rows) > size
    elif not backwards:
        key_values = tuple_(*key)
        total, start = _count_and_position(query, sort_key <= key_values)
        number = start // size + 1
        rows = _browse_rows(query.where(sort_key > key_values), order, size + 1)
        items, has_more_before, has_more_after = list(rows[:size]), True, len(rows) > size
    else:
        key_values = tuple_(*key)
        rows = _browse_rows(query.where(sort_key < key_values), [c.desc() for c in order], size + 1)
        items = list(reversed(rows[:size]))
        number = max(ahead - size, 0) // size + 1
        has_more_before, has_more_after = len(rows) > size, True
    return pagination.KeysetPage(
        items=items,
        page=number,
        per_page=size,
        total=total,
        next_after=items[-1].key if items and has_more_after else None,
        prev_before=items[0].key if items and has_more_before else None,
    )


def _count_and_position(query, ahead) -> tuple[int, int]:
    """The list's total and how many of its rows satisfy `ahead`, in one scan."""
    total, count = db.session.execute(
        query.with_only_columns(func.count(Question.id), func.sum(case((ahead, 1), else_=0)))
    ).one()
    return int(total or 0), int(count or 0)


def _browse_rows(query, order, limit: int) -> list:
    return list(db.session.scalars(query.options(*_page_options()).order_by(*order).limit(limit)))


def _browse_key(query, order, after: str | None):
    """The sort key `(stage position, title, id)` of the question `after` names when it is
    on this (filtered) list, else None."""
    after = clean_filter(after)
    if not after:
        return None
    return db.session.execute(
        query.with_only_columns(*order).where(Question.key == after)
    ).one_or_none()


def has_attempted(user_id: int, question_id: int) -> bool:
    """Whether the candidate has had this question in a round they finished."""
    return bool(
        db.session.scalar(
            select(SessionQuestion.id)
            .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
            .where(
                PracticeSession.user_id == user_id,
                PracticeSession.status != SessionStatus.IN_PROGRESS.value,
                SessionQuestion.question_id == question_id,
            )
            .limit(1)
        )
    )


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


def list_rubrics(*, page: int, per_page: int):
    """Admin list of rubrics (paginated) and {rubric id: published questions using it}."""
    query = (
        select(Rubric)
        .options(selectinload(Rubric.current_version))
        .order_by(Rubric.archived, Rubric.key)
    )
    result = paginate(query, page, per_page)
    ids = [r.id for r in result.items]
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
    return result, usage


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


def get_format(format_id: int) -> RoundFormat | None:
    """A round format by id, or None."""
    return db.session.get(RoundFormat, format_id)


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


def funnel() -> list[Stage]:
    """The interview funnel in order, each stage with its real round length (the landing page)."""
    return list(db.session.scalars(select(Stage).order_by(Stage.position, Stage.key)))
