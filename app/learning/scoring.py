"""Self-scoring: levels and notes per criterion of each question's pinned rubric, the
reflection, and finishing (summary, practise-next schedule and snapshot, "scored" event).

Each public function that writes is one transaction (exactly one commit); functions
take plain values, never `request`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from app.bank import stats as item_stats
from app.domain import report as report_domain
from app.extensions import db
from app.learning.loading import ScoringView, scoring_view
from app.learning.report import build_report
from app.learning.schedule import practise_next, update_schedule
from app.models.scoring import SelfAssessment, SelfScore
from app.practice.events import log_event

SCORED = "scored"  # the session-log event written when scoring is finished
NOTE_MAX_CHARS = 2000
REFLECTION_MAX_CHARS = 10_000


class ScoringError(ValueError):
    """Scoring input refused; the message is safe to show, `field` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ScoringLocked(ScoringError):
    """Scoring was already finished; the report is final."""


# ---------------------------------------------------------------- saving


def save_scoring(
    session_id: int,
    user_id: int,
    levels: Mapping[tuple[int, str], int | None],
    notes: Mapping[tuple[int, str], str],
    reflection: str,
    now: datetime,
    finish: bool = False,
) -> SelfAssessment:
    """Store levels, notes and the reflection; with `finish`, complete the scoring too.

    `levels` and `notes` are keyed by (session question id, criterion key); missing
    keys leave a stored value alone, a None level clears it. Validated against the
    pinned rubric version of each question; nothing is stored when anything is refused.
    Finishing writes the summary, updates the practise-next schedule, snapshots the
    practise-next list and logs a "scored" event.

    Another request may create the same rows at the same moment (the page's autosave
    and "Finish scoring", two tabs): the unique constraint refuses the second, wherever
    its flush happens. That one is then rolled back and done once more on what the first
    stored (its levels applied over them); only if it collides again is it refused.
    """
    arguments = (session_id, user_id, levels, notes, reflection, now, finish)
    try:
        return _save_once(*arguments)
    except IntegrityError:  # another request created the same rows just now
        db.session.rollback()
    try:
        return _save_once(*arguments)  # on what that request stored
    except IntegrityError as error:
        db.session.rollback()
        raise ScoringError(
            "Your scores were being saved from another tab at the same moment; "
            "nothing was saved here. Reload the page and try again."
        ) from error


def _save_once(session_id, user_id, levels, notes, reflection, now, finish) -> SelfAssessment:
    view = scoring_view(session_id, user_id, now=now)
    if view.is_complete:
        if _repeats_final(view.assessment, levels, notes, reflection):
            return view.assessment  # a late autosave or a second Finish: nothing to change
        raise ScoringLocked("Scoring of this round is finished; the report is final.")
    if len(reflection or "") > REFLECTION_MAX_CHARS:
        raise ScoringError(
            f"The reflection is longer than {REFLECTION_MAX_CHARS:,} characters.", "reflection"
        )
    by_item = {i.item.id: i for i in view.items}
    _validate(by_item, levels, notes)

    assessment = view.assessment
    if assessment is None:
        assessment = SelfAssessment(session_id=session_id, user_id=user_id, started_at=now)
        db.session.add(assessment)
    existing = {(s.session_question_id, s.criterion_key): s for s in assessment.scores}
    for key in set(levels) | set(notes):
        item_id, criterion_key = key
        score = existing.get(key)
        if score is None:
            score = SelfScore(
                session_question_id=item_id,
                rubric_version_id=by_item[item_id].item.rubric_version_id,
                criterion_key=criterion_key,
                level=None,
                note="",
            )
            assessment.scores.append(score)
        if key in levels:
            score.level = levels[key]
            by_item[item_id].levels[criterion_key] = levels[key]
        if key in notes:
            score.note = (notes[key] or "").strip()
            by_item[item_id].notes[criterion_key] = score.note
        score.updated_at = now
    assessment.reflection = (reflection or "").strip()
    assessment.updated_at = now
    if finish:
        _finish_scoring(view, assessment, user_id, now)
    db.session.commit()
    return assessment


def _repeats_final(assessment: SelfAssessment, levels, notes, reflection: str) -> bool:
    """Whether a save only repeats what finished scoring locked (the page's last autosave
    can reach the server just after "Finish scoring" carried the same values)."""
    stored = {(s.session_question_id, s.criterion_key): s for s in assessment.scores}

    def level(key):
        return stored[key].level if key in stored else None

    def note(key):
        return stored[key].note if key in stored else ""

    return (
        all(level(key) == value for key, value in levels.items())
        and all(note(key) == (value or "").strip() for key, value in notes.items())
        and assessment.reflection == (reflection or "").strip()
    )


def _validate(by_item, levels, notes) -> None:
    for item_id, criterion_key in set(levels) | set(notes):
        scoring_item = by_item.get(item_id)
        criterion = (
            next((c for c in scoring_item.criteria if c.key == criterion_key), None)
            if scoring_item
            else None
        )
        if criterion is None:
            raise ScoringError("That criterion is not part of this round's rubric.")
        value = levels.get((item_id, criterion_key))
        if value is not None and criterion.level(value) is None:
            raise ScoringError(
                f"Level {value} is not on the scale of “{criterion.title}”.",
                f"level-{item_id}-{criterion_key}",
            )
        if len(notes.get((item_id, criterion_key)) or "") > NOTE_MAX_CHARS:
            raise ScoringError(
                f"A note can be at most {NOTE_MAX_CHARS:,} characters.",
                f"note-{item_id}-{criterion_key}",
            )


def _finish_scoring(
    view: ScoringView, assessment: SelfAssessment, user_id: int, now: datetime
) -> None:
    if view.scored_count == 0:
        raise ScoringError("Choose a level for at least one criterion before finishing.")
    report = build_report(view, assessment)
    assessment.summary = report_domain.summary(report)
    assessment.overall_score = report.overall
    assessment.completed_at = now
    update_schedule(user_id, report, now)
    db.session.flush()
    item_stats.count_self_scores(view.session.id)  # scoring is final: counted once
    assessment.practise_next = practise_next(user_id, now).snapshot(now)
    log_event(
        view.session,
        SCORED,
        at=now,
        overall=None if report.overall is None else round(report.overall, 2),
        scored=view.scored_count,
        criteria=view.criteria_count,
    )
