"""Item statistics for admins: how the bank's questions play in finished rounds.

The figures are read from counters (`app/models/usage.py`), not aggregated over the
attempts: a page costs what it costs with 300 finished attempts or 300,000 (issue 14).
The counters are changed only here, by upserts that add a delta (`n = n + :delta`, never
read-modify-write), inside the transaction of the write they count:

- `count_round`: a round finished (`app.practice.lifecycle.finish`);
- `count_self_scores`: its self-scoring was finished (`app.learning.scoring`); scoring
  is final once finished, so a score is counted once;
- `uncount_rounds_of`: an account is erased with its rounds (`app.privacy.deletion`);
- `recount`: every counter rebuilt from the attempts (tests, the bulk seed, repair with
  `flask bank recount-stats`).

What a round adds is computed in SQL from the round's rows with the per-attempt
arithmetic of the domain (`question_seconds`, `check_estimate`, `score_question`)
written once more here; tests/bank/test_item_stats_sql.py checks the two agree. The
median time comes exactly from a histogram of whole seconds per version.

A list page is four queries whatever the number of questions and rounds (five when read
by key: the cursor's sort key), paged by `app.keyset`: the count (capped at 1,001
rows), the page of questions along an index (attempt counter, or title), the page's
version counters and the page's medians. No query reads every attempt.
"""

from __future__ import annotations

from sqlalchemy import (
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased, contains_eager

from app import keyset, pagination
from app.bank.queries import clean_filter
from app.domain import item_stats
from app.domain.estimates import BOUNDARY_SLACK, ESTIMATE_KIND
from app.domain.scoring import criteria_from_json
from app.extensions import db
from app.models.bank import Question, QuestionVersion, RubricVersion, Stage
from app.models.practice import PracticeSession, SessionQuestion, SessionStatus
from app.models.scoring import SelfAssessment, SelfScore
from app.models.usage import QuestionTimeUsage, QuestionUsage, QuestionVersionUsage

SORTS = {
    "most": "Most sat first",
    "least": "Least sat first",
    "title": "Title",
}


ORDERS = {
    "most": keyset.Order(
        (QuestionUsage.attempts, QuestionUsage.question_id), cursor=Question.id, descending=True
    ),
    "least": keyset.Order((QuestionUsage.attempts, QuestionUsage.question_id), cursor=Question.id),
    "title": keyset.Order((QuestionVersion.title, QuestionVersion.id), cursor=Question.id),
}


def _finished():
    return PracticeSession.status != SessionStatus.IN_PROGRESS.value


def item_statistics(
    *,
    stage: str | None = None,
    status: str | None = None,
    sort: str = "most",
    page: int | None,
    per_page: int,
    after: int | None = None,
    before: int | None = None,
    count_cap: int = keyset.COUNT_CAP,
) -> tuple[pagination.KeysetPage, dict[int, item_stats.ItemStats]]:
    """A page of questions (any status) with their statistics, as `(page, {id: ItemStats})`.

    Read by key (`app.keyset`), in an order that follows an index: attempts then question
    id (most sat: highest first, newest question first among equals; least sat: lowest
    first, oldest first), or title then version id; so a page reads its rows, not the
    whole bank, and its cost does not grow with the number of rounds. Next carries
    `after` (the page's last question id), Previous `before` (its first); the total is a
    count capped at `count_cap`. An id not on the filtered list is ignored."""
    stage, status = clean_filter(stage), clean_filter(status)
    query = (
        select(Question)
        .join(QuestionUsage, QuestionUsage.question_id == Question.id)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .join(Stage, Stage.key == QuestionVersion.stage_key)
    )
    if stage:
        query = query.where(QuestionVersion.stage_key == stage)
    if status:
        query = query.where(Question.status == status)
    result = keyset.read(
        query,
        ORDERS.get(sort, ORDERS["most"]),
        after=after,
        before=before,
        page=page,
        per_page=per_page,
        count_cap=count_cap,
        options=[contains_eager(Question.current_version).contains_eager(QuestionVersion.stage)],
    )
    items = result.items
    by_question = _read([q.id for q in items], per_version=False)
    empty = item_stats.item_stats(())
    stats = {q.id: by_question.get((q.id,), empty) for q in items}
    return result, stats


def question_statistics(question_id: int):
    """One question's statistics overall and per version: `(ItemStats, [(number, ItemStats)])`."""
    overall = _read([question_id], per_version=False).get((question_id,))
    versions = _read([question_id], per_version=True)
    per_version = sorted(((key[1], stats) for key, stats in versions.items()), reverse=True)
    return overall or item_stats.item_stats(()), per_version


# --- reading the counters -------------------------------------------------------------


def _read(question_ids: list[int], *, per_version: bool) -> dict[tuple, item_stats.ItemStats]:
    """The statistics of these questions by `(question_id,)` or `(question_id, version
    number)`, from their version counters and time histograms (two queries, each bounded
    by the versions and distinct times of these questions, not by their attempts)."""
    if not question_ids:
        return {}
    usage = QuestionVersionUsage
    rows = db.session.execute(
        select(
            usage.question_id,
            QuestionVersion.number,
            QuestionVersion.suggested_minutes,
            usage.attempts,
            usage.answered,
            usage.hints,
            usage.scored,
            usage.score_sum,
            usage.estimates_checked,
            usage.estimates_within,
        )
        .join(QuestionVersion, QuestionVersion.id == usage.question_version_id)
        .where(usage.question_id.in_(question_ids), usage.attempts > 0)
    ).all()
    if not rows:
        return {}
    medians = _medians(question_ids, per_version=per_version)
    groups: dict[tuple, list] = {}
    for row in rows:
        key = (row.question_id, row.number) if per_version else (row.question_id,)
        groups.setdefault(key, []).append(row)
    return {key: _stats(group, medians.get(key)) for key, group in groups.items()}


def _medians(question_ids: list[int], *, per_version: bool) -> dict[tuple, float | int]:
    """The median whole seconds by group, from the histogram: the middle one (odd count)
    or the mean of the middle two (even count), as `statistics.median` gives."""
    times = QuestionTimeUsage
    keys = [times.question_id] + ([QuestionVersion.number] if per_version else [])
    histogram = select(
        *(k.label(f"g{i}") for i, k in enumerate(keys)),
        times.seconds,
        func.sum(times.attempts).label("n"),
    ).where(times.question_id.in_(question_ids), times.attempts > 0)
    if per_version:
        histogram = histogram.join(QuestionVersion, QuestionVersion.id == times.question_version_id)
    histogram = histogram.group_by(*keys, times.seconds).subquery("histogram")
    groups = [histogram.c[f"g{i}"] for i in range(len(keys))]
    running = select(
        histogram,
        cast(
            func.sum(histogram.c.n).over(partition_by=groups, order_by=histogram.c.seconds), Integer
        ).label("upto"),
        cast(func.sum(histogram.c.n).over(partition_by=groups), Integer).label("total"),
    ).subquery("running")
    groups = [running.c[f"g{i}"] for i in range(len(keys))]
    upto, total, seconds = running.c.upto, running.c.total, running.c.seconds
    result = db.session.execute(
        select(
            *groups,
            func.max(total).label("total"),
            func.min(case((upto >= (total + 1) // 2, seconds))).label("low"),
            func.min(case((upto >= (total + 2) // 2, seconds))).label("high"),
        ).group_by(*groups)
    )
    medians = {}
    for row in result:
        key = tuple(row[: len(keys)])
        low, high = int(row.low), int(row.high)
        medians[key] = low if row.total % 2 else (low + high) / 2
    return medians


def _stats(rows, median) -> item_stats.ItemStats:
    attempts = sum(r.attempts for r in rows)
    scored = sum(r.scored for r in rows)
    # time is judged against the group's newest version's suggestion: what candidates see
    newest = max(rows, key=lambda r: r.number)
    return item_stats.totals(
        attempts=attempts,
        answered=sum(r.answered for r in rows),
        scored=scored,
        mean_score=sum(float(r.score_sum) for r in rows) / scored if scored else None,
        median_seconds=median,
        suggested_seconds=int(newest.suggested_minutes) * 60,
        mean_hints=sum(r.hints for r in rows) / attempts,
        estimates_checked=sum(r.estimates_checked for r in rows),
        estimates_within=sum(r.estimates_within for r in rows),
    )


# --- keeping the counters -------------------------------------------------------------


def count_round(session_id: int) -> None:
    """Count a round that is finishing: its attempts, answers, times, hints and checked
    estimates (no commit: inside the finishing transaction). A round is scored only after
    it finished, so no self-score is counted here."""
    _count(SessionQuestion.session_id == session_id, sign=1, scores=False)


def count_self_scores(session_id: int) -> None:
    """Count the completed self-scores of a finished round whose scoring was just finished
    (no commit: inside the scoring transaction)."""
    db.session.flush()
    criteria = _criteria(SessionQuestion.session_id == session_id)
    if criteria is None:
        return
    rows = _attempts(SessionQuestion.session_id == session_id, criteria).subquery("attempts")
    scored = select(rows).where(rows.c.score.is_not(None)).subquery("scored")
    _upsert(
        QuestionVersionUsage,
        select(
            scored.c.version_id,
            scored.c.question_id,
            func.count().label("scored"),
            func.sum(scored.c.score).label("score_sum"),
        )
        .group_by(scored.c.version_id, scored.c.question_id)
        .order_by(scored.c.version_id),
        ["question_version_id", "question_id", "scored", "score_sum"],
        keys=["question_version_id"],
    )


def uncount_rounds_of(user_id: int) -> None:
    """Take a user's finished rounds out of the counters, before they are deleted (no
    commit: inside the erasure's transaction)."""
    _count(PracticeSession.user_id == user_id, sign=-1, scores=True)


def recount() -> None:
    """Rebuild every counter from the finished attempts (no commit)."""
    db.session.flush()
    for table in (QuestionTimeUsage, QuestionVersionUsage, QuestionUsage):
        db.session.execute(delete(table))
    db.session.execute(
        insert(QuestionUsage).from_select(
            ["question_id", "attempts"], select(Question.id, literal(0, Integer))
        )
    )
    _count(true(), sign=1, scores=True)


def rebuild_counters() -> None:
    """`recount` as one transaction (`flask bank recount-stats`)."""
    recount()
    db.session.commit()


def _count(condition, *, sign: int, scores: bool) -> None:
    """Add `sign` times the finished attempts matching `condition` to the counters: three
    upserts, each ordered by key so that concurrent finishes lock rows in one order."""
    db.session.flush()
    criteria = _criteria(condition) if scores else None
    rows = _attempts(condition, criteria).subquery("attempts")
    n = literal(sign, Integer, literal_execute=True)
    _upsert(
        QuestionUsage,
        select(rows.c.question_id, (func.count() * n).label("attempts"))
        .group_by(rows.c.question_id)
        .order_by(rows.c.question_id),
        ["question_id", "attempts"],
        keys=["question_id"],
    )
    _upsert(
        QuestionTimeUsage,
        select(rows.c.version_id, rows.c.seconds, rows.c.question_id, (func.count() * n).label("n"))
        .group_by(rows.c.version_id, rows.c.seconds, rows.c.question_id)
        .order_by(rows.c.version_id, rows.c.seconds),
        ["question_version_id", "seconds", "question_id", "attempts"],
        keys=["question_version_id", "seconds"],
    )
    _upsert(
        QuestionVersionUsage,
        select(
            rows.c.version_id,
            rows.c.question_id,
            func.count() * n,
            func.sum(rows.c.answered) * n,
            func.sum(rows.c.hints) * n,
            func.count(rows.c.score) * n,
            func.coalesce(func.sum(rows.c.score), 0.0) * n,
            func.count(rows.c.within) * n,
            func.coalesce(func.sum(rows.c.within), 0) * n,
        )
        .group_by(rows.c.version_id, rows.c.question_id)
        .order_by(rows.c.version_id),
        [
            "question_version_id",
            "question_id",
            "attempts",
            "answered",
            "hints",
            "scored",
            "score_sum",
            "estimates_checked",
            "estimates_within",
        ],
        keys=["question_version_id"],
    )


def _upsert(model, rows, columns: list[str], *, keys: list[str]) -> None:
    """INSERT the rows; where a key exists, add each counted column to the stored one.
    Columns left out of `columns` start at their defaults (`include_defaults`)."""
    table = model.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).from_select(columns, rows)
    added = [c for c in columns if c not in keys and c != "question_id"]
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=keys,
            set_={c: table.c[c] + statement.excluded[c] for c in added},
        )
    )


# --- the per-attempt arithmetic, in SQL -----------------------------------------------


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
    """A number of our own making written into the SQL, not bound: a round's rubrics never
    add a parameter per criterion."""
    return literal(value, type_, literal_execute=True)


def _criteria(condition):
    """The criteria of the rubric versions pinned by the finished attempts matching
    `condition`, as a selectable of (rubric_version_id, key, min, span, weight); None when
    there are none. Bounded by the rubric versions the bank has, not by the rounds."""
    rubric_ids = (
        select(SessionQuestion.rubric_version_id)
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .where(condition, _finished())
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


def _self_scores(criteria, condition):
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
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .join(
            criteria,
            and_(
                criteria.c.rubric_version_id == SessionQuestion.rubric_version_id,
                criteria.c.key == SelfScore.criterion_key,
            ),
        )
        .where(condition, SelfAssessment.completed_at.is_not(None), level.is_not(None))
        .group_by(SelfScore.session_question_id)
        .subquery("self_scores")
    )


def _attempts(condition, criteria=None):
    """The finished attempts matching `condition`, one row each: question and version,
    answered (0/1), whole seconds, hints revealed, estimate within (1/0, NULL when not
    checked) and the completed self-score (NULL when none, or without `criteria`)."""
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
    query = (
        select(
            SessionQuestion.question_id.label("question_id"),
            SessionQuestion.question_version_id.label("version_id"),
            answered.label("answered"),
            seconds.label("seconds"),
            SessionQuestion.hints_revealed.label("hints"),
            within.label("within"),
        )
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .join(QuestionVersion, QuestionVersion.id == SessionQuestion.question_version_id)
        .where(condition, _finished())
    )
    if criteria is not None:
        scores = _self_scores(criteria, condition)
        return query.outerjoin(scores, scores.c.item_id == SessionQuestion.id).add_columns(
            scores.c.score.label("score")
        )
    return query.add_columns(cast(null(), Float).label("score"))
