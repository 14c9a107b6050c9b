"""Reading the bank: what rounds draw, the lists and filters of the bank pages, lookups.

Read-only; nothing here changes data. Other areas draw questions with
`published_question_versions(...)`. The long lists (browse, the editor's question list)
are read by key with `app.keyset`; the short ones are paginated with `db.paginate` and
the page number rule of `app.pagination`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from sqlalchemy import false, func, literal, or_, select, tuple_, union_all
from sqlalchemy.orm import contains_eager, selectinload

from app import keyset, pagination
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


def browse_choices() -> dict[str, list]:
    """Stages (in funnel order) and skills for the browse page's filters."""
    return {
        "stages": list(db.session.scalars(select(Stage).order_by(Stage.position, Stage.key))),
        "skills": list(
            db.session.scalars(select(SkillArea).order_by(SkillArea.position, SkillArea.key))
        ),
    }


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


ADMIN_ORDER = keyset.Order((Question.updated_at, Question.id), cursor=Question.id, descending=True)
BROWSE_ORDER = keyset.Order(
    (Stage.position, QuestionVersion.title, Question.id), cursor=Question.key
)


def search_questions(
    *,
    stage: str | None = None,
    skill: str | None = None,
    status: str | None = None,
    text: str | None = None,
    page: int | None,
    per_page: int,
    after: int | None = None,
    before: int | None = None,
    count_cap: int = keyset.COUNT_CAP,
) -> pagination.KeysetPage:
    """Admin list: questions (any status) filtered and paginated, newest change first.

    Read by key (`app.keyset`): Next carries `after` (the page's last question id),
    Previous `before` (its first), and either reads by `(updated_at, id)` past that
    question's along ix_questions_updated (ix_questions_status_updated for one status);
    the total is a count capped at `count_cap`. An id not on the filtered list is
    ignored."""
    query = select(Question).join(
        QuestionVersion, Question.current_version_id == QuestionVersion.id
    )
    query = _filtered(query, stage, skill, text)
    status = clean_filter(status)
    if status:
        query = query.where(Question.status == status)
    return keyset.read(
        query,
        ADMIN_ORDER,
        after=after,
        before=before,
        page=page,
        per_page=per_page,
        count_cap=count_cap,
        options=_page_options(),
    )


def browse_published(
    *,
    stage: str | None = None,
    skill: str | None = None,
    page: int | None,
    per_page: int,
    after: str | None = None,
    before: str | None = None,
    funnel: Iterable[Stage] | None = None,
    count_cap: int = keyset.COUNT_CAP,
) -> pagination.KeysetPage:
    """Candidate list: published questions by stage and skill, in funnel order.

    Read by key (`app.keyset`): Next carries `after` (the last question's key), Previous
    `before` (the first question's key); a page is read by its sort key `(stage
    position, title, id)` past that question's, and the total is a count capped at
    `count_cap`. An unknown or unlisted key is ignored. `funnel` is the stages in order
    (the page has them already for its filter; None: read here).

    The sort key spans three tables, so no one index serves it: the page is cut from at
    most `per_page` + 1 questions of each stage, each stage's read along
    ix_question_versions_stage_title in (title, question id) order (`_by_stage`)."""
    query = (
        select(Question)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .join(Stage, Stage.key == QuestionVersion.stage_key)
        .where(Question.status == QuestionStatus.PUBLISHED.value)
    )
    query = _filtered(query, stage, skill, None)
    if funnel is None:
        funnel = db.session.scalars(select(Stage).order_by(Stage.position, Stage.key))
    stages = [(s.key, s.position) for s in funnel]
    stage, skill = clean_filter(stage), clean_filter(skill)
    # Unfiltered, the list is every published question: a question's current version
    # and that version's stage always exist (foreign keys, stage_key NOT NULL), so the
    # joins drop none and the count needs only the questions table. At 10k questions
    # the joined count cost PostgreSQL 1.8-2.2 ms of the page's ~17 ms.
    counted = None
    if not stage and not skill:
        counted = select(Question.id).where(
            Question.status == QuestionStatus.PUBLISHED.value,
            Question.current_version_id.is_not(None),
        )
    if stage:
        stages = [s for s in stages if s[0] == stage]
    return keyset.read(
        query,
        BROWSE_ORDER,
        after=clean_filter(after),
        before=clean_filter(before),
        page=page,
        per_page=per_page,
        count_cap=count_cap,
        options=_page_options(),
        narrow=_by_stage(stages, skill),
        counted=counted,
    )


def _by_stage(stages: list[tuple[str, int]], skill: str | None) -> keyset.Narrow:
    """For `keyset.read`: the browse page's rows are among the first `limit` published
    questions of each stage past the key, in (title, question id) order, one index range
    read per stage (stages before the key's skipped); of those, in one UNION ALL, the
    first `limit` by the whole sort key (a sort of at most stages x `limit` narrow rows),
    so only the page's own rows are then loaded whole."""

    def narrow(key, ascending: bool, limit: int):
        arms = []
        for stage_key, position in stages:
            if key is not None and (position < key[0] if ascending else position > key[0]):
                continue
            if key is not None and position == key[0]:
                arm = _stage_arm_query(stage_key, position, skill, ascending)
                by, past = tuple_(*_ARM_ORDER), tuple_(*key[1:])
                arm = arm.where(by > past if ascending else by < past)
                arms.append(arm.limit(limit).subquery())
            else:
                arms.append(_stage_arm(stage_key, position, skill, ascending, limit))
        if not arms:
            return false()
        merged = union_all(*[select(a.c.position, a.c.title, a.c.question_id) for a in arms])
        merged = merged.subquery()
        order = (merged.c.position, merged.c.title, merged.c.question_id)
        first = (
            select(merged.c.question_id)
            .order_by(*[c.asc() if ascending else c.desc() for c in order])
            .limit(limit)
        )
        return Question.id.in_(first)

    return narrow


# Within a stage, browse pages go by (title, question id): each arm's ORDER BY and the
# page key's bound in the arm it falls in.
_ARM_ORDER = (QuestionVersion.title, QuestionVersion.question_id)


def _stage_arm_query(stage_key: str, position: int, skill: str | None, ascending: bool):
    """One stage's published questions (position, title, question id) in (title, question
    id) order, for `_by_stage`, without its LIMIT."""
    arm = (
        select(literal(position).label("position"), *_ARM_ORDER)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(
            QuestionVersion.stage_key == stage_key,
            Question.status == QuestionStatus.PUBLISHED.value,
        )
    )
    arm = _filtered(arm, None, skill, None)
    return arm.order_by(*[c.asc() if ascending else c.desc() for c in _ARM_ORDER])


@functools.lru_cache(maxsize=1024)
def _stage_arm(stage_key: str, position: int, skill: str | None, ascending: bool, limit: int):
    """`_stage_arm_query` as a LIMITed subquery, built once per stage and filter: the
    page reads every stage's arm (one per stage, ~20), and building them anew on each
    request was a third of bank browse's CPU (SQL statements are immutable values, so
    one may appear in any number of statements). Only the arm of the stage the page
    key falls in is built per request, with the key's values in it."""
    return _stage_arm_query(stage_key, position, skill, ascending).limit(limit).subquery()


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
