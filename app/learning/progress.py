"""The progress page: scores over time per skill area and stage, readiness per stage, the
candidate's rounds page by page, and what to practise next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.domain import charts, hirebar
from app.domain import progress as progress_domain
from app.domain import report as report_domain
from app.extensions import db
from app.learning.schedule import PractiseNext, practise_next
from app.models.bank import Stage
from app.models.practice import PracticeSession, SessionStatus
from app.models.scoring import SelfAssessment

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
        ready_at = summary.get("ready_at")  # issue 18: stored with the round's report
        bar = hirebar.Thresholds(*ready_at) if ready_at else None
        rounds.append(
            progress_domain.ScoredRound(
                completed_at, stage_key, overall, summary.get("skills", {}), bar
            )
        )
    stage_names = {s.key: s.name for s in stages}
    skill_series = progress_domain.skill_series(rounds, skill_names)
    stage_series = progress_domain.stage_series(rounds, stage_names)
    per_stage = progress_domain.stage_scores(rounds)
    bars = progress_domain.stage_bars(rounds)
    stage_rows = [
        StageProgress(
            s.key,
            s.name,
            counts.get(s.key, 0),
            progress_domain.readiness(per_stage.get(s.key, []), bars.get(s.key)),
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
