"""Item statistics for admins: how the bank's questions play in finished rounds.

Read-only queries; the flags live in `app/domain/item_stats.py`. The statistics are
aggregated in the database (GROUP BY question, or question and version): no attempt row
ever reaches Python, so a question sat 100,000 times costs what one sat 10 times costs.
A list page is four queries whatever the number of questions and rounds: the count and
the page of questions (with their attempt counts), the pinned rubric versions of the
page's attempts (distinct, so bounded by the bank, not by the rounds), and one
aggregate. The per-attempt arithmetic of the domain (`question_seconds`,
`check_estimate`, `score_question`) is written once more in SQL here, and
tests/bank/test_item_stats_sql.py checks the two give the same figures.
"""

from __future__ import annotations

from sqlalchemy import (
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased, contains_eager

from app.bank.queries import clean_filter, paginate
from app.domain import item_stats
from app.domain.estimates import BOUNDARY_SLACK, ESTIMATE_KIND
from app.domain.scoring import criteria_from_json
from app.extensions import db
from app.models.bank import Question, QuestionVersion, RubricVersion, Stage
from app.models.practice import PracticeSession, SessionQuestion, SessionStatus
from app.models.scoring import SelfAssessment, SelfScore

SORTS = {
    "most": "Most sat first",
    "least": "Least sat first",
    "title": "Title",
}


def _finished():
    return PracticeSession.status != SessionStatus.IN_PROGRESS.value


def item_statistics(
    *,
    stage: str | None = None,
    status: str | None = None,
    sort: str = "most",
    page: int,
    per_page: int,
):
    """A page of questions (any status) with their statistics, as `(page, {id: ItemStats})`."""
    counts = (
        select(SessionQuestion.question_id, func.count().label("attempts"))
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .where(_finished())
        .group_by(SessionQuestion.question_id)
        .subquery()
    )
    attempts = func.coalesce(counts.c.attempts, 0)
    query = (
        select(Question)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .join(Stage, Stage.key == QuestionVersion.stage_key)
        .outerjoin(counts, counts.c.question_id == Question.id)
        .options(contains_eager(Question.current_version).contains_eager(QuestionVersion.stage))
    )
    if clean_filter(stage):
        query = query.where(QuestionVersion.stage_key == stage)
    if clean_filter(status):
        query = query.where(Question.status == status)
    order = {
        "most": (attempts.desc(), QuestionVersion.title),
        "least": (attempts.asc(), QuestionVersion.title),
        "title": (QuestionVersion.title,),
    }.get(sort) or (attempts.desc(), QuestionVersion.title)
    query = query.order_by(*order, Question.id)
    result = paginate(query, page, per_page)
    by_question = _aggregate([q.id for q in result.items], per_version=False)
    empty = item_stats.item_stats(())
    stats = {q.id: by_question.get((q.id,), empty) for q in result.items}
    return result, stats


def question_statistics(question_id: int):
    """One question's statistics overall and per version: `(ItemStats, [(number, ItemStats)])`."""
    overall = _aggregate([question_id], per_version=False).get((question_id,))
    versions = _aggregate([question_id], per_version=True)
    per_version = sorted(((key[1], stats) for key, stats in versions.items()), reverse=True)
    return overall or item_stats.item_stats(()), per_version


def _positive(value):
    return case((value > 0, value), else_=0)


def _whole_seconds(later, earlier):
    """Whole seconds from `earlier` to `later`, truncated as `int(timedelta.total_seconds())`
    (for the non-negative spans it is used on)."""
    if db.session.get_bind().dialect.name == "sqlite":
        # stored as 'YYYY-MM-DD HH:MM:SS.ffffff': whole seconds plus the microsecond digits
        micros = (
            (
                cast(func.strftime("%s", later), Integer)
                - cast(func.strftime("%s", earlier), Integer)
            )
            * 1_000_000
            + cast(func.substr(later, 21, 6), Integer)
            - cast(func.substr(earlier, 21, 6), Integer)
        )
        return micros // 1_000_000
    return cast(func.floor(func.extract("epoch", later - earlier)), Integer)


def _inline(value, type_):
    """A number of our own making written into the SQL, not bound: a page's rubrics never
    add a parameter per criterion."""
    return literal(value, type_, literal_execute=True)


def _criteria(question_ids: list[int]):
    """The criteria of the rubric versions pinned by these questions' finished attempts, as
    a selectable of (rubric_version_id, key, min, span, weight); None when there are none.
    Bounded by the rubric versions the bank has, not by the number of rounds."""
    rubric_ids = select(SessionQuestion.rubric_version_id).where(
        SessionQuestion.question_id.in_(question_ids)
    )
    rows = []
    for rubric in db.session.scalars(
        select(RubricVersion).where(RubricVersion.id.in_(rubric_ids.distinct()))
    ):
        for criterion in criteria_from_json(rubric.criteria):
            rows.append(
                select(
                    _inline(rubric.id, Integer).label("rubric_version_id"),
                    literal(criterion.key, String).label("key"),
                    _inline(criterion.min_value, Integer).label("low"),
                    literal(
                        float(criterion.max_value - criterion.min_value),
                        Float,
                        literal_execute=True,
                    ).label("span"),
                    _inline(max(float(criterion.weight), 0.0), Float).label("weight"),
                )
            )
    if not rows:
        return None
    return (union_all(*rows) if len(rows) > 1 else rows[0]).subquery("criteria")


def _self_scores(criteria, question_ids: list[int]):
    """Each completed self-scoring's 0-100 score by session question id: the weighted mean
    of the scored criteria, each normalised on its scale (`score_question`)."""
    level = SelfScore.level
    normalised = case(
        (criteria.c.span == 0, 100.0),
        else_=cast(level - criteria.c.low, Float) / criteria.c.span * 100.0,
    )
    total = func.sum(criteria.c.weight)
    score = case(
        (total > 0, func.sum(normalised * criteria.c.weight) / total),
        else_=func.avg(normalised),
    )
    return (
        select(SelfScore.session_question_id.label("item_id"), score.label("score"))
        .join(SelfAssessment, SelfAssessment.id == SelfScore.assessment_id)
        .join(SessionQuestion, SessionQuestion.id == SelfScore.session_question_id)
        .join(
            criteria,
            and_(
                criteria.c.rubric_version_id == SessionQuestion.rubric_version_id,
                criteria.c.key == SelfScore.criterion_key,
            ),
        )
        .where(
            SessionQuestion.question_id.in_(question_ids),
            SelfAssessment.completed_at.is_not(None),
            level.is_not(None),
        )
        .group_by(SelfScore.session_question_id)
        .subquery("self_scores")
    )


def _aggregate(question_ids: list[int], *, per_version: bool) -> dict[tuple, item_stats.ItemStats]:
    """The statistics of these questions' finished attempts, by `(question_id,)` or by
    `(question_id, version number)`, in one aggregate query (plus the rubrics')."""
    if not question_ids:
        return {}
    criteria = _criteria(question_ids)
    round_items = aliased(SessionQuestion)
    size = (
        select(func.count(round_items.id))
        .where(round_items.session_id == SessionQuestion.session_id)
        .correlate(SessionQuestion)
        .scalar_subquery()
    )
    finished, deadline = PracticeSession.finished_at, PracticeSession.deadline_at
    ended = case((and_(finished.is_not(None), finished < deadline), finished), else_=deadline)
    recorded = SessionQuestion.time_spent_seconds
    seconds = case(
        (or_(recorded > 0, size != 1), _positive(recorded)),
        else_=_positive(_whole_seconds(ended, PracticeSession.started_at)),
    )
    links = cast(SessionQuestion.answer_links, String)
    answered = case(
        (
            or_(
                func.trim(func.coalesce(SessionQuestion.answer_text, ""), " \t\n\r\f\v") != "",
                SessionQuestion.answer_number.is_not(None),
                and_(SessionQuestion.answer_links.is_not(None), links.not_in(["[]", "null"])),
            ),
            1,
        ),
        else_=0,
    )
    answer, reference = SessionQuestion.answer_number, QuestionVersion.estimate_value
    tolerance = func.coalesce(QuestionVersion.estimate_tolerance_pct, 0.0)
    within = case(
        (
            and_(
                QuestionVersion.answer_kind == ESTIMATE_KIND,
                reference.is_not(None),
                answer.is_not(None),
            ),
            case(
                (reference == 0, case((answer == 0, 1), else_=0)),
                (
                    func.abs(answer - reference)
                    <= func.abs(reference) * case((tolerance > 0, tolerance), else_=0.0) / 100.0
                    + func.abs(reference) * BOUNDARY_SLACK,
                    1,
                ),
                else_=0,
            ),
        ),
    )
    group = [SessionQuestion.question_id] + ([QuestionVersion.number] if per_version else [])
    columns = [
        *(c.label(f"g{i}") for i, c in enumerate(group)),
        answered.label("answered"),
        seconds.label("seconds"),
        SessionQuestion.hints_revealed.label("hints"),
        within.label("within"),
        # time is judged against the group's newest version's suggestion: what candidates see
        func.first_value(QuestionVersion.suggested_minutes)
        .over(
            partition_by=group,
            order_by=(QuestionVersion.number.desc(), QuestionVersion.suggested_minutes.desc()),
        )
        .label("suggested"),
    ]
    query = (
        select(*columns)
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .join(QuestionVersion, QuestionVersion.id == SessionQuestion.question_version_id)
        .where(SessionQuestion.question_id.in_(question_ids), _finished())
    )
    if criteria is not None:
        scores = _self_scores(criteria, question_ids)
        query = query.outerjoin(scores, scores.c.item_id == SessionQuestion.id).add_columns(
            scores.c.score.label("score")
        )
    else:
        query = query.add_columns(cast(null(), Float).label("score"))
    rows = query.subquery("attempts")
    keys = [rows.c[f"g{i}"] for i in range(len(group))]
    ranked = select(
        rows,
        func.row_number().over(partition_by=keys, order_by=rows.c.seconds).label("rn"),
        func.count().over(partition_by=keys).label("n"),
    ).subquery("ranked")
    keys = [ranked.c[f"g{i}"] for i in range(len(group))]
    middle = or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    result = db.session.execute(
        select(
            *keys,
            func.count().label("attempts"),
            func.sum(ranked.c.answered).label("answered"),
            func.count(ranked.c.score).label("scored"),
            func.avg(ranked.c.score).label("mean_score"),
            func.avg(case((middle, ranked.c.seconds))).label("median"),
            func.max(ranked.c.suggested).label("suggested"),
            func.avg(ranked.c.hints).label("mean_hints"),
            func.count(ranked.c.within).label("checked"),
            func.coalesce(func.sum(ranked.c.within), 0).label("within"),
        ).group_by(*keys)
    )
    return {tuple(row[: len(group)]): _stats(row) for row in result}


def _float(value) -> float | None:
    return None if value is None else float(value)


def _stats(row) -> item_stats.ItemStats:
    median = _float(row.median)
    return item_stats.totals(
        attempts=int(row.attempts),
        answered=int(row.answered),
        scored=int(row.scored),
        mean_score=_float(row.mean_score),
        # an odd count's median is one attempt's whole seconds, as `statistics.median` gives
        median_seconds=int(median) if median is not None and row.attempts % 2 else median,
        suggested_seconds=int(row.suggested) * 60,
        mean_hints=_float(row.mean_hints),
        estimates_checked=int(row.checked),
        estimates_within=int(row.within),
    )
