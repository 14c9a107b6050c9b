"""Test data for coach review: finished sessions with answers and an event log.

Built straight on the models (the practice area's services are not needed), inside an
app context; they commit.
"""

from __future__ import annotations

from datetime import timedelta

from app.clock import utcnow
from app.extensions import db
from app.models.practice import PracticeSession, SessionEvent, SessionQuestion
from app.models.review import CoachLink
from app.models.users import User
from tests import factories


def link(coach_id: int, candidate_id: int) -> CoachLink:
    obj = CoachLink(coach_id=coach_id, candidate_id=candidate_id, created_at=utcnow())
    db.session.add(obj)
    db.session.commit()
    return obj


def session(
    user_id: int,
    *,
    stage_key: str = "system_design",
    status: str = "submitted",
    minutes: int = 60,
    ended_after: int = 45,
    started=None,
    shared: bool = False,
    kinds: tuple[str, ...] = ("text", "code"),
    answers: tuple[str, ...] | None = None,
    events: bool = True,
) -> PracticeSession:
    """A session of `len(kinds)` questions, finished `ended_after` minutes after its start."""
    started = started or utcnow() - timedelta(minutes=minutes + 10)
    fmt = factories.round_format(stage_key=stage_key, minutes=minutes, count=len(kinds))
    finished = status != "in_progress"
    obj = PracticeSession(
        user_id=user_id,
        round_format_id=fmt.id,
        stage_key=stage_key,
        status=status,
        started_at=started,
        deadline_at=started + timedelta(minutes=minutes),
        finished_at=started + timedelta(minutes=ended_after) if finished else None,
        shared_with_coaches=shared,
    )
    answers = answers or tuple(
        "def top_k(xs, k):\n    return sorted(xs)[-k:]" if kind == "code" else f"Answer **{i}**"
        for i, kind in enumerate(kinds)
    )
    for position, kind in enumerate(kinds):
        extra = {}
        if kind == "estimate":
            extra = dict(estimate_value=0.12, estimate_unit="$/GPU-hour", estimate_tolerance_pct=25)
        q = factories.question(stage_key=stage_key, answer_kind=kind, suggested_minutes=20, **extra)
        version = q.current_version
        obj.items.append(
            SessionQuestion(
                position=position,
                question_id=q.id,
                question_version_id=version.id,
                rubric_version_id=version.rubric.current_version_id,
                answer_text=answers[position],
                answer_number=0.1 if kind == "estimate" else None,
                answer_unit="$/GPU-hour" if kind == "estimate" else None,
                revision=3,
                saved_at=started + timedelta(minutes=10),
            )
        )
    if events:
        at = lambda m: started + timedelta(minutes=m)  # noqa: E731
        obj.events = [
            SessionEvent(kind="started", at=at(0), position=0, data={}),
            SessionEvent(kind="saved", at=at(2), position=0, data={"length": 120}),
            SessionEvent(kind="saved", at=at(6), position=0, data={"length": 640}),
            SessionEvent(kind="saved", at=at(25), position=0, data={"length": 1400}),
            SessionEvent(
                kind="question_switched", at=at(30), position=1, data={"from_position": 0}
            ),
            SessionEvent(kind="hint_revealed", at=at(31), position=1, data={"hint": 1}),
            SessionEvent(kind="saved", at=at(35), position=1, data={"length": 80}),
            SessionEvent(kind="warning_shown", at=at(40), position=1, data={"seconds_left": 300}),
        ]
        if finished:
            obj.events.append(SessionEvent(kind=status, at=at(ended_after), position=None, data={}))
    db.session.add(obj)
    db.session.commit()
    return obj


def self_score(session_id: int, levels_by_position: dict[int, list[int]], reflection: str = ""):
    """Score a session as its candidate would, through the feedback area's service (finished)."""
    from app.learning import scoring as feedback

    session = db.session.get(PracticeSession, session_id)
    levels = {}
    for item in session.items:
        for criterion, level in zip(
            item.rubric_version.criteria, levels_by_position.get(item.position, []), strict=False
        ):
            levels[(item.id, criterion["key"])] = level
    return feedback.save_scoring(
        session_id, session.user_id, levels, {}, reflection, utcnow(), finish=True
    )


def user(user_id: int) -> User:
    return db.session.get(User, user_id)
