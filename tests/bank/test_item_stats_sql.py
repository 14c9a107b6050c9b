"""The item statistics aggregated in SQL give exactly the figures of the Python arithmetic
they replaced (issue 14), on one data set with every branch of that arithmetic: several
versions, blanks of each kind, link-only answers, estimates within and outside and against
a zero reference, partial and unfinished self-scorings, rounds of one question with no
recorded time (the whole round counts, capped at the deadline), rounds of several, odd and
even counts (the median), and unfinished rounds (not counted).

The reference below is the module's code before the change, kept here as the oracle."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.bank import stats
from app.clock import utcnow
from app.domain import item_stats
from app.domain.estimates import estimate_for
from app.domain.report import question_seconds
from app.domain.scoring import criteria_from_json, score_question
from app.extensions import db
from app.learning import scoring as feedback
from app.models.bank import Question, QuestionVersion, RubricVersion
from app.models.practice import PracticeSession, SessionQuestion
from app.models.scoring import SelfAssessment, SelfScore
from tests import factories
from tests.bank.test_item_stats import new_version


def _finished():
    return stats._finished()


def _finished_attempts(question_ids: list[int]):
    return (
        select(SessionQuestion.id)
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .where(SessionQuestion.question_id.in_(question_ids), _finished())
    )


@dataclass(frozen=True)
class _Version:
    """The columns of a question version `estimate_for` reads."""

    answer_kind: str
    estimate_value: float | None
    estimate_tolerance_pct: float | None
    estimate_unit: str | None


@dataclass(frozen=True)
class _Answer:
    question_version: _Version
    answer_number: float | None
    answer_unit: str | None


def _finished_attempts(question_ids: list[int]):
    """The finished attempts at these questions (a page's worth of ids: a bounded list)."""
    return (
        select(SessionQuestion.id)
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .where(SessionQuestion.question_id.in_(question_ids), _finished())
    )


def _attempts(question_ids: list[int]) -> dict[int, list[item_stats.Attempt]]:
    """Every finished attempt at these questions, as domain `Attempt`s, by question id.

    Three queries whatever the number of rounds, none with a parameter per round or per
    attempt (100,000 finished rounds once made one IN list of 100,001 parameters): the
    attempts as plain columns, with their round's question count as a correlated count
    on the session index; the completed self-scores joined the same way; the rubrics."""
    if not question_ids:
        return {}
    round_items = aliased(SessionQuestion)
    size = (
        select(func.count(round_items.id))
        .where(round_items.session_id == SessionQuestion.session_id)
        .correlate(SessionQuestion)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            SessionQuestion.id,
            SessionQuestion.question_id,
            SessionQuestion.rubric_version_id,
            SessionQuestion.answer_text,
            SessionQuestion.answer_number,
            SessionQuestion.answer_unit,
            SessionQuestion.answer_links,
            SessionQuestion.time_spent_seconds,
            SessionQuestion.hints_revealed,
            PracticeSession.started_at,
            PracticeSession.finished_at,
            PracticeSession.deadline_at,
            QuestionVersion.number,
            QuestionVersion.suggested_minutes,
            QuestionVersion.answer_kind,
            QuestionVersion.estimate_value,
            QuestionVersion.estimate_tolerance_pct,
            QuestionVersion.estimate_unit,
            size,
        )
        .join(PracticeSession, PracticeSession.id == SessionQuestion.session_id)
        .join(QuestionVersion, QuestionVersion.id == SessionQuestion.question_version_id)
        .where(SessionQuestion.question_id.in_(question_ids), _finished())
    ).all()
    if not rows:
        return {}
    scores = _completed_self_scores(question_ids)
    result: dict[int, list[item_stats.Attempt]] = defaultdict(list)
    for row in rows:
        ended = min(row.finished_at or row.deadline_at, row.deadline_at)
        version = _Version(
            row.answer_kind, row.estimate_value, row.estimate_tolerance_pct, row.estimate_unit
        )
        estimate = estimate_for(_Answer(version, row.answer_number, row.answer_unit))
        answered = (
            bool((row.answer_text or "").strip())
            or row.answer_number is not None
            or bool(row.answer_links)
        )
        result[row.question_id].append(
            item_stats.Attempt(
                version_number=row.number,
                answered=answered,
                time_spent_seconds=question_seconds(
                    row.time_spent_seconds, row[-1], row.started_at, ended
                ),
                suggested_minutes=row.suggested_minutes,
                hints_revealed=row.hints_revealed,
                self_score=scores.get(row.id),
                estimate_within=estimate.within if estimate and estimate.checked else None,
            )
        )
    return result


def _completed_self_scores(question_ids: list[int]) -> dict[int, float]:
    """The 0-100 self-score of each finished attempt at these questions whose candidate
    finished scoring the round, by session question id."""
    rows = db.session.execute(
        select(
            SelfScore.session_question_id,
            SessionQuestion.rubric_version_id,
            SelfScore.criterion_key,
            SelfScore.level,
        )
        .join(SelfAssessment, SelfAssessment.id == SelfScore.assessment_id)
        .join(SessionQuestion, SessionQuestion.id == SelfScore.session_question_id)
        .where(
            SelfAssessment.completed_at.is_not(None),
            SelfScore.session_question_id.in_(_finished_attempts(question_ids)),
        )
    ).all()
    if not rows:
        return {}
    levels: dict[int, dict[str, int | None]] = defaultdict(dict)
    rubric_of: dict[int, int] = {}
    for item_id, rubric_id, key, level in rows:
        levels[item_id][key] = level
        rubric_of[item_id] = rubric_id
    rubrics = {
        rubric.id: criteria_from_json(rubric.criteria)
        for rubric in db.session.scalars(
            select(RubricVersion).where(RubricVersion.id.in_(set(rubric_of.values())))
        )
    }
    scores = {}
    for item_id, item_levels in levels.items():
        score = score_question(rubrics[rubric_of[item_id]], item_levels).score
        if score is not None:
            scores[item_id] = score
    return scores


def reference(question_id: int):
    attempts = _attempts([question_id]).get(question_id, [])
    return item_stats.item_stats(attempts), item_stats.by_version(attempts)


def same(new: item_stats.ItemStats, old: item_stats.ItemStats) -> None:
    for field in fields(item_stats.ItemStats):
        a, b = getattr(new, field.name), getattr(old, field.name)
        if isinstance(b, float):
            assert a == pytest.approx(b, rel=1e-12), field.name
            assert type(a) is type(b), field.name
        else:
            assert a == b and type(a) is type(b), field.name


def assert_matches_reference(question_id: int) -> None:
    """The question's statistics, overall and per version, equal the Python reference."""
    overall, per_version = stats.question_statistics(question_id)
    old_overall, old_per_version = reference(question_id)
    same(overall, old_overall)
    assert [n for n, _ in per_version] == [n for n, _ in old_per_version]
    for (_, new), (_, old) in zip(per_version, old_per_version, strict=True):
        same(new, old)


def round_of(user_id, items, *, status="submitted", minutes=60, ran=None):
    """A round of `items` [(question_id, version, answer fields)], started two hours ago
    (with microseconds), finished after `ran` (None: at its deadline or later)."""
    first = items[0][1]
    fmt = factories.round_format(stage_key=first.stage_key, minutes=minutes)
    started = utcnow().replace(microsecond=654321) - timedelta(hours=2)
    deadline = started + timedelta(minutes=minutes)
    session = PracticeSession(
        user_id=user_id,
        round_format_id=fmt.id,
        stage_key=first.stage_key,
        status=status,
        started_at=started,
        deadline_at=deadline,
        finished_at=None
        if status == "in_progress"
        else started + (ran or timedelta(hours=1, seconds=30)),
    )
    for position, (qid, version, answer) in enumerate(items):
        session.items.append(
            SessionQuestion(
                position=position,
                question_id=qid,
                question_version_id=version.id,
                rubric_version_id=version.rubric.current_version_id,
                **{"answer_text": "An answer.", "time_spent_seconds": 0, **answer},
            )
        )
    db.session.add(session)
    db.session.commit()
    if status != "in_progress":  # made finished here: counted as `lifecycle.finish` counts
        stats.count_round(session.id)
        db.session.commit()
    return session


def self_score(session, user_id, levels, *, finish=True):
    """Self-score every item of `session` with `levels` (None: leave a criterion unscored)."""
    scores = {}
    for item in session.items:
        keys = [c["key"] for c in item.rubric_version.criteria]
        scores.update({(item.id, k): lv for k, lv in zip(keys, levels, strict=True)})
    feedback.save_scoring(session.id, user_id, scores, {}, "", utcnow(), finish=finish)


@pytest.fixture
def varied(app, make_user):
    one, two = make_user(), make_user()
    with app.app_context():
        design = factories.question(title="Design a feature store", suggested_minutes=20).id
        estimate = factories.question(
            title="Tokens per day",
            answer_kind="estimate",
            estimate_value=100.0,
            estimate_unit="tokens",
            estimate_tolerance_pct=10,
        ).id
        zero = factories.question(
            title="Errors at zero", answer_kind="estimate", estimate_value=0.0
        ).id
        v1 = db.session.get(Question, design).current_version
        e1 = db.session.get(Question, estimate).current_version
        z1 = db.session.get(Question, zero).current_version
        # one-question rounds with no recorded time: the whole round, capped at the deadline
        s = round_of(one, [(design, v1, {})], ran=timedelta(minutes=17, seconds=3, microseconds=5))
        self_score(s, one, [1, 2, 3])
        round_of(one, [(design, v1, {"answer_text": "  \n\t "})])  # blank, past its deadline
        s = round_of(two, [(design, v1, {"time_spent_seconds": 301, "answer_text": ""})])
        self_score(s, two, [4, None, 2])  # partial
        s = round_of(
            two,
            [
                (
                    design,
                    v1,
                    {
                        "time_spent_seconds": 95,
                        "answer_links": ["https://x.test"],
                        "answer_text": "",
                    },
                )
            ],
        )
        self_score(s, two, [3, 3, 3], finish=False)  # not finished: no score
        round_of(two, [(design, v1, {"time_spent_seconds": 999})], status="in_progress")
        # several questions in a round: a zero stays zero
        s = round_of(
            one,
            [
                (design, v1, {}),
                (estimate, e1, {"answer_number": 105.0, "answer_text": ""}),
                (zero, z1, {"answer_number": 0.0}),
            ],
            status="auto_submitted",
        )
        self_score(s, one, [2, 2, 2])
        v2 = new_version(design, suggested_minutes=45)
        for seconds in (1200, 1800, 2400):
            s = round_of(two, [(design, v2, {"time_spent_seconds": seconds})])
            self_score(s, two, [4, 4, 4])
        for number in (80.0, 90.0, 110.0000000001, 130.0, None, 89.99):
            round_of(
                one, [(estimate, e1, {"answer_number": number, "answer_text": ""})], status="closed"
            )
        round_of(two, [(zero, z1, {"answer_number": 0.5})])
        unsat = factories.question(title="Never sat").id
    return [design, estimate, zero, unsat]


def test_sql_aggregates_match_the_python_arithmetic(app, varied):
    with app.app_context():
        for qid in varied:
            assert_matches_reference(qid)
        page, by_question = stats.item_statistics(page=1, per_page=25)
        assert {q.id for q in page.items} == set(varied)
        for qid in varied:
            same(by_question[qid], reference(qid)[0])
        # the data set reaches the branches it is meant to
        design = by_question[varied[0]]
        assert design.attempts == 8 and design.answered == 6 and design.scored == 6
        assert design.suggested_seconds == 45 * 60
        assert by_question[varied[1]].estimates_checked == 6
        assert by_question[varied[2]].estimates_within == 1


def test_pages_render_the_same_figures(app, client, login_as, varied):
    """The rendered cells come from the same figures: the list and a question's page."""
    login_as("admin")
    with app.app_context():
        design, *_ = varied
        old_overall, _ = reference(design)
    page = client.get("/admin/bank/stats").get_data(as_text=True)
    row = page[page.index("Design a feature store") :]
    assert f"<td>{old_overall.attempts}</td>" in row
    assert f"{old_overall.median_seconds / 60:.1f} min" in row
    assert f"({old_overall.time_ratio:.1f}×)" in row
