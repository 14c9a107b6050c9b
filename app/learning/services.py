"""Feedback use cases: self-scoring, reports, the practise-next schedule, progress.

Each public function that writes is one transaction (exactly one commit). Functions
take plain values, never `request`. The maths lives in app.domain (scoring, report,
scheduling, estimates, progress, charts); this module gathers inputs from the
database and stores results.

For other areas:
- `skill_weakness(user_id) -> dict[str, float]`: per skill area key, a weakness in
  [0, 1] (1 - recent score / 100, from the spaced-repetition schedule). Skill areas the
  candidate has never scored are absent (treat them as unknown). The practice picker
  can prefer questions in the weakest areas.
- `build_session_report(session) -> Report`: the report of any finished session with a
  finished self-assessment, with no access check (the coach area checks its own links).
- `coach_review_for_report(session)`: the extension point for the coach area; returns
  None until coach review exists. The report template includes
  `feedback/_coach_section.html` only when it is not None.
- `published_coach_reviews(session)`: the coach area's published review revisions as
  report input; `report_for_owner` puts them in `Report.coach_reviews`, so the page and
  the Markdown, JSON and CSV exports show the coach's scores and the gap per criterion.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.domain import charts, scheduling, timing
from app.domain import progress as progress_domain
from app.domain import report as report_domain
from app.domain.estimates import EstimateCheck, check_estimate
from app.domain.insights import AnswerInsights, Matcher
from app.domain.scoring import Criterion, criteria_from_json
from app.extensions import db
from app.learning.insights import session_insights
from app.models.bank import (
    AnswerKind,
    Question,
    QuestionStatus,
    QuestionVersion,
    Rubric,
    RubricVersion,
    Stage,
    question_version_skills,
)
from app.models.practice import PracticeSession, SessionQuestion, SessionStatus
from app.models.scoring import PracticeScheduleItem, ScheduleItemKind, SelfAssessment, SelfScore
from app.practice.events import log_event

SCORED = "scored"  # the session-log event written when scoring is finished
NOTE_MAX_CHARS = 2000
REFLECTION_MAX_CHARS = 10_000
PRACTISE_NEXT_ITEMS = 5
PRACTISE_NEXT_QUESTIONS = 5


class SessionNotFound(LookupError):
    """No such session, or not the caller's: answered with 404."""


class SessionNotFinished(RuntimeError):
    """The round is still running; it cannot be scored yet."""


class ScoringError(ValueError):
    """Scoring input refused; the message is safe to show, `field` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ScoringLocked(ScoringError):
    """Scoring was already finished; the report is final."""


# ---------------------------------------------------------------- loading


def _session_query():
    return select(PracticeSession).options(
        joinedload(PracticeSession.stage),
        joinedload(PracticeSession.round_format),
        selectinload(PracticeSession.items)
        .joinedload(SessionQuestion.question_version)
        .selectinload(QuestionVersion.skills),
        selectinload(PracticeSession.items).joinedload(SessionQuestion.rubric_version),
    )


def owned_session(session_id: int, user_id: int, now: datetime | None = None) -> PracticeSession:
    """The session with its pinned questions and rubrics, if `user_id` owns it.

    With `now`, a round whose time ran out but is still open is finalised first (the
    practice area's rule: the next request that touches it finishes it at its deadline).
    """
    session = db.session.scalar(_session_query().where(PracticeSession.id == session_id))
    if session is None or session.user_id != user_id:
        raise SessionNotFound(session_id)
    if now is not None and timing.is_overdue(session, now):
        from app.practice import services as practice_services  # (practice may import us)

        practice_services.finalise_overdue(session.id, now, by="request")
        session = db.session.scalar(
            _session_query()
            .where(PracticeSession.id == session_id)
            .execution_options(populate_existing=True)
        )
    return session


def assessment_for(session_id: int) -> SelfAssessment | None:
    """The self-assessment of a session with its scores, or None."""
    return db.session.scalar(
        select(SelfAssessment)
        .options(selectinload(SelfAssessment.scores))
        .where(SelfAssessment.session_id == session_id)
    )


def estimate_for(item: SessionQuestion) -> EstimateCheck | None:
    """The automatic check of an estimate answer (None for other answer kinds)."""
    version = item.question_version
    if version.answer_kind != AnswerKind.ESTIMATE:
        return None
    return check_estimate(
        item.answer_number,
        version.estimate_value,
        version.estimate_tolerance_pct,
        item.answer_unit,
        version.estimate_unit,
    )


@dataclass
class ScoringItem:
    item: SessionQuestion
    criteria: tuple[Criterion, ...]
    estimate: EstimateCheck | None
    levels: dict[str, int | None] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def version(self) -> QuestionVersion:
        return self.item.question_version

    @property
    def rubric(self) -> RubricVersion:
        return self.item.rubric_version


@dataclass
class ScoringView:
    session: PracticeSession
    assessment: SelfAssessment | None
    items: list[ScoringItem]

    @property
    def reflection(self) -> str:
        return self.assessment.reflection if self.assessment else ""

    @property
    def is_complete(self) -> bool:
        return bool(self.assessment and self.assessment.is_complete)

    @property
    def scored_count(self) -> int:
        return sum(1 for i in self.items for v in i.levels.values() if v is not None)

    @property
    def criteria_count(self) -> int:
        return sum(len(i.criteria) for i in self.items)


def _scoring_view(session: PracticeSession) -> ScoringView:
    assessment = assessment_for(session.id)
    saved = (
        {(s.session_question_id, s.criterion_key): s for s in assessment.scores}
        if assessment
        else {}
    )
    items = []
    for item in session.items:
        criteria = criteria_from_json(item.rubric_version.criteria)
        view = ScoringItem(item=item, criteria=criteria, estimate=estimate_for(item))
        for c in criteria:
            score = saved.get((item.id, c.key))
            view.levels[c.key] = score.level if score else None
            view.notes[c.key] = score.note if score else ""
        items.append(view)
    return ScoringView(session=session, assessment=assessment, items=items)


def scoring_view(session_id: int, user_id: int, now: datetime | None = None) -> ScoringView:
    """Everything the scoring page shows; refuses a round that is still running."""
    session = owned_session(session_id, user_id, now)
    if not session.is_finished:
        raise SessionNotFinished(session_id)
    return _scoring_view(session)


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
    """
    view = scoring_view(session_id, user_id, now)
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
        _finish(view, assessment, user_id, now)
    try:
        db.session.commit()
    except IntegrityError as error:  # another tab created the same rows a moment ago
        db.session.rollback()
        raise ScoringError(
            "Your scores were being saved from another tab at the same moment; "
            "nothing was saved here. Reload the page and try again."
        ) from error
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


def _finish(view: ScoringView, assessment: SelfAssessment, user_id: int, now: datetime) -> None:
    if view.scored_count == 0:
        raise ScoringError("Choose a level for at least one criterion before finishing.")
    report = _build_report(view, assessment)
    assessment.summary = report_domain.summary(report)
    assessment.overall_score = report.overall
    assessment.completed_at = now
    _update_schedule(user_id, report, now)
    db.session.flush()
    assessment.practise_next = practise_next(user_id, now).snapshot(now)
    log_event(
        view.session,
        SCORED,
        at=now,
        overall=None if report.overall is None else round(report.overall, 2),
        scored=view.scored_count,
        criteria=view.criteria_count,
    )


# ---------------------------------------------------------------- report


def _session_input(session: PracticeSession) -> report_domain.SessionInput:
    return report_domain.SessionInput(
        id=session.id,
        stage_key=session.stage_key,
        stage_name=session.stage.name,
        format_name=session.round_format.name,
        status=session.status,
        started_at=session.started_at,
        deadline_at=session.deadline_at,
        finished_at=session.finished_at,
    )


def _build_report(
    view: ScoringView,
    assessment: SelfAssessment | None,
    coach_reviews: list[report_domain.CoachReviewInput] | None = None,
    insights: Mapping[int, AnswerInsights] | None = None,
) -> report_domain.Report:
    session = view.session
    ended = min(session.finished_at or session.deadline_at, session.deadline_at)
    questions = [
        report_domain.QuestionInput(
            position=i.item.position,
            title=i.version.title,
            skills=tuple(report_domain.SkillRef(s.key, s.name) for s in i.version.skills),
            criteria=i.criteria,
            levels=dict(i.levels),
            notes=dict(i.notes),
            rubric_title=i.rubric.title,
            rubric_version=i.rubric.number,
            suggested_minutes=i.version.suggested_minutes,
            time_spent_seconds=report_domain.question_seconds(
                i.item.time_spent_seconds, len(view.items), session.started_at, ended
            ),
            answer_kind=i.version.answer_kind,
            estimate=i.estimate,
            insights=(insights or {}).get(i.item.id),
        )
        for i in view.items
    ]
    return report_domain.build_report(
        _session_input(session),
        questions,
        reflection=assessment.reflection if assessment else "",
        completed_at=assessment.completed_at if assessment else None,
        practise_next=assessment.practise_next if assessment else None,
        coach_reviews=coach_reviews or (),
    )


def build_session_report(session: PracticeSession) -> report_domain.Report:
    """The report of a session whose scoring is finished (no access check: callers do it)."""
    view = _scoring_view(session)
    return _build_report(view, view.assessment)


class ReportNotReady(RuntimeError):
    """Scoring is not finished yet, so there is no report."""


def report_for_owner(
    session_id: int, user_id: int, now: datetime | None = None, matcher: Matcher | None = None
) -> report_domain.Report:
    """The report of the caller's own session, once its scoring is finished; with a
    `matcher`, each question also carries what its answer mentions (app.learning.insights)."""
    session = owned_session(session_id, user_id, now)
    if not session.is_finished:
        raise SessionNotFinished(session_id)
    view = _scoring_view(session)
    if not view.is_complete:
        raise ReportNotReady(session_id)
    insights = session_insights(session, matcher) if matcher is not None else None
    return _build_report(view, view.assessment, published_coach_reviews(session), insights)


def published_coach_reviews(session: PracticeSession) -> list[report_domain.CoachReviewInput]:
    """Coach area extension point: the published coach reviews of a session, as report
    input (coach scores and gaps in the report and its exports; drafts never)."""
    from app.coach.report_section import published_reviews_for_report

    return published_reviews_for_report(session)


def coach_review_for_report(session_id: int):
    """Coach area extension point: the coach review context for a report, or None.

    The report template includes `feedback/_coach_section.html` (with `coach_review`
    and `report` in its context) only when this returns something other than None.
    """
    from app.coach.report_section import coach_review_for_report as coach_section

    return coach_section(session_id)


def report_json(report: report_domain.Report) -> str:
    """The JSON export: stable key order, UTF-8, a trailing newline."""
    return json.dumps(report_domain.to_dict(report), indent=2, ensure_ascii=False) + "\n"


def export_filename(report: report_domain.Report, extension: str) -> str:
    """mockloop-report-<session id>-<date the round ended, UTC>.<extension>."""
    ended = report.session.finished_at or report.session.started_at
    return f"mockloop-report-{report.session.id}-{ended:%Y-%m-%d}.{extension}"


# ---------------------------------------------------------------- schedule


def _update_schedule(user_id: int, report: report_domain.Report, now: datetime) -> None:
    reviews: dict[tuple[str, str], tuple[str, float]] = {}
    for c in report.criteria:
        if c.score is not None:
            reviews[(ScheduleItemKind.CRITERION.value, c.key)] = (c.title, c.score)
    for s in report.skills:
        if s.score is not None:
            reviews[(ScheduleItemKind.SKILL.value, s.key)] = (s.name, s.score)
    if not reviews:
        return
    existing = {
        (i.kind, i.item_key): i
        for i in db.session.scalars(
            select(PracticeScheduleItem).where(
                PracticeScheduleItem.user_id == user_id,
                PracticeScheduleItem.item_key.in_({key for _, key in reviews}),
            )
        )
    }
    for (kind, key), (title, score) in reviews.items():
        item = existing.get((kind, key))
        if item is None:
            item = PracticeScheduleItem(
                user_id=user_id,
                kind=kind,
                item_key=key,
                repetitions=0,
                ease=scheduling.INITIAL_EASE,
                interval_days=0,
                reviews=0,
                due_at=now,
            )
            db.session.add(item)
        state = scheduling.review(
            scheduling.ScheduleState(
                repetitions=item.repetitions,
                ease=item.ease,
                interval_days=item.interval_days,
                due_at=item.due_at,
                last_grade=item.last_grade,
                recent_score=item.recent_score,
                reviews=item.reviews,
            ),
            score,
            now,
        )
        item.title = title
        item.repetitions = state.repetitions
        item.ease = state.ease
        item.interval_days = state.interval_days
        item.due_at = state.due_at
        item.last_grade = state.last_grade
        item.last_score = score
        item.recent_score = state.recent_score
        item.reviews = state.reviews
        item.last_reviewed_at = now


@dataclass
class PractiseNext:
    items: list[dict]
    questions: list[dict]

    def snapshot(self, now: datetime) -> dict:
        """JSON-ready copy stored with a finished self-assessment."""
        return {"as_of": now.isoformat(), "items": self.items, "questions": self.questions}

    @property
    def is_empty(self) -> bool:
        return not self.items and not self.questions


def practise_next(
    user_id: int,
    now: datetime,
    item_limit: int = PRACTISE_NEXT_ITEMS,
    question_limit: int = PRACTISE_NEXT_QUESTIONS,
) -> PractiseNext:
    """Due criteria and skill areas (weakest and most overdue first) and questions to do next.

    Questions are published ones in the chosen skill areas or whose current rubric has
    the chosen criteria; questions the candidate has never had in a round come first.
    A fixed number of queries whatever the history.
    """
    rows = list(
        db.session.scalars(
            select(PracticeScheduleItem).where(PracticeScheduleItem.user_id == user_id)
        )
    )
    order = scheduling.practise_order(((r.due_at, r.recent_score) for r in rows), now)
    chosen = [rows[i] for i in order][:item_limit]
    items = [
        {
            "kind": r.kind,
            "key": r.item_key,
            "title": r.title,
            "due": scheduling.is_due(r.due_at, now),
            "due_at": r.due_at.isoformat(),
            "recent_score": None if r.recent_score is None else round(r.recent_score, 2),
        }
        for r in chosen
    ]
    return PractiseNext(items=items, questions=_questions_for(user_id, chosen, question_limit))


def _questions_for(user_id: int, chosen: list[PracticeScheduleItem], limit: int) -> list[dict]:
    if not chosen or limit <= 0:
        return []
    rank = {(r.kind, r.item_key): n for n, r in enumerate(chosen)}
    skill_keys = [r.item_key for r in chosen if r.kind == ScheduleItemKind.SKILL]
    criterion_keys = {r.item_key for r in chosen if r.kind == ScheduleItemKind.CRITERION}
    rubric_criteria: dict[int, set[str]] = {}
    if criterion_keys:
        for rubric_id, criteria in db.session.execute(
            select(Rubric.id, RubricVersion.criteria)
            .join(RubricVersion, RubricVersion.id == Rubric.current_version_id)
            .where(Rubric.archived.is_(False))
        ):
            keys = {c.get("key") for c in criteria or []} & criterion_keys
            if keys:
                rubric_criteria[rubric_id] = keys
    if not skill_keys and not rubric_criteria:
        return []
    seen = exists().where(
        SessionQuestion.question_id == Question.id,
        SessionQuestion.session_id == PracticeSession.id,
        PracticeSession.user_id == user_id,
    )
    skill_match = (
        select(question_version_skills.c.question_version_id)
        .where(question_version_skills.c.skill_key.in_(skill_keys))
        .scalar_subquery()
    )
    conditions = []
    if skill_keys:
        conditions.append(QuestionVersion.id.in_(skill_match))
    if rubric_criteria:
        conditions.append(QuestionVersion.rubric_id.in_(list(rubric_criteria)))
    stmt = (
        select(Question, QuestionVersion, seen.label("seen"))
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .options(
            selectinload(QuestionVersion.skills),
            joinedload(QuestionVersion.stage),
        )
        .where(Question.status == QuestionStatus.PUBLISHED.value, or_(*conditions))
        .order_by(seen, Question.id)
        .limit(limit * 8)
    )
    candidates = []
    for question, version, was_seen in db.session.execute(stmt):
        matches = [rank[("skill", s.key)] for s in version.skills if ("skill", s.key) in rank]
        matches += [rank[("criterion", k)] for k in rubric_criteria.get(version.rubric_id, ())]
        if not matches:
            continue
        candidates.append((bool(was_seen), min(matches), question.id, question, version))
    candidates.sort(key=lambda c: c[:3])
    return [
        {
            "id": question.id,
            "key": question.key,
            "title": version.title,
            "stage": version.stage.name if version.stage else version.stage_key,
            "seen": was_seen,
        }
        for was_seen, _, _, question, version in candidates[:limit]
    ]


def skill_weakness(user_id: int) -> dict[str, float]:
    """Per skill area key: 1 - recent score / 100, in [0, 1]; unscored areas are absent."""
    rows = db.session.execute(
        select(PracticeScheduleItem.item_key, PracticeScheduleItem.recent_score).where(
            PracticeScheduleItem.user_id == user_id,
            PracticeScheduleItem.kind == ScheduleItemKind.SKILL.value,
            PracticeScheduleItem.recent_score.is_not(None),
        )
    )
    return {key: round(1.0 - min(max(score, 0.0), 100.0) / 100.0, 4) for key, score in rows}


def finished_session_count(user_id: int) -> int:
    """How many rounds the user has finished."""
    return db.session.scalar(
        select(func.count(PracticeSession.id)).where(
            PracticeSession.user_id == user_id,
            PracticeSession.status != SessionStatus.IN_PROGRESS.value,
        )
    )


# ---------------------------------------------------------------- progress

CHART_ROUNDS = 60  # the charts show at most this many most recent scored rounds


@dataclass
class SessionRow:
    session: PracticeSession
    assessment: SelfAssessment | None

    @property
    def scoring_state(self) -> str:
        if self.assessment is None:
            return "not scored"
        return "scored" if self.assessment.is_complete else "scoring started"


@dataclass
class StageProgress:
    key: str
    name: str
    rounds: int
    readiness: progress_domain.Readiness


@dataclass
class ProgressView:
    page: object  # flask_sqlalchemy Pagination of PracticeSession
    rows: list[SessionRow]
    stages: list[StageProgress]
    skill_series: list[charts.Series]
    stage_series: list[charts.Series]
    skill_chart: Markup
    stage_chart: Markup
    rounds_chart: Markup
    practise_next: PractiseNext
    scored_rounds: int


def progress(user_id: int, page: int, per_page: int, now: datetime) -> ProgressView:
    """The progress page: charts, readiness per stage, rounds per stage, a page of rounds.

    A fixed number of queries whatever the history: stages, rounds per stage, the last
    CHART_ROUNDS scored summaries, one page of rounds (+ count) and their assessments,
    and the practise-next list.
    """
    stages = list(db.session.scalars(select(Stage).order_by(Stage.position, Stage.key)))
    finished = (PracticeSession.user_id == user_id) & (
        PracticeSession.status != SessionStatus.IN_PROGRESS.value
    )
    counts = dict(
        db.session.execute(
            select(PracticeSession.stage_key, func.count(PracticeSession.id))
            .where(finished)
            .group_by(PracticeSession.stage_key)
        ).all()
    )
    recent = db.session.execute(
        select(SelfAssessment.completed_at, SelfAssessment.overall_score, SelfAssessment.summary)
        .add_columns(PracticeSession.stage_key)
        .join(PracticeSession, PracticeSession.id == SelfAssessment.session_id)
        .where(SelfAssessment.user_id == user_id, SelfAssessment.completed_at.is_not(None))
        .order_by(SelfAssessment.completed_at.desc(), SelfAssessment.id.desc())
        .limit(CHART_ROUNDS)
    ).all()
    skill_names: dict[str, str] = {}
    rounds = []
    for completed_at, overall, summary, stage_key in reversed(recent):
        summary = summary or {}
        skill_names.update(summary.get("skill_names", {}))
        rounds.append(
            progress_domain.ScoredRound(completed_at, stage_key, overall, summary.get("skills", {}))
        )
    stage_names = {s.key: s.name for s in stages}
    skill_series = progress_domain.skill_series(rounds, skill_names)
    stage_series = progress_domain.stage_series(rounds, stage_names)
    per_stage = progress_domain.stage_scores(rounds)
    stage_rows = [
        StageProgress(
            s.key, s.name, counts.get(s.key, 0), progress_domain.readiness(per_stage.get(s.key, []))
        )
        for s in stages
    ]
    pagination = db.paginate(
        select(PracticeSession)
        .options(joinedload(PracticeSession.stage), joinedload(PracticeSession.round_format))
        .where(finished)
        .order_by(PracticeSession.finished_at.desc(), PracticeSession.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    ids = [s.id for s in pagination.items]
    assessments = (
        {
            a.session_id: a
            for a in db.session.scalars(
                select(SelfAssessment).where(SelfAssessment.session_id.in_(ids))
            )
        }
        if ids
        else {}
    )
    return ProgressView(
        page=pagination,
        rows=[SessionRow(s, assessments.get(s.id)) for s in pagination.items],
        stages=stage_rows,
        skill_series=skill_series,
        stage_series=stage_series,
        skill_chart=Markup(  # noqa: S704 - charts escape every text they draw
            charts.line_chart(
                "chart-skills",
                skill_series,
                "Score per skill area over time",
                _series_desc(skill_series, "skill areas"),
            )
        ),
        stage_chart=Markup(  # noqa: S704 - charts escape every text they draw
            charts.line_chart(
                "chart-stages",
                stage_series,
                "Round score per funnel stage over time",
                _series_desc(stage_series, "stages"),
            )
        ),
        rounds_chart=Markup(  # noqa: S704 - charts escape every text they draw
            charts.bar_chart(
                "chart-rounds",
                [(s.name, s.rounds) for s in stage_rows if s.rounds],
                "Rounds taken per stage",
                ", ".join(f"{s.name}: {s.rounds}" for s in stage_rows if s.rounds)
                or "No rounds finished yet.",
            )
        ),
        practise_next=practise_next(user_id, now),
        scored_rounds=len(rounds),
    )


def _series_desc(series: list[charts.Series], what: str) -> str:
    if not series:
        return f"No scored rounds yet, so no {what} to chart."
    parts = []
    for s in series:
        latest = s.points[-1].value
        parts.append(f"{s.name}: {len(s.points)} rounds, latest {report_domain.rounded(latest)}")
    return "Scores from 0 to 100. " + "; ".join(parts) + ". The table below has every value."
