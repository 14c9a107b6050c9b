"""An optional model suggests levels for each answer of a finished round (issue 13).

Off unless `LLM_BASE_URL` and `LLM_MODEL` are set. Then finishing a round (practice's
`round_finished` signal, inside the finishing transaction) queues one `grade-answer`
job per answered question (`app.jobs`); a worker (`flask jobs run`, or the sweep) runs
`grade_job`, which asks the model with the rubric version the round pinned, the
question, the reference notes and the answer as data (`app.domain.grading`), checks the
reply against the schema, asks once more when it is invalid, and stores one
`ModelSuggestion`: levels with a rationale and a quote, or "no suggestion" with the
reason. The prompt and the raw replies are stored with it. No page ever waits for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import jobs, llm
from app.domain import grading as domain
from app.domain.scoring import criteria_from_json
from app.extensions import db
from app.models.grading import ModelSuggestion, SuggestionStatus
from app.models.practice import PracticeSession, SessionQuestion
from app.practice.signals import round_finished

KIND = "grade-answer"
ATTEMPTS_PER_RUN = 2  # an invalid reply is asked again once, then "no suggestion"
REASON_MAX_CHARS = 300


def connect(app: Flask) -> None:
    """Queue grading when a round of `app` finishes; run the jobs in this app's workers."""
    round_finished.connect(_round_finished, sender=app)
    jobs.register(app, KIND, grade_job)


def enabled() -> bool:
    return llm.settings_from(current_app.config) is not None


def _round_finished(_app: Flask, *, session: PracticeSession, now: datetime, by: str) -> None:
    queue_round(session, now=now)


def queue_round(session: PracticeSession, *, now: datetime) -> int:
    """Add a grading job per answered question to the caller's transaction; how many."""
    if not enabled():
        return 0
    queued = 0
    for item in session.items:
        if item.answer_text.strip():
            jobs.enqueue(KIND, ref_id=item.id, now=now)
            queued += 1
    return queued


def _load(item_id: int) -> SessionQuestion | None:
    return db.session.scalar(
        select(SessionQuestion)
        .options(
            joinedload(SessionQuestion.question_version),
            joinedload(SessionQuestion.rubric_version),
        )
        .where(SessionQuestion.id == item_id)
    )


def reference_notes(item: SessionQuestion) -> str:
    version = item.question_version
    parts = [version.good_answer_md.strip(), version.worked_answer_md.strip()]
    return "\n\n".join(p for p in parts if p)


def grade_job(ticket: jobs.Ticket, now: datetime) -> None:
    """Ask the model about one answer and store the outcome (one commit at the end).

    The model is called with no transaction open. A server that cannot be reached
    raises `jobs.RetryLater` (the job comes back later), except on the job's last
    attempt, which stores "no suggestion" with the reason.
    """
    settings = llm.settings_from(current_app.config)
    item = _load(ticket.ref_id) if ticket.ref_id is not None else None
    if settings is None or item is None or _existing(item.id) is not None:
        db.session.rollback()
        return  # switched off since, deleted since, or graded already
    criteria = criteria_from_json(item.rubric_version.criteria)
    answer = item.answer_text
    messages = domain.build_messages(
        rubric_title=item.rubric_version.title,
        criteria=criteria,
        question_title=item.question_version.title,
        question=item.question_version.prompt_md,
        reference_notes=reference_notes(item),
        answer=answer,
    )
    item_id, rubric_version_id = item.id, item.rubric_version_id
    db.session.rollback()  # no transaction stays open while the model thinks

    sent, replies, reason, levels = messages, [], "", None
    for attempt in range(ATTEMPTS_PER_RUN):
        try:
            reply = llm.chat(settings, sent)
        except llm.ModelUnavailable as error:
            if not ticket.final:
                raise jobs.RetryLater(str(error)) from error
            reason = f"the model could not be asked: {error}"
            break
        replies.append(reply.content)
        try:
            levels = domain.parse_reply(reply.content, criteria, answer)
            break
        except domain.InvalidReply as error:
            reason = f"invalid reply: {error}"
            if attempt + 1 < ATTEMPTS_PER_RUN:
                sent = domain.retry_messages(messages, reply.content, str(error))
    _store(
        item_id=item_id,
        rubric_version_id=rubric_version_id,
        model=settings.model,
        prompt=sent,
        replies=replies,
        levels=levels,
        reason=reason,
        now=now,
    )


def _existing(item_id: int) -> ModelSuggestion | None:
    return db.session.scalar(
        select(ModelSuggestion).where(ModelSuggestion.session_question_id == item_id)
    )


def _store(*, item_id, rubric_version_id, model, prompt, replies, levels, reason, now) -> None:
    suggestion = ModelSuggestion(
        session_question_id=item_id,
        rubric_version_id=rubric_version_id,
        status=(SuggestionStatus.SUGGESTED if levels else SuggestionStatus.NONE).value,
        reason="" if levels else reason[:REASON_MAX_CHARS],
        levels={key: s.as_json() for key, s in (levels or {}).items()},
        model=model[:200],
        prompt=prompt,
        raw_replies=replies,
        created_at=now,
    )
    db.session.add(suggestion)
    try:
        db.session.commit()
    except IntegrityError:  # another worker stored this answer's outcome a moment ago
        db.session.rollback()


def suggestions_for(item_ids: Iterable[int]) -> dict[int, ModelSuggestion]:
    """The stored outcomes of these session questions, by session question id."""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(ModelSuggestion).where(ModelSuggestion.session_question_id.in_(ids))
    )
    return {row.session_question_id: row for row in rows}


def suggestions_page(page: int, per_page: int):
    """The stored outcomes, newest first, one page (for admins)."""
    stmt = select(ModelSuggestion).order_by(
        ModelSuggestion.created_at.desc(), ModelSuggestion.id.desc()
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def suggestion(suggestion_id: int) -> ModelSuggestion | None:
    return db.session.get(ModelSuggestion, suggestion_id)
