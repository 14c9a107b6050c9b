"""The feedback report of a scored round, with the coach's published reviews when the
coach area gives them, and its JSON export and file names.

For other areas:
- `build_session_report(session) -> Report`: the report of any finished session with a
  finished self-assessment, with no access check (the coach area checks its own links).
- `CoachInput` / `CoachProvider`: the one shape in which the coach area hands a report
  its section (published reviews as report input, and the page's coach section). The
  app factory registers the coach's provider (`app.learning.wiring.configure`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.domain import follow_up_formats, hirebar, report_formats
from app.domain import report as report_domain
from app.domain.answer_formats import AnswerRecord
from app.domain.insights import AnswerInsights, Matcher
from app.domain.untrusted import UNTRUSTED_FIELDS_NOTE
from app.extensions import db
from app.learning.insights import session_insights
from app.learning.loading import ScoringView, SessionNotFinished, owned_session, view_of
from app.models.bank import Question, QuestionVersion
from app.models.practice import PracticeSession, SessionQuestion
from app.models.scoring import SelfAssessment


class ReportNotReady(RuntimeError):
    """Scoring is not finished yet, so there is no report."""


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


def build_report(
    view: ScoringView,
    assessment: SelfAssessment | None,
    coach_reviews: list[report_domain.CoachReviewInput] | None = None,
    insights: Mapping[int, AnswerInsights] | None = None,
) -> report_domain.Report:
    """The report of a scoring view (self-scores, the coach's when given, and what each
    answer mentions when `insights` maps session question ids to them)."""
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
            tests=i.tests,
            model_levels=_model_levels(i.model),
            answer=answer_record(i.item, i.version),
            hire_bar=i.rubric.hire_bar,
            hints_used=i.item.hints_revealed,
            hints_total=len(i.version.hints or []),
            hints_seconds_lost=i.item.hint_penalty_seconds or 0,
            follow_ups=tuple(
                report_domain.FollowUpAnswer(
                    number=f.number,
                    prompt=f.prompt,
                    answer=f.answer_text,
                    revealed_at=f.revealed_at,
                    reason=f.reveal_reason,
                    saved_at=f.saved_at,
                )
                for f in i.item.follow_up_answers
            ),
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
        thresholds=stored_thresholds(assessment),
    )


def stored_thresholds(assessment: SelfAssessment | None) -> dict | None:
    """The thresholds a scored report keeps (issue 18): as stored when scoring finished;
    a report scored before they were stored keeps the fixed 75/50 ({}: LEGACY for every
    criterion); None while scoring is open (derived from the pinned rubrics' hire bars)."""
    if assessment is None or not assessment.is_complete:
        return None
    return hirebar.from_stored((assessment.summary or {}).get("thresholds"))


def answer_record(item, version) -> AnswerRecord:
    """The saved answer of a session question and its prompt as pinned (for exports)."""
    return AnswerRecord(
        prompt_md=version.prompt_md or "",
        prompt_html=version.prompt_markup,
        text=item.answer_text or "",
        number=item.answer_number,
        unit=item.answer_unit,
        links=tuple(str(link) for link in item.answer_links or ()),
        is_code=version.answer_kind == "code",
    )


def _model_levels(suggestion) -> dict[str, report_domain.ModelLevel] | None:
    """The optional model's suggested levels of one answer, for the report (or None)."""
    if suggestion is None or not suggestion.is_suggested:
        return None
    return {
        key: report_domain.ModelLevel(int(v["level"]), str(v["rationale"]), str(v["quote"]))
        for key, v in suggestion.levels.items()
    }


def build_session_report(session: PracticeSession) -> report_domain.Report:
    """The report of a session whose scoring is finished (no access check: callers do it)."""
    view = view_of(session)
    return build_report(view, view.assessment)


@dataclass(frozen=True)
class CoachInput:
    """The one input shape for the report's coach section, filled by the coach area.

    `reviews`: the latest *published* revision of each coach review (never drafts), as
    report input: coach scores and gaps in the page and the Markdown, JSON, CSV exports.
    `section`: what `learning/_coach_section.html` shows (coach notes, calibration), or
    None when the session has no published review (the section is then left out).
    """

    reviews: tuple[report_domain.CoachReviewInput, ...] = ()
    section: object | None = None


CoachProvider = Callable[[PracticeSession, datetime], CoachInput]


def no_coach(_session: PracticeSession, _now: datetime) -> CoachInput:
    """The coach section when no coach area is wired in: nothing to show."""
    return CoachInput()


@dataclass(frozen=True)
class OwnerReport:
    """A candidate's report of their own round, and its coach section (None: none)."""

    report: report_domain.Report
    coach_section: object | None
    # question position -> {"key", "minutes"}: what "Practise this question" drills
    drills: dict[int, dict] = field(default_factory=dict)


def report_for_owner(
    session_id: int,
    user_id: int,
    *,
    now: datetime,
    coach: CoachProvider = no_coach,
    matcher: Matcher | None = None,
) -> OwnerReport:
    """The report of the caller's own session, once its scoring is finished.

    `coach` gives the session's published coach reviews; learning never imports the coach
    area: the route passes what `app.learning.wiring.coach_provider()` returns. With a
    `matcher`, each question also carries what its answer mentions (app.learning.insights).
    """
    session = owned_session(session_id, user_id, now=now)
    if not session.is_finished:
        raise SessionNotFinished(session_id)
    view = view_of(session)
    if not view.is_complete:
        raise ReportNotReady(session_id)
    coach_input = coach(session, now)
    mentions = session_insights(session, matcher) if matcher is not None else None
    report = build_report(view, view.assessment, list(coach_input.reviews), mentions)
    return OwnerReport(report=report, coach_section=coach_input.section, drills=_drills(session.id))


def _drills(session_id: int) -> dict[int, dict]:
    """Per question position, what "Practise this question" drills (one query)."""
    rows = db.session.execute(
        select(SessionQuestion.position, Question.key, QuestionVersion.suggested_minutes)
        .join(Question, Question.id == SessionQuestion.question_id)
        .join(QuestionVersion, QuestionVersion.id == SessionQuestion.question_version_id)
        .where(SessionQuestion.session_id == session_id)
    )
    return {position: {"key": key, "minutes": minutes} for position, key, minutes in rows}


# Where the JSON export holds text users wrote (Markdown, never rendered by us here).
UNTRUSTED_MARKDOWN = (
    "reflection",
    "questions[].answer.text",
    "criteria[].evidence[].note",
    "questions[].criteria[].note",
    "coach_reviews[].questions[].comment",
    "coach_reviews[].questions[].criteria[].comment",
    "coach_reviews[].strengths",
    "coach_reviews[].gaps",
    "coach_reviews[].next_steps",
)


def report_json(report: report_domain.Report) -> str:
    """The JSON export: stable key order, UTF-8, a trailing newline; it names the fields
    that hold user-written Markdown, for whatever renders them later."""
    data = report_formats.to_dict(report)
    fields = UNTRUSTED_MARKDOWN
    if follow_up_formats.has_follow_ups(report):  # issue 13; older exports stay as they were
        fields += follow_up_formats.UNTRUSTED_FIELDS
    data["untrusted_markdown"] = {"note": UNTRUSTED_FIELDS_NOTE, "fields": fields}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def export_filename(report: report_domain.Report, extension: str) -> str:
    """mockloop-report-<session id>-<date the round ended, UTC>.<extension>."""
    ended = report.session.finished_at or report.session.started_at
    return f"mockloop-report-{report.session.id}-{ended:%Y-%m-%d}.{extension}"
