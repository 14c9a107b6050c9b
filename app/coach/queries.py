"""Reads for the coach pages. Visibility lives here, in one place.

A coach sees a session when the candidate linked them, the candidate is active, the
session is finished, and the candidate shares all sessions or marked this one shared.
Every coach page starts from `visible_sessions`, so an unlinked or unshared session is
simply not found (the route answers 404). List reads load a page and then a fixed
number of follow-up queries, so their query count does not grow with the data.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, literal, or_, select, tuple_
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from app.extensions import db
from app.models.bank import Stage
from app.models.practice import PracticeSession, SessionQuestion, SessionStatus
from app.models.review import CoachLink, Notification, Review, ReviewStatus
from app.models.users import User
from app.pagination import limit, page_number

QUEUE_STATES = ("awaiting", "draft")
QUEUE_COUNT_CAP = 1000  # the queue counts up to this many, then says "1,000+"
FILTER_SELECT_MAX = 150  # above this many linked candidates the filter is a search box
TREND_SESSIONS = 50  # reviewed sessions a calibration trend looks back over
RECENT_NOTIFICATIONS = 10  # notifications on the coach dashboard


def visible_sessions(coach_id: int) -> Select:
    """Finished sessions this coach may see."""
    return (
        select(PracticeSession)
        .join(
            CoachLink,
            and_(
                CoachLink.candidate_id == PracticeSession.user_id,
                CoachLink.coach_id == coach_id,
            ),
        )
        .join(User, User.id == PracticeSession.user_id)
        .where(
            PracticeSession.status != SessionStatus.IN_PROGRESS.value,
            User.active.is_(True),
            or_(User.coach_sharing == "all", PracticeSession.shared_with_coaches.is_(True)),
        )
    )


def _finished_order():
    """When a session finished (else its deadline): the stored, indexed `queued_at`."""
    return PracticeSession.queued_at


def visible_session(coach_id: int, session_id: int) -> PracticeSession | None:
    """One session with everything its log shows, or None when the coach may not see it."""
    return db.session.scalar(
        visible_sessions(coach_id)
        .where(PracticeSession.id == session_id)
        .options(
            joinedload(PracticeSession.user),
            joinedload(PracticeSession.stage),
            joinedload(PracticeSession.round_format),
            selectinload(PracticeSession.items).options(
                joinedload(SessionQuestion.question_version),
                joinedload(SessionQuestion.rubric_version),
                selectinload(SessionQuestion.follow_up_answers),
            ),
            selectinload(PracticeSession.events),
        )
    )


def linked_candidate(coach_id: int, candidate_id: int) -> User | None:
    """The candidate when they are linked to this coach and active, else None."""
    return db.session.scalar(
        select(User)
        .join(CoachLink, CoachLink.candidate_id == User.id)
        .where(CoachLink.coach_id == coach_id, User.id == candidate_id, User.active.is_(True))
    )


def review_of(coach_id: int, session_id: int) -> Review | None:
    """The coach's review of a session (draft or published) with its parts."""
    return db.session.scalar(
        select(Review)
        .where(Review.coach_id == coach_id, Review.session_id == session_id)
        .options(
            selectinload(Review.scores),
            selectinload(Review.answer_comments),
            selectinload(Review.revisions),
        )
    )


@dataclass
class QueuePage:
    """One page of the queue, read by its sort key `(queued_at, id)`, not by skipping rows.

    `next_after` is the session id the Next link carries (None: last page), `prev_before`
    the one Previous carries (None: first page). `page` is the page's number, from the
    (capped) count of sessions ahead of it; None when more than the cap lie ahead.
    """

    items: list  # PracticeSession, with user, stage and round format loaded
    drafts: set[int]  # session ids with a draft review by this coach
    total: int  # sessions in the (filtered) queue, at most the cap
    per_page: int
    page: int | None = 1
    capped: bool = False  # more than QUEUE_COUNT_CAP sessions match: the total is a floor
    next_after: int | None = None
    prev_before: int | None = None

    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.prev_before is not None

    @property
    def has_next(self) -> bool:
        return self.next_after is not None


def queue(
    coach_id: int,
    *,
    candidate_id: int | None = None,
    stage_key: str | None = None,
    state: str | None = None,
    search: str | None = None,
    page: int = 1,
    per_page: int,
    count_cap: int = QUEUE_COUNT_CAP,
    after: int | None = None,
    before: int | None = None,
) -> QueuePage:
    """Visible sessions without a published review by this coach, oldest first.

    Ordered by the stored, indexed `(queued_at, id)` (when the round finished, else its
    deadline). Next reads the sessions past `after`'s key, Previous those before
    `before`'s (both session ids, their key looked up inside the same statement), so a
    deep page costs what the first one costs; a typed `?page=` still skips rows, but
    never past the cap. The total is a capped count (a COUNT over at most `count_cap` + 1
    ids) and so is the number of sessions ahead of a keyset page, both in one statement;
    `capped` says the total is a floor. Three statements whatever the queue's size.
    `search` filters by candidate name or email (a case-insensitive substring, LIKE
    wildcards escaped).
    """
    stmt = visible_sessions(coach_id)
    reviewed = select(Review.id).where(
        Review.session_id == PracticeSession.id, Review.coach_id == coach_id
    )
    if state == "awaiting":
        stmt = stmt.where(~reviewed.exists())
    elif state == "draft":
        stmt = stmt.where(reviewed.where(Review.status == ReviewStatus.DRAFT.value).exists())
    else:
        # NOT EXISTS rather than an outer join: the planner then walks the indexes and
        # stops at the LIMIT instead of hashing every session (EXPLAIN at 100k sessions)
        stmt = stmt.where(~reviewed.where(Review.status == ReviewStatus.PUBLISHED.value).exists())
    if candidate_id:
        stmt = stmt.where(PracticeSession.user_id == candidate_id)
    if stage_key:
        stmt = stmt.where(PracticeSession.stage_key == stage_key)
    if search:
        pattern = f"%{_escape_like(search)}%"
        stmt = stmt.where(
            or_(
                User.display_name.ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
            )
        )
    size = limit(per_page)
    sort_key = tuple_(PracticeSession.queued_at, PracticeSession.id)
    cursor, backwards = (after, False) if after else (before, True) if before else (None, False)
    key = tuple_(_queue_key_of(cursor), literal(cursor)) if cursor else None

    def capped_count(where=None):
        rows = stmt.with_only_columns(PracticeSession.id)
        if where is not None:
            rows = rows.where(where)
        return (
            select(func.count()).select_from(rows.limit(count_cap + 1).subquery()).scalar_subquery()
        )

    if key is None:
        total, ahead = db.session.scalar(select(capped_count())), 0
    else:  # sessions ahead of the page: up to the cursor (Next), or before it (Previous)
        ahead_of = sort_key < key if backwards else sort_key <= key
        total, ahead = db.session.execute(select(capped_count(), capped_count(ahead_of))).one()
        if backwards and ahead <= size:  # Previous reaches the start: the first page, full
            key, backwards, ahead = None, False, 0
    total, ahead = int(total or 0), int(ahead or 0)
    capped, known = total > count_cap, ahead <= count_cap
    stmt = stmt.options(
        contains_eager(PracticeSession.user),  # the User the visibility join has
        joinedload(PracticeSession.stage),
        joinedload(PracticeSession.round_format),
    )
    oldest_first = (PracticeSession.queued_at, PracticeSession.id)
    if key is None:
        # a typed ?page= skips rows, but never past the cap (deeper pages: Next)
        start = min((page_number(page) - 1) * size, max(min(total, count_cap) - 1, 0))
        start -= start % size
        rows = list(db.session.scalars(stmt.order_by(*oldest_first).offset(start).limit(size + 1)))
        items, more_before, more_after, ahead = rows[:size], start > 0, len(rows) > size, start
    elif not backwards:
        rows = list(
            db.session.scalars(stmt.where(sort_key > key).order_by(*oldest_first).limit(size + 1))
        )
        items, more_before, more_after = rows[:size], True, len(rows) > size
    else:
        rows = list(
            db.session.scalars(
                stmt.where(sort_key < key)
                .order_by(PracticeSession.queued_at.desc(), PracticeSession.id.desc())
                .limit(size + 1)
            )
        )
        items, more_before, more_after = list(reversed(rows[:size])), len(rows) > size, True
        ahead = ahead - len(items)
    ids = [s.id for s in items]
    drafts = (
        set(
            db.session.scalars(
                select(Review.session_id).where(
                    Review.coach_id == coach_id, Review.session_id.in_(ids)
                )
            )
        )
        if ids
        else set()
    )
    return QueuePage(
        items=items,
        drafts=drafts,
        total=min(total, count_cap),
        per_page=size,
        page=ahead // size + 1 if known else None,
        capped=capped,
        next_after=items[-1].id if items and more_after else None,
        prev_before=items[0].id if items and more_before else None,
    )


def _queue_key_of(session_id: int):
    """The queue key `queued_at` of one session, as a scalar subquery (the cursor's key)."""
    other = aliased(PracticeSession)
    return select(other.queued_at).where(other.id == session_id).scalar_subquery()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def queue_filters(
    coach_id: int, select_max: int = FILTER_SELECT_MAX
) -> tuple[list[User] | None, list[tuple[str, str]]]:
    """The candidates and stages the queue can be filtered by.

    Candidates are None when the coach has more than `select_max` linked: a select of
    thousands of options is neither fast nor usable, so the page offers a search box.
    """
    # any `select_max` + 1 of the coach's links, then their users sorted: sorting all of
    # a coach's 10,000 candidates by name only to find a search box is needed cost a
    # scan and a sort on every queue page. On PostgreSQL the ids go in as an array, so the
    # users are read on their primary key (an IN (subquery) is hashed against every user).
    some = (
        select(CoachLink.candidate_id)
        .where(CoachLink.coach_id == coach_id)
        .limit(select_max + 1)
        .scalar_subquery()
    )
    if db.session.get_bind().dialect.name == "postgresql":
        linked = User.id == func.any(func.array(some))
    else:
        linked = User.id.in_(some)
    candidates = db.session.scalars(
        select(User).where(linked).order_by(User.display_name, User.id)
    ).all()
    stages = db.session.execute(select(Stage.key, Stage.name).order_by(Stage.position)).all()
    found = list(candidates) if len(candidates) <= select_max else None
    return found, [(k, n) for k, n in stages]


@dataclass(frozen=True)
class Counts:
    awaiting: int
    draft: int
    published: int
    candidates: int
    cap: int = QUEUE_COUNT_CAP  # a review count above this is shown as "1,000+"

    def shown(self, name: str) -> str:
        value = getattr(self, name)
        return f"{self.cap:,}+" if value > self.cap else f"{value:,}"


def dashboard_counts(coach_id: int, cap: int = QUEUE_COUNT_CAP) -> Counts:
    """Awaiting review, in draft, published (visible sessions only) and linked candidates.

    Each review count is capped (a COUNT over at most `cap` + 1 rows), so a coach with
    100k visible sessions costs a bounded read, not a scan of every one of them.
    """
    # (NOT) EXISTS, not an outer join: as in the queue, the planner then walks the
    # indexes up to the cap instead of hashing every visible session
    review = select(Review.id).where(
        Review.session_id == PracticeSession.id, Review.coach_id == coach_id
    )

    def capped(condition) -> int:
        limited = (
            visible_sessions(coach_id)
            .where(condition)
            .with_only_columns(PracticeSession.id)
            .limit(cap + 1)
        ).subquery()
        return int(db.session.scalar(select(func.count()).select_from(limited)) or 0)

    awaiting = capped(~review.exists())
    draft = capped(review.where(Review.status == ReviewStatus.DRAFT.value).exists())
    published = capped(review.where(Review.status == ReviewStatus.PUBLISHED.value).exists())
    candidates = db.session.scalar(
        select(func.count()).select_from(CoachLink).where(CoachLink.coach_id == coach_id)
    )
    return Counts(awaiting, draft, published, int(candidates or 0), cap)


@dataclass(frozen=True)
class CandidateRow:
    link: CoachLink
    sessions: int
    awaiting: int


def candidates(coach_id: int, page: int, per_page: int):
    """The coach's linked candidates (a page) with how many sessions each shares and awaits."""
    pagination = db.paginate(
        select(CoachLink)
        .where(CoachLink.coach_id == coach_id)
        .options(joinedload(CoachLink.candidate))
        .order_by(CoachLink.created_at.desc(), CoachLink.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    ids = [link.candidate_id for link in pagination.items]
    counts: dict[int, tuple[int, int]] = {}
    if ids:
        rows = db.session.execute(
            visible_sessions(coach_id)
            .outerjoin(
                Review,
                and_(Review.session_id == PracticeSession.id, Review.coach_id == coach_id),
            )
            .where(PracticeSession.user_id.in_(ids))
            .group_by(PracticeSession.user_id)
            .with_only_columns(
                PracticeSession.user_id,
                func.count(PracticeSession.id),
                func.sum(case((Review.id.is_(None), 1), else_=0)),
            )
        ).all()
        counts = {uid: (int(n), int(a or 0)) for uid, n, a in rows}
    rows = [CandidateRow(link, *counts.get(link.candidate_id, (0, 0))) for link in pagination.items]
    return pagination, rows


def candidate_sessions_for_coach(coach_id: int, candidate_id: int, page: int, per_page: int):
    """A page of the candidate's sessions this coach may see, newest first, with the
    coach's reviews (and their scores) and the questions' rubric versions."""
    pagination = db.paginate(
        visible_sessions(coach_id)
        .where(PracticeSession.user_id == candidate_id)
        .options(
            joinedload(PracticeSession.stage),
            joinedload(PracticeSession.round_format),
            selectinload(PracticeSession.items).joinedload(SessionQuestion.rubric_version),
        )
        .order_by(_finished_order().desc(), PracticeSession.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    reviews = reviews_by_session(coach_id, [s.id for s in pagination.items])
    return pagination, reviews


def reviews_by_session(coach_id: int, session_ids: list[int]) -> dict[int, Review]:
    if not session_ids:
        return {}
    found = db.session.scalars(
        select(Review)
        .where(Review.coach_id == coach_id, Review.session_id.in_(session_ids))
        .options(selectinload(Review.scores))
    ).all()
    return {r.session_id: r for r in found}


def reviewed_sessions(
    candidate_id: int, coach_id: int | None = None, limit: int = TREND_SESSIONS
) -> list:
    """The candidate's sessions with a published review (by one coach, or any), oldest first,
    the latest `limit` of them, with their reviews' revisions and the rubric versions."""
    stmt = (
        select(Review)
        .join(PracticeSession, PracticeSession.id == Review.session_id)
        .where(
            PracticeSession.user_id == candidate_id,
            Review.status == ReviewStatus.PUBLISHED.value,
        )
        .options(
            joinedload(Review.session).options(
                joinedload(PracticeSession.stage),
                selectinload(PracticeSession.items).joinedload(SessionQuestion.rubric_version),
            ),
            selectinload(Review.revisions),
        )
        .order_by(_finished_order().desc(), Review.id.desc())
        .limit(limit)
    )
    if coach_id is not None:  # a coach only ever sees what is still visible to them
        stmt = stmt.where(
            Review.coach_id == coach_id,
            Review.session_id.in_(visible_sessions(coach_id).with_only_columns(PracticeSession.id)),
        )
    return list(reversed(db.session.scalars(stmt).unique().all()))


# --- the candidate's side --------------------------------------------------------------


def coaches_of(candidate_id: int) -> list[CoachLink]:
    """The candidate's coach links, oldest first."""
    return list(
        db.session.scalars(
            select(CoachLink)
            .where(CoachLink.candidate_id == candidate_id)
            .options(joinedload(CoachLink.coach))
            .order_by(CoachLink.created_at, CoachLink.id)
        )
    )


@dataclass(frozen=True)
class SessionSharing:
    """Whether the candidate's linked coaches can see one of their sessions, and why.

    Shaped like the session for `coaching/_share_toggle.html` (`id`, `shared_with_coaches`).
    """

    id: int
    shared_with_coaches: bool
    mode: str  # the candidate's choice: "all" or "selected"
    coaches: int  # how many coaches the candidate has linked

    @property
    def visible(self) -> bool:
        return self.coaches > 0 and (self.mode == "all" or self.shared_with_coaches)


def session_sharing(candidate_id: int, session_id: int) -> SessionSharing | None:
    """The sharing state of one of the candidate's own sessions (None when not theirs)."""
    row = db.session.execute(
        select(PracticeSession.shared_with_coaches, User.coach_sharing)
        .join(User, User.id == PracticeSession.user_id)
        .where(PracticeSession.id == session_id, PracticeSession.user_id == candidate_id)
    ).one_or_none()
    if row is None:
        return None
    coaches = db.session.scalar(
        select(func.count()).select_from(CoachLink).where(CoachLink.candidate_id == candidate_id)
    )
    return SessionSharing(session_id, bool(row[0]), row[1], int(coaches or 0))


def finished_sessions_of(candidate_id: int, page: int, per_page: int):
    """A page of the candidate's finished sessions, newest first, and their published reviews."""
    pagination = db.paginate(
        select(PracticeSession)
        .where(
            PracticeSession.user_id == candidate_id,
            PracticeSession.status != SessionStatus.IN_PROGRESS.value,
        )
        .options(joinedload(PracticeSession.stage), joinedload(PracticeSession.round_format))
        .order_by(_finished_order().desc(), PracticeSession.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    ids = [s.id for s in pagination.items]
    reviews: dict[int, list[Review]] = {}
    if ids:
        for review in db.session.scalars(
            select(Review)
            .where(Review.session_id.in_(ids), Review.status == ReviewStatus.PUBLISHED.value)
            .options(joinedload(Review.coach))
            .order_by(Review.published_at)
        ):
            reviews.setdefault(review.session_id, []).append(review)
    return pagination, reviews


def published_review_for_candidate(candidate_id: int, review_id: int) -> Review | None:
    """A published review of one of the candidate's sessions, with what its page shows."""
    return db.session.scalar(
        select(Review)
        .join(PracticeSession, PracticeSession.id == Review.session_id)
        .where(
            Review.id == review_id,
            PracticeSession.user_id == candidate_id,
            Review.status == ReviewStatus.PUBLISHED.value,
        )
        .options(
            joinedload(Review.coach),
            selectinload(Review.revisions),
            joinedload(Review.session).options(
                joinedload(PracticeSession.stage),
                selectinload(PracticeSession.items).options(
                    joinedload(SessionQuestion.question_version),
                    joinedload(SessionQuestion.rubric_version),
                ),
            ),
        )
    )


def published_reviews_of_session(candidate_id: int, session_id: int) -> list[Review]:
    """Published reviews of one of the candidate's sessions (for their report)."""
    return list(
        db.session.scalars(
            select(Review)
            .join(PracticeSession, PracticeSession.id == Review.session_id)
            .where(
                Review.session_id == session_id,
                PracticeSession.user_id == candidate_id,
                Review.status == ReviewStatus.PUBLISHED.value,
            )
            .options(joinedload(Review.coach), selectinload(Review.revisions))
            .order_by(Review.published_at)
        )
    )


def recent_notifications(
    user_id: int, limit: int = RECENT_NOTIFICATIONS
) -> tuple[list[Notification], int]:
    """The user's latest notifications (unread first) and how many are unread."""
    items = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc())
        .limit(limit)
    ).all()
    unread = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return list(items), int(unread or 0)
