"""The feedback report of one practice session: its inputs, its figures and how they derive.

Pure Python: the service gathers plain inputs (pinned rubric criteria, chosen levels,
times, estimate checks) and `build_report` derives everything else. The rules:

- Per question: the weighted mean of its scored criteria (app.domain.scoring).
- Per criterion (across the session): the plain mean of that criterion key's scores on
  the questions where it was scored. A criterion scored nowhere is "unscored".
- Per skill area: the mean of the scores of the questions tagged with that area.
- Overall: the mean of the question scores (every scored question counts the same).
  Questions with no scored criterion are left out of every mean and listed as unscored.
- Strengths and gaps (thresholds on the criterion score, 0-100):
      strength  score >= STRENGTH_AT (75)   "at or above the second-highest quarter"
      gap       score <  GAP_BELOW  (50)    "below the middle of the scale"
      between these: neither (shown as "developing"); unscored: neither.
  Each names its evidence: the question, the level chosen, and the descriptor of the
  next level up (what would have scored higher).
- Time: `time_spent_seconds` per question against its suggested minutes; a question is
  over time when it used more than the suggested minutes. When a one-question round
  has no per-question time recorded, the round's own duration is used. The round "ran
  out of time" when it ended by the clock (auto-submitted or closed), not by the
  candidate.
- Coach reviews (only their published revisions ever reach a report): the coach's
  levels are scored with the same rules as the self-scores (per question, per
  criterion, overall). The gap per criterion is self minus coach, from
  `app.domain.calibration.session_gaps`: over the answers *both* scored, in levels and
  in 0-100 points; a criterion only one side scored has no gap.
- Insights (issue 13): each question may carry what its answer mentions
  (app.domain.insights), exported beside its self-scores (app.domain.insight_formats);
  they enter no score.
- The optional model (issue 13): its suggested levels per question give a self-vs-model
  line per criterion (app.domain.model_report); they enter no score either.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from app.domain import hirebar, timing
from app.domain.answer_formats import AnswerRecord
from app.domain.calibration import CriterionGap, ScorePair, session_gaps
from app.domain.coderesults import TestsEvidence
from app.domain.estimates import EstimateAccuracy, EstimateCheck, accuracy
from app.domain.hirebar import EPSILON, LEGACY, Thresholds
from app.domain.insights import AnswerInsights
from app.domain.model_report import ModelCriterion, ModelLevel, compare
from app.domain.scoring import Criterion, Level, QuestionResult, mean, score_question

STRENGTH_AT = LEGACY.strength_at  # without a hire bar (app.domain.hirebar)
GAP_BELOW = LEGACY.gap_below

STRENGTH = "strength"
GAP = "gap"
DEVELOPING = "developing"
UNSCORED = "unscored"


def verdict(score: float | None, thresholds: Thresholds = LEGACY) -> str:
    """strength / developing / gap / unscored for a 0-100 criterion score (thresholds:
    the rubric's hire bar, app.domain.hirebar; the fixed 75/50 by default)."""
    if score is None:
        return UNSCORED
    if score >= thresholds.strength_at - EPSILON:
        return STRENGTH
    if score < thresholds.gap_below - EPSILON:
        return GAP
    return DEVELOPING


def rounded(score: float | None) -> int | None:
    """A 0-100 score as a whole number, halves rounded up (62.5 -> 63)."""
    return None if score is None else int(math.floor(score + 0.5))


@dataclass(frozen=True)
class SkillRef:
    key: str
    name: str


@dataclass(frozen=True)
class FollowUpAnswer:
    """A follow-up the round revealed (issue 13): the prompt as shown, the answer, when."""

    number: int
    prompt: str
    answer: str
    revealed_at: datetime
    reason: str  # "done" (the candidate asked for it) or "time"
    saved_at: datetime | None


@dataclass(frozen=True)
class QuestionInput:
    position: int
    title: str
    skills: tuple[SkillRef, ...]
    criteria: tuple[Criterion, ...]
    levels: Mapping[str, int | None]
    notes: Mapping[str, str]
    rubric_title: str
    rubric_version: int
    suggested_minutes: int
    time_spent_seconds: int
    answer_kind: str = "text"
    estimate: EstimateCheck | None = None
    insights: AnswerInsights | None = None  # what the answer mentions (issue 13), not a score
    tests: TestsEvidence | None = None  # a code answer's runs in the candidate's browser
    # the optional model's suggestions by criterion key (app.domain.model_report); no score
    model_levels: Mapping[str, ModelLevel] | None = None
    answer: AnswerRecord | None = None  # the pinned prompt and the saved answer (exports)
    hire_bar: int | None = None  # the pinned rubric version's hire-bar level (issue 18)
    hints_used: int = 0  # hints the candidate opened, of the question's hints_total
    hints_total: int = 0
    hints_seconds_lost: int = 0  # what those hints took off the deadline (issue 18)

    @property
    def hints_line(self) -> str:
        """'used 2 of 3 hints', 'used 2 of 3 hints (−4 min)' when they cost time ('' when
        the question has none)."""
        return hints_line(self.hints_used, self.hints_total, self.hints_seconds_lost)

    # follow-ups revealed in the round, evidence beside the main answer (issue 13)
    follow_ups: tuple[FollowUpAnswer, ...] = ()


@dataclass(frozen=True)
class SessionInput:
    id: int
    stage_key: str
    stage_name: str
    format_name: str
    status: str
    started_at: datetime
    deadline_at: datetime
    finished_at: datetime | None

    @property
    def ran_out_of_time(self) -> bool:
        return self.status in ("auto_submitted", "closed")


@dataclass(frozen=True)
class TimeUse:
    spent_seconds: int
    suggested_seconds: int

    @property
    def ratio(self) -> float | None:
        return self.spent_seconds / self.suggested_seconds if self.suggested_seconds else None

    @property
    def over(self) -> bool:
        return self.suggested_seconds > 0 and self.spent_seconds > self.suggested_seconds


def question_seconds(
    recorded: int, question_count: int, started_at: datetime, ended_at: datetime | None
) -> int:
    """Seconds used on a question: as recorded, or the whole round for one untimed question."""
    if recorded > 0 or question_count != 1 or ended_at is None:
        return max(recorded, 0)
    return max(int((ended_at - started_at).total_seconds()), 0)


@dataclass(frozen=True)
class Evidence:
    position: int
    question_title: str
    level: Level
    top_level: Level
    score: float
    next_level: Level | None
    note: str = ""


@dataclass(frozen=True)
class CriterionSummary:
    key: str
    title: str
    score: float | None
    evidence: tuple[Evidence, ...]
    unscored_positions: tuple[int, ...]
    thresholds: Thresholds = LEGACY

    @property
    def verdict(self) -> str:
        return verdict(self.score, self.thresholds)


@dataclass(frozen=True)
class SkillSummary:
    key: str
    name: str
    score: float | None
    question_count: int


@dataclass(frozen=True)
class QuestionReport:
    question: QuestionInput
    result: QuestionResult
    time: TimeUse


@dataclass(frozen=True)
class Report:
    session: SessionInput
    questions: tuple[QuestionReport, ...]
    criteria: tuple[CriterionSummary, ...]
    skills: tuple[SkillSummary, ...]
    overall: float | None
    estimates: EstimateAccuracy
    reflection: str = ""
    completed_at: datetime | None = None
    practise_next: Mapping = field(default_factory=dict)
    coach_reviews: tuple[CoachReviewReport, ...] = ()
    model_criteria: tuple[ModelCriterion, ...] = ()  # self vs model; empty: no suggestions

    @property
    def thresholds(self) -> Thresholds:
        """The criteria's thresholds as one pair (for the page's wording and readiness)."""
        return hirebar.combined(c.thresholds for c in self.criteria)

    @property
    def strengths(self) -> tuple[CriterionSummary, ...]:
        found = [c for c in self.criteria if c.verdict == STRENGTH]
        return tuple(sorted(found, key=lambda c: (-c.score, c.title)))

    @property
    def gaps(self) -> tuple[CriterionSummary, ...]:
        found = [c for c in self.criteria if c.verdict == GAP]
        return tuple(sorted(found, key=lambda c: (c.score, c.title)))

    @property
    def unscored_criteria(self) -> tuple[CriterionSummary, ...]:
        return tuple(c for c in self.criteria if c.score is None)

    @property
    def time_spent_seconds(self) -> int:
        return sum(q.time.spent_seconds for q in self.questions)

    @property
    def suggested_seconds(self) -> int:
        return sum(q.time.suggested_seconds for q in self.questions)

    @property
    def estimate_questions(self) -> tuple[QuestionReport, ...]:
        return tuple(q for q in self.questions if q.question.estimate is not None)


@dataclass(frozen=True)
class CoachReviewInput:
    """A coach's published review revision, keyed by question position and criterion key."""

    coach_name: str
    revision: int
    published_at: datetime
    levels: Mapping[tuple[int, str], int | None]
    comments: Mapping[tuple[int, str], str] = field(default_factory=dict)
    answer_comments: Mapping[int, str] = field(default_factory=dict)
    strengths_md: str = ""
    gaps_md: str = ""
    next_steps_md: str = ""


@dataclass(frozen=True)
class CoachCriterion:
    """One criterion across the session: self score, coach score and the gap."""

    key: str
    title: str
    self_score: float | None
    coach_score: float | None
    gap: CriterionGap | None  # self minus coach over the answers both scored

    @property
    def gap_points(self) -> float | None:
        return None if self.gap is None else self.gap.delta_points

    @property
    def gap_levels(self) -> float | None:
        return None if self.gap is None else self.gap.delta


@dataclass(frozen=True)
class CoachReviewReport:
    coach_name: str
    revision: int
    published_at: datetime
    questions: tuple[QuestionResult, ...]  # the coach's scores, same order as Report.questions
    answer_comments: Mapping[int, str]  # by question position
    criteria: tuple[CoachCriterion, ...]
    overall: float | None
    strengths_md: str = ""
    gaps_md: str = ""
    next_steps_md: str = ""


def _coach_review(
    questions: tuple[QuestionReport, ...], review: CoachReviewInput
) -> CoachReviewReport:
    """Score a coach's levels like the self-scores and compare them, criterion by criterion."""
    results = []
    pairs = []
    for q in questions:
        position = q.question.position
        levels = {c.key: review.levels.get((position, c.key)) for c in q.question.criteria}
        comments = {c.key: review.comments.get((position, c.key), "") for c in q.question.criteria}
        results.append(score_question(q.question.criteria, levels, comments))
        for mine in q.result.results:
            c = mine.criterion
            pairs.append(
                ScorePair(
                    criterion=c.key,
                    title=c.title,
                    self_level=mine.level.value if mine.level else None,
                    coach_level=levels.get(c.key),
                    min_level=c.min_value,
                    max_level=c.max_value,
                )
            )
    gaps = {g.criterion: g for g in session_gaps(pairs)}
    coach_scores: dict[str, list[float | None]] = {}
    for result in results:
        for r in result.results:
            coach_scores.setdefault(r.criterion.key, []).append(r.score)
    criteria = tuple(
        CoachCriterion(
            key=c.key,
            title=c.title,
            self_score=c.score,
            coach_score=mean(coach_scores.get(c.key, [])),
            gap=gaps.get(c.key),
        )
        for c in _criteria(questions, None)
    )
    return CoachReviewReport(
        coach_name=review.coach_name,
        revision=review.revision,
        published_at=review.published_at,
        questions=tuple(results),
        answer_comments=dict(review.answer_comments),
        criteria=criteria,
        overall=mean(r.score for r in results),
        strengths_md=review.strengths_md,
        gaps_md=review.gaps_md,
        next_steps_md=review.next_steps_md,
    )


def build_report(
    session: SessionInput,
    questions: list[QuestionInput],
    reflection: str = "",
    completed_at: datetime | None = None,
    practise_next: Mapping | None = None,
    coach_reviews: list[CoachReviewInput] | tuple[CoachReviewInput, ...] = (),
    thresholds: Mapping[str, Thresholds] | None = None,
) -> Report:
    """Derive every score, verdict, time and estimate figure of a report.

    `thresholds`: per criterion key, as stored with a scored report (a key missing there
    keeps LEGACY); None derives them from the questions' hire bars (app.domain.hirebar).
    """
    question_reports = tuple(
        QuestionReport(
            question=q,
            result=score_question(q.criteria, q.levels, q.notes),
            time=TimeUse(q.time_spent_seconds, max(q.suggested_minutes, 0) * 60),
        )
        for q in sorted(questions, key=lambda q: q.position)
    )
    return Report(
        session=session,
        questions=question_reports,
        criteria=_criteria(question_reports, thresholds),
        skills=_skills(question_reports),
        overall=mean(q.result.score for q in question_reports),
        estimates=accuracy(
            q.question.estimate for q in question_reports if q.question.estimate is not None
        ),
        reflection=reflection,
        completed_at=completed_at,
        practise_next=practise_next or {},
        coach_reviews=tuple(_coach_review(question_reports, c) for c in coach_reviews),
        model_criteria=compare(question_reports),
    )


def _criteria(
    questions: tuple[QuestionReport, ...], stored: Mapping[str, Thresholds] | None
) -> tuple[CriterionSummary, ...]:
    order: list[str] = []
    bars: dict[str, list[Thresholds]] = {}
    titles: dict[str, str] = {}
    evidence: dict[str, list[Evidence]] = {}
    unscored: dict[str, list[int]] = {}
    for q in questions:
        for r in q.result.results:
            key = r.criterion.key
            if key not in titles:
                order.append(key)
                titles[key] = r.criterion.title
                evidence[key] = []
                unscored[key] = []
            bars.setdefault(key, []).append(hirebar.for_criterion(r.criterion, q.question.hire_bar))
            if r.scored:
                evidence[key].append(
                    Evidence(
                        position=q.question.position,
                        question_title=q.question.title,
                        level=r.level,
                        top_level=r.criterion.levels[-1],
                        score=r.score,
                        next_level=r.next_level,
                        note=r.note,
                    )
                )
            else:
                unscored[key].append(q.question.position)
    return tuple(
        CriterionSummary(
            key=key,
            title=titles[key],
            score=mean(e.score for e in evidence[key]),
            evidence=tuple(evidence[key]),
            unscored_positions=tuple(unscored[key]),
            thresholds=hirebar.combined(bars[key])
            if stored is None
            else stored.get(key, hirebar.LEGACY),
        )
        for key in order
    )


def _skills(questions: tuple[QuestionReport, ...]) -> tuple[SkillSummary, ...]:
    names: dict[str, str] = {}
    scores: dict[str, list[float | None]] = {}
    for q in questions:
        for skill in q.question.skills:
            names.setdefault(skill.key, skill.name)
            scores.setdefault(skill.key, []).append(q.result.score)
    return tuple(
        SkillSummary(key=key, name=names[key], score=mean(values), question_count=len(values))
        for key, values in scores.items()
    )


def summary(report: Report) -> dict:
    """The figures the progress page charts: overall, per skill area, per criterion."""
    return {
        "overall": report.overall,
        "skills": {s.key: s.score for s in report.skills if s.score is not None},
        "skill_names": {s.key: s.name for s in report.skills},
        "criteria": {c.key: c.score for c in report.criteria if c.score is not None},
        "criterion_titles": {c.key: c.title for c in report.criteria},
        # issue 18: the thresholds this report was scored with, kept with it
        "thresholds": {c.key: c.thresholds.as_list() for c in report.criteria},
        "ready_at": report.thresholds.as_list(),
    }


def hints_line(used: int, total: int, seconds_lost: int = 0) -> str:
    """'used 2 of 3 hints', with '(−4 min)' when the round's format made them cost time;
    '' when the question has no hints (the report and the coach's log say the same)."""
    if not total:
        return ""
    plural = "s" if total != 1 else ""
    line = f"used {used} of {total} hint{plural}"
    if seconds_lost > 0:
        line += f" (\u2212{timing.format_cost(seconds_lost)})"
    return line
