"""What the coach and coaching templates show, assembled from loaded models.

No queries here except through the functions passed in; no commits. The maths lives
in `app.domain.sessionlog` and `app.domain.calibration`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.coach.selfscores import SelfScores
from app.domain import calibration, sessionlog
from app.domain import report as report_domain
from app.domain.coderesults import TestsEvidence
from app.domain.estimates import EstimateCheck, check_estimate
from app.domain.scoring import criteria_from_json, mean, score_question
from app.practice import coderuns


def level_label(criterion: dict, level: int | None) -> str:
    if level is None:
        return "Not scored"
    for item in criterion.get("levels", []):
        if item["value"] == level:
            return f"{level} · {item['label']}"
    return str(level)


def level_range(criterion: dict) -> tuple[int, int]:
    values = [lv["value"] for lv in criterion.get("levels", [])] or [0]
    return min(values), max(values)


@dataclass
class CriterionRow:
    criterion: dict
    self_level: int | None
    self_note: str
    coach_level: int | None = None
    coach_comment: str = ""

    @property
    def self_label(self) -> str:
        return level_label(self.criterion, self.self_level)

    @property
    def coach_label(self) -> str:
        return level_label(self.criterion, self.coach_level)

    @property
    def delta(self) -> int | None:
        if self.self_level is None or self.coach_level is None:
            return None
        return self.self_level - self.coach_level


@dataclass
class QuestionView:
    item: object  # SessionQuestion
    spent_seconds: float
    spark: sessionlog.Sparkline | None
    criteria: list[CriterionRow]
    coach_comment: str = ""

    @property
    def version(self):
        return self.item.question_version

    @property
    def tests(self) -> TestsEvidence | None:
        """The code answer's runs in the candidate's browser (None: no tests)."""
        return coderuns.evidence(self.item)

    @property
    def suggested_seconds(self) -> int:
        return (self.version.suggested_minutes or 0) * 60

    @property
    def spent_label(self) -> str:
        return sessionlog.fmt_duration(self.spent_seconds)

    @property
    def hints_line(self) -> str:
        """'used 2 of 3 hints (−4 min)', as the candidate's report says it (issue 18)."""
        return report_domain.hints_line(
            self.item.hints_revealed,
            len(self.version.hints or []),
            self.item.hint_penalty_seconds or 0,
        )

    @property
    def over_suggested(self) -> bool:
        return self.suggested_seconds > 0 and self.spent_seconds > self.suggested_seconds

    @property
    def spent_pct(self) -> int:
        """Time spent as a share of the suggested time (capped at 200 for the bar)."""
        if self.suggested_seconds <= 0:
            return 0
        return min(200, round(self.spent_seconds / self.suggested_seconds * 100))

    @property
    def estimate(self) -> EstimateCheck | None:
        """The automatic check of an estimate answer against the bank's reference."""
        if self.version.answer_kind != "estimate":
            return None
        return check_estimate(
            self.item.answer_number,
            self.version.estimate_value,
            self.version.estimate_tolerance_pct,
            self.item.answer_unit,
            self.version.estimate_unit,
        )

    @property
    def code_lines(self) -> list[str] | None:
        if self.version.answer_kind != "code":
            return None
        return (self.item.answer_text or "").splitlines() or [""]


@dataclass
class SessionLogView:
    session: object
    summary: sessionlog.Summary
    timeline: list[sessionlog.TimelineRow]
    questions: list[QuestionView]
    self_scores: SelfScores
    gaps: list[calibration.CriterionGap] = field(default_factory=list)

    @property
    def self_overall(self) -> float | None:
        if self.self_scores.overall is not None:
            return self.self_scores.overall
        return session_overall(self.session, self.self_scores.levels)

    @property
    def coach_overall(self) -> float | None:
        levels = {
            (q.item.id, row.criterion["key"]): row.coach_level
            for q in self.questions
            for row in q.criteria
        }
        return session_overall(self.session, levels)


def session_overall(session, levels: dict) -> float | None:
    """The overall 0-100 score the feedback report would give these levels: each question
    the weighted mean of its criteria, the session the mean of the scored questions."""
    return mean(
        score_question(
            criteria_from_json(item.rubric_version.criteria),
            {c["key"]: levels.get((item.id, c["key"])) for c in item.rubric_version.criteria},
        ).score
        for item in session.items
    )


def coach_values(snap: dict | None) -> tuple[dict, dict, dict]:
    """(levels, comments, answer comments) from a review snapshot."""
    if not snap:
        return {}, {}, {}
    levels = {(s["session_question_id"], s["criterion_key"]): s["level"] for s in snap["scores"]}
    comments = {
        (s["session_question_id"], s["criterion_key"]): s["comment_md"] for s in snap["scores"]
    }
    answers = {c["session_question_id"]: c["comment_md"] for c in snap["answer_comments"]}
    return levels, comments, answers


def session_log(
    session, self_scores: SelfScores | None, now: datetime, coach_snapshot: dict | None = None
) -> SessionLogView:
    """The whole story of a session: summary strip, condensed timeline, each answer with its
    time, sparkline, self-scores and (when given) the coach's scores."""
    self_scores = self_scores or SelfScores()
    events = list(session.events)
    started = session.started_at
    ended = session.finished_at or min(now, session.deadline_at)
    spent_events = sessionlog.time_per_question(events, started, ended)
    stored = {item.position: float(item.time_spent_seconds or 0) for item in session.items}
    spent = stored if any(stored.values()) else spent_events
    series = sessionlog.length_series(events, started)
    span = (ended - started).total_seconds()
    levels, comments, answer_comments = coach_values(coach_snapshot)
    questions = []
    for item in session.items:
        rows = [
            CriterionRow(
                criterion=c,
                self_level=self_scores.levels.get((item.id, c["key"])),
                self_note=self_scores.notes.get((item.id, c["key"]), ""),
                coach_level=levels.get((item.id, c["key"])),
                coach_comment=comments.get((item.id, c["key"]), ""),
            )
            for c in item.rubric_version.criteria
        ]
        questions.append(
            QuestionView(
                item=item,
                spent_seconds=spent.get(item.position, 0.0),
                spark=sessionlog.sparkline(series.get(item.position, []), span),
                criteria=rows,
                coach_comment=answer_comments.get(item.id, ""),
            )
        )
    summary = sessionlog.summary(
        status=session.status,
        started_at=started,
        deadline_at=session.deadline_at,
        finished_at=session.finished_at,
        events=events,
        questions=[
            (
                item.position,
                item.question_version.title,
                item.question_version.suggested_minutes or 0,
                item.is_answered,
            )
            for item in session.items
        ],
        spent=spent,
        now=now,
    )
    view = SessionLogView(
        session=session,
        summary=summary,
        timeline=sessionlog.timeline(events, started),
        questions=questions,
        self_scores=self_scores,
    )
    view.gaps = calibration.session_gaps(pairs(session, self_scores, levels))
    return view


def pairs(session, self_scores: SelfScores, coach_levels: dict) -> list[calibration.ScorePair]:
    """Self and coach level per criterion of each answer of a session."""
    return [
        calibration.ScorePair(
            criterion=c["key"],
            title=c["title"],
            self_level=self_scores.levels.get((item.id, c["key"])),
            coach_level=coach_levels.get((item.id, c["key"])),
            min_level=level_range(c)[0],
            max_level=level_range(c)[1],
        )
        for item in session.items
        for c in item.rubric_version.criteria
    ]


def trends(reviews: list, self_by_session: dict[int, SelfScores]) -> list:
    """Calibration across the reviewed sessions (reviews oldest first, latest revision each)."""
    per_session = []
    for review in reviews:
        if not review.revisions:
            continue
        levels, _, _ = coach_values(review.revisions[-1].snapshot)
        per_session.append(
            calibration.session_gaps(
                pairs(review.session, self_by_session.get(review.session_id, SelfScores()), levels)
            )
        )
    return calibration.across_sessions(per_session)


def coach_level_scores(session, levels: dict) -> list[calibration.LevelScore]:
    return [
        calibration.LevelScore(
            c["key"],
            c["title"],
            levels.get((item.id, c["key"])),
            *level_range(c),
        )
        for item in session.items
        for c in item.rubric_version.criteria
    ]


def working_levels(review) -> dict:
    """The coach's levels from a review's working copy."""
    if review is None:
        return {}
    return {(s.session_question_id, s.criterion_key): s.level for s in review.scores}


def find_revision(review, number: int):
    """A published revision of a review by number, or None."""
    if review is None:
        return None
    return next((r for r in review.revisions if r.number == number), None)


@dataclass
class SessionRow:
    session: object
    review: object | None
    coach_points: float | None
    self_points: float | None


@dataclass
class ChartPoint:
    session: object
    coach_points: float | None
    self_points: float | None


@dataclass
class ScoreChart:
    """A small server-rendered line chart of overall scores (0-100) per reviewed session."""

    points: list[ChartPoint]
    width: int = 480
    height: int = 140
    pad: int = 24

    def _xy(self, index: int, value: float) -> tuple[float, float]:
        n = len(self.points)
        inner_w = self.width - 2 * self.pad
        x = self.pad + (inner_w / 2 if n == 1 else index / (n - 1) * inner_w)
        y = self.pad + (100 - value) / 100 * (self.height - 2 * self.pad)
        return x, y

    def line(self, attr: str) -> str:
        coords = []
        for index, point in enumerate(self.points):
            value = getattr(point, attr)
            if value is not None:
                x, y = self._xy(index, value)
                coords.append(f"{x:.1f},{y:.1f}")
        return " ".join(coords)

    def dots(self, attr: str) -> list[tuple[float, float, float]]:
        out = []
        for index, point in enumerate(self.points):
            value = getattr(point, attr)
            if value is not None:
                out.append((*self._xy(index, value), value))
        return out

    def gridline(self, value: int) -> float:
        return self._xy(0, value)[1]


def candidate_overview(pagination, reviews: dict, published: list, self_scores_for) -> dict:
    """The candidate overview for a coach: a page of sessions with scores, a chart over the
    reviewed sessions, strengths and gaps by criterion, and calibration across sessions."""
    ids = [s.id for s in pagination.items] + [r.session_id for r in published]
    selfs = self_scores_for(ids) if ids else {}

    def self_points(session) -> float | None:
        s = selfs.get(session.id)
        if s is None:
            return None
        return s.overall if s.overall is not None else session_overall(session, s.levels)

    rows = [
        SessionRow(
            session=s,
            review=reviews.get(s.id),
            coach_points=session_overall(s, working_levels(reviews.get(s.id))),
            self_points=self_points(s),
        )
        for s in pagination.items
    ]
    chart_points, level_scores = [], []
    for review in published:
        levels, _, _ = coach_values(review.revisions[-1].snapshot if review.revisions else None)
        level_scores.extend(coach_level_scores(review.session, levels))
        chart_points.append(
            ChartPoint(
                review.session,
                session_overall(review.session, levels),
                self_points(review.session),
            )
        )
    averages = calibration.criterion_averages(level_scores)
    strengths, gaps = calibration.strengths_and_gaps(
        averages, strong_at=report_domain.STRENGTH_AT, weak_below=report_domain.GAP_BELOW
    )
    return {
        "pagination": pagination,
        "rows": rows,
        "chart": ScoreChart(chart_points) if chart_points else None,
        "averages": averages,
        "strengths": strengths,
        "gaps": gaps,
        "trends": trends(published, selfs),
    }
