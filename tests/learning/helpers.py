"""Builders for feedback tests: finished practice sessions with pinned versions, scores."""

from __future__ import annotations

from datetime import timedelta

from app.clock import utcnow
from app.extensions import db
from app.models.bank import Question
from app.models.practice import PracticeSession, SessionQuestion, SessionStatus
from tests import factories


def practice_session(
    user_id: int,
    questions: list[Question] | None = None,
    status: str = SessionStatus.SUBMITTED.value,
    stage_key: str = "system_design",
    minutes: int = 60,
    started_at=None,
    time_spent: list[int] | None = None,
    answers: list[dict] | None = None,
) -> PracticeSession:
    """A session of `user_id` over `questions` (one fresh question by default)."""
    questions = questions or [factories.question(stage_key=stage_key)]
    fmt = factories.round_format(stage_key=stage_key, minutes=minutes, count=len(questions))
    finished = status != SessionStatus.IN_PROGRESS.value
    default_start = timedelta(minutes=minutes + 5) if finished else timedelta(minutes=5)
    started_at = started_at or utcnow() - default_start
    deadline = started_at + timedelta(minutes=minutes)
    session = PracticeSession(
        user_id=user_id,
        round_format_id=fmt.id,
        stage_key=stage_key,
        status=status,
        started_at=started_at,
        deadline_at=deadline,
        finished_at=(deadline if status != "submitted" else started_at + timedelta(minutes=30))
        if finished
        else None,
    )
    for position, question in enumerate(questions):
        version = question.current_version
        answer = (answers or [{}] * len(questions))[position] or {}
        session.items.append(
            SessionQuestion(
                position=position,
                question_id=question.id,
                question_version_id=version.id,
                rubric_version_id=version.rubric.current_version_id,
                answer_text=answer.get("text", f"My answer to question {position + 1}."),
                answer_number=answer.get("number"),
                answer_unit=answer.get("unit"),
                time_spent_seconds=(time_spent or [0] * len(questions))[position],
            )
        )
    db.session.add(session)
    db.session.commit()
    return session


def level_field(session: PracticeSession, position: int, criterion_index: int) -> str:
    return f"level_{session.items[position].id}_{criterion_index}"


def note_field(session: PracticeSession, position: int, criterion_index: int) -> str:
    return f"note_{session.items[position].id}_{criterion_index}"
