"""Practice reads: the round page's session, the start page, the history list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Integer, Row, and_, bindparam, case, distinct, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.domain import timing
from app.extensions import db
from app.models.bank import (
    LoopPlan,
    LoopStep,
    QuestionVersion,
    RoundFormat,
    SkillArea,
    Stage,
    question_version_skills,
)
from app.models.practice import (
    FollowUpAnswer,
    LoopRun,
    PracticeSession,
    SessionEvent,
    SessionQuestion,
    SessionStatus,
)
from app.models.users import User
from app.practice.answers import WARNING_SHOWN_KIND, WARNING_THRESHOLDS
from app.practice.errors import NotFound
from app.practice.lifecycle import finalise_overdue, finalise_users_overdue
from app.practice.loops import active_loop
from app.practice.starting import open_sessions


def round_view(user_id: int, session_id: int, *, now: datetime) -> PracticeSession:
    """A session with its questions, versions and skills loaded for the round page.

    Two statements: the session with its format and stage (one join), then its questions
    with their pinned versions and skills (one join); finalised first if its time ran out
    (404 if `user_id` does not own it). `populate_existing`: after a save in the same
    request the page shows what was written."""
    stmt = (
        select(PracticeSession)
        .where(PracticeSession.id == session_id)
        .options(
            joinedload(PracticeSession.round_format),
            joinedload(PracticeSession.stage),
            selectinload(PracticeSession.items)
            .joinedload(SessionQuestion.question_version)
            .joinedload(QuestionVersion.skills),
        )
        .execution_options(populate_existing=True)
    )
    session = db.session.scalars(stmt).unique().one_or_none()
    if session is None or session.user_id != user_id:
        raise NotFound("There is no such round.")
    if timing.is_overdue(session, now):
        finalise_overdue(session.id, now=now, by="request")
        session = db.session.scalars(stmt).unique().one()
    return session


# --- the round page: plain rows, no ORM objects ----------------------------------------
# The page a candidate reloads most reads only what it shows, as Core rows (attribute
# access like the models; no identity map, no relationship loading), in one prebuilt
# statement with bound parameters (compiled once per process).
_sessions = PracticeSession.__table__
_items = SessionQuestion.__table__
_versions = QuestionVersion.__table__
_events = SessionEvent.__table__
_formats = RoundFormat.__table__
_stages = Stage.__table__
_users = User.__table__
_skills = SkillArea.__table__
_follow_ups = FollowUpAnswer.__table__

# the question shown: the one asked for, else the one the candidate was on
_shown = _items.c.position == func.coalesce(
    bindparam("shown", type_=Integer), _sessions.c.current_position
)


# The warnings already shown (and logged) as one bit mask (bit i: the i-th threshold in
# ascending order), read from the round's few `warning_shown` events (a save logs one
# too, so a long round has thousands of others) by the (session_id, kind) index
# (migration 0018), once per statement: bound to the session id rather than correlated
# to the session's row, so PostgreSQL runs it once (an InitPlan), where one EXISTS per
# threshold correlated to the row ran once per threshold per row returned (every
# question, times the shown one's skills and follow-ups). The kind is WARNING_SHOWN_KIND,
# written into the SQL: bound, PostgreSQL priced this statement's generic plan at ten
# times a custom one and so planned it afresh on every page load (1.3 ms of its CPU,
# four times the statement's execution).
_THRESHOLDS = tuple(sorted(WARNING_THRESHOLDS))
_WARNED = (
    select(
        func.coalesce(
            func.sum(
                distinct(
                    case(
                        *(
                            (_events.c.data["seconds_left"].as_integer() == threshold, 1 << bit)
                            for bit, threshold in enumerate(_THRESHOLDS)
                        )
                    )
                )
            ),
            0,
        )
    )
    .where(
        _events.c.session_id == bindparam("session_id"),
        _events.c.kind == WARNING_SHOWN_KIND,
    )
    .scalar_subquery()
    .label("warned_mask")
)


# One row per question of the round, in order, with the session's columns (its format's
# and stage's names, its owner's "My projects", the warnings shown) and its pinned
# version's; the shown question's row once per skill of its version x follow-up revealed.
# Item columns that would clash with the session's (id, hint_penalty_seconds) and those
# the page never shows (code results, client ids) are left out.
_ROUND_PAGE = (
    select(
        _sessions.c.id,
        _sessions.c.user_id,
        _sessions.c.status,
        _sessions.c.started_at,
        _sessions.c.deadline_at,
        _sessions.c.grace_seconds,
        _sessions.c.expiry_policy,
        _sessions.c.is_take_home,
        _sessions.c.time_multiplier,
        _sessions.c.untimed,
        _sessions.c.current_position,
        _sessions.c.position_since,
        _sessions.c.follow_up_limit,
        _sessions.c.hint_cost_seconds,
        _sessions.c.hint_penalty_seconds,
        _formats.c.name.label("format_name"),
        _stages.c.name.label("stage_name"),
        _users.c.my_projects,
        _WARNED,
        _items.c.position,
        _items.c.question_id,
        _items.c.answer_text,
        _items.c.answer_number,
        _items.c.answer_unit,
        _items.c.answer_links,
        _items.c.revision,
        _items.c.hints_revealed,
        _items.c.saved_at,
        _items.c.time_spent_seconds,
        _versions.c.title,
        _versions.c.prompt_md,
        _versions.c.prompt_html,
        _versions.c.hints_html,
        _versions.c.hints,
        _versions.c.follow_ups.label("version_follow_ups"),
        _versions.c.answer_kind,
        _versions.c.code_language,
        _versions.c.estimate_unit,
        _versions.c.suggested_minutes,
        _versions.c.tags,
        _versions.c.code_tests,
        _skills.c.key.label("skill_key"),
        _skills.c.name.label("skill_name"),
        _follow_ups.c.number.label("fu_number"),
        _follow_ups.c.prompt.label("fu_prompt"),
        _follow_ups.c.answer_text.label("fu_answer_text"),
        _follow_ups.c.revision.label("fu_revision"),
        _follow_ups.c.saved_at.label("fu_saved_at"),
    )
    .join(_formats, _formats.c.id == _sessions.c.round_format_id)
    .join(_stages, _stages.c.key == _sessions.c.stage_key)
    .join(_users, _users.c.id == _sessions.c.user_id)
    .join(_items, _items.c.session_id == _sessions.c.id)
    .join(_versions, _versions.c.id == _items.c.question_version_id)
    .outerjoin(
        question_version_skills,
        and_(_shown, question_version_skills.c.question_version_id == _versions.c.id),
    )
    .outerjoin(_skills, _skills.c.key == question_version_skills.c.skill_key)
    .outerjoin(_follow_ups, and_(_shown, _follow_ups.c.session_question_id == _items.c.id))
    .where(_sessions.c.id == bindparam("session_id"), _sessions.c.user_id == bindparam("user_id"))
    .order_by(_items.c.position, _skills.c.position, _skills.c.key, _follow_ups.c.number)
)


class FollowUpRow(NamedTuple):
    """A follow-up revealed for the question on screen, as the round page shows it."""

    number: int
    prompt: str
    answer_text: str
    revision: int
    saved_at: datetime | None


@dataclass(frozen=True)
class RoundPage:
    """What the round page shows, read as rows: every question of the round in order
    with its pinned version's fields (`items`; each also carries the session's columns,
    so `session` is the first), the question at `position`, its version's skill names
    and its revealed follow-ups, and the time warnings already shown."""

    items: list[Row]
    position: int
    skills: list[str]
    follow_ups: list[FollowUpRow]
    warned: list[int]

    @property
    def session(self) -> Row:
        return self.items[0]

    @property
    def finished(self) -> bool:
        return self.session.status != SessionStatus.IN_PROGRESS


def _page_rows(user_id: int, session_id: int, shown: int | None) -> list[Row]:
    params = {"session_id": session_id, "user_id": user_id, "shown": shown}
    return db.session.connection().execute(_ROUND_PAGE, params).all()


def round_page(
    user_id: int, session_id: int, position: int | None = None, *, now: datetime
) -> RoundPage:
    """The round page's read, for question `position` (None: the one on screen last;
    clamped into the round): one statement; finalised first if its time ran out (404 if
    `user_id` does not own it). Read from the database, so after a save in the same
    request the page shows what was written."""
    db.session.flush()  # whatever this request changed and has not committed yet
    shown = None if position is None else max(0, position)
    rows = _page_rows(user_id, session_id, shown)
    if not rows:
        raise NotFound("There is no such round.")
    if timing.is_overdue(rows[0], now):
        finalise_overdue(session_id, now=now, by="request")
        rows = _page_rows(user_id, session_id, shown)
    if shown is None:
        shown = rows[0].current_position
    if shown > rows[-1].position:  # past the last question: the last one
        shown = rows[-1].position
        rows = _page_rows(user_id, session_id, shown)
    items, skills, follow_ups = [], {}, {}
    for row in rows:
        if not items or items[-1].position != row.position:
            items.append(row)
        if row.position == shown:
            if row.skill_key is not None:
                skills[row.skill_key] = row.skill_name
            if row.fu_number is not None:
                follow_ups[row.fu_number] = FollowUpRow(
                    row.fu_number, row.fu_prompt, row.fu_answer_text, row.fu_revision,
                    row.fu_saved_at,
                )  # fmt: skip
    first = rows[0]
    return RoundPage(
        items=items,
        position=shown,
        skills=list(skills.values()),
        follow_ups=[follow_ups[number] for number in sorted(follow_ups)],
        warned=[t for bit, t in enumerate(_THRESHOLDS) if int(first.warned_mask) >> bit & 1],
    )


def unanswered(session: PracticeSession) -> list[SessionQuestion]:
    """The questions of a session with nothing saved yet."""
    return [item for item in session.items if not item.is_answered]


# --- the start page ----------------------------------------------------------------------


@dataclass
class Overview:
    stages: list[tuple[Stage, list[RoundFormat]]]
    plans: list[LoopPlan]
    open_sessions: list[PracticeSession]
    active_run: LoopRun | None
    recent: list[PracticeSession]


def overview(user_id: int, *, now: datetime) -> Overview:
    """What the practice page shows: formats by stage, loop plans, open and recent rounds."""
    finalise_users_overdue(user_id, now)
    db.session.commit()
    formats = db.session.scalars(
        select(RoundFormat)
        .join(Stage, Stage.key == RoundFormat.stage_key)
        .where(RoundFormat.archived.is_(False), RoundFormat.drill.is_(False))
        .options(selectinload(RoundFormat.stage))
        .order_by(Stage.position, RoundFormat.position, RoundFormat.id)
    ).all()
    stages: list[tuple[Stage, list[RoundFormat]]] = []
    for fmt in formats:
        if not stages or stages[-1][0].key != fmt.stage_key:
            stages.append((fmt.stage, []))
        stages[-1][1].append(fmt)
    plans = db.session.scalars(
        select(LoopPlan)
        .where(LoopPlan.archived.is_(False))
        .options(selectinload(LoopPlan.steps).selectinload(LoopStep.round_format))
        .order_by(LoopPlan.id)
    ).all()
    recent = db.session.scalars(
        select(PracticeSession)
        .where(
            PracticeSession.user_id == user_id,
            PracticeSession.status != SessionStatus.IN_PROGRESS.value,
        )
        .options(selectinload(PracticeSession.round_format))
        .order_by(PracticeSession.started_at.desc(), PracticeSession.id.desc())
        .limit(5)
    ).all()
    return Overview(
        stages=stages,
        plans=list(plans),
        open_sessions=open_sessions(user_id),
        active_run=active_loop(user_id),
        recent=list(recent),
    )


def history_query(user_id: int):
    """The candidate's rounds, newest first (for pagination)."""
    return (
        select(PracticeSession)
        .where(PracticeSession.user_id == user_id)
        .options(selectinload(PracticeSession.round_format))
        .order_by(PracticeSession.started_at.desc(), PracticeSession.id.desc())
    )
