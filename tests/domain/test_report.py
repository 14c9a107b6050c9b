"""Report derivation (criteria, skills, overall, verdicts, time) and the three exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.estimates import check_estimate
from app.domain.report import (
    GAP_BELOW,
    STRENGTH_AT,
    QuestionInput,
    SessionInput,
    SkillRef,
    build_report,
    question_seconds,
    rounded,
    verdict,
)
from app.domain.report_formats import format_minutes, to_csv, to_dict, to_markdown
from app.domain.scoring import Criterion, Level

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def crit(key, n=4, weight=1.0, first=1):
    return Criterion(
        key=key,
        title=key.replace("_", " ").capitalize(),
        weight=weight,
        levels=tuple(Level(v, f"L{v}", f"{key} at {v}") for v in range(first, first + n)),
    )


def session(status="submitted"):
    return SessionInput(
        id=7,
        stage_key="system_design",
        stage_name="ML system design",
        format_name="Design round",
        status=status,
        started_at=T0,
        deadline_at=T0 + timedelta(minutes=60),
        finished_at=T0 + timedelta(minutes=50),
    )


def q(position, levels, criteria=None, skills=("mlops",), spent=600, minutes=10, **kw):
    return QuestionInput(
        position=position,
        title=f"Q title {position}",
        skills=tuple(SkillRef(k, k.upper()) for k in skills),
        criteria=criteria or (crit("cost"), crit("privacy")),
        levels=levels,
        notes=kw.pop("notes", {}),
        rubric_title="Design rubric",
        rubric_version=1,
        suggested_minutes=minutes,
        time_spent_seconds=spent,
        **kw,
    )


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (None, "unscored"),
        (STRENGTH_AT, "strength"),
        (74.99, "developing"),
        (GAP_BELOW, "developing"),
        (49.99, "gap"),
        (0, "gap"),
    ],
)
def test_verdict_thresholds(score, expected):
    assert verdict(score) == expected


def test_rounding_and_durations():
    assert rounded(62.5) == 63 and rounded(62.49) == 62 and rounded(None) is None
    assert format_minutes(45) == "45 s"
    assert format_minutes(600) == "10 min"
    assert format_minutes(3900) == "1 h 05 min"


def test_criterion_score_is_mean_across_questions_with_evidence():
    report = build_report(session(), [q(0, {"cost": 4, "privacy": 1}), q(1, {"cost": 2})])
    by_key = {c.key: c for c in report.criteria}
    assert by_key["cost"].score == pytest.approx((100 + 100 / 3) / 2)
    assert [e.position for e in by_key["cost"].evidence] == [0, 1]
    assert by_key["privacy"].unscored_positions == (1,)
    gap = report.gaps[0]
    assert gap.key == "privacy"
    assert gap.evidence[0].level.value == 1
    assert gap.evidence[0].next_level.descriptor == "privacy at 2"


def test_top_level_evidence_has_no_next_level():
    report = build_report(session(), [q(0, {"cost": 4})])
    assert report.strengths[0].evidence[0].next_level is None


def test_overall_is_mean_of_scored_questions_only():
    report = build_report(session(), [q(0, {"cost": 4, "privacy": 4}), q(1, {}), q(2, {"cost": 1})])
    assert report.overall == pytest.approx(50.0)
    assert report.questions[1].result.score is None


def test_nothing_scored_gives_unscored_everything():
    report = build_report(session(), [q(0, {})])
    assert report.overall is None
    assert report.strengths == () and report.gaps == ()
    assert [c.key for c in report.unscored_criteria] == ["cost", "privacy"]


def test_skill_scores_average_their_questions():
    report = build_report(
        session(),
        [q(0, {"cost": 4}, skills=("mlops", "coding")), q(1, {"cost": 1}, skills=("mlops",))],
    )
    by_key = {s.key: s for s in report.skills}
    assert by_key["mlops"].score == 50.0 and by_key["mlops"].question_count == 2
    assert by_key["coding"].score == 100.0


def test_mixed_level_counts_and_weights_in_one_report():
    criteria = (crit("a", n=3, weight=3.0), crit("b", n=5, first=0, weight=1.0))
    report = build_report(session(), [q(0, {"a": 2, "b": 4}, criteria=criteria)])
    assert report.overall == pytest.approx((50 * 3 + 100 * 1) / 4)


def test_time_use_and_running_out():
    report = build_report(session("auto_submitted"), [q(0, {}, spent=900), q(1, {}, spent=300)])
    assert report.session.ran_out_of_time
    assert [x.time.over for x in report.questions] == [True, False]
    assert report.time_spent_seconds == 1200 and report.suggested_seconds == 1200
    assert not build_report(session("submitted"), []).session.ran_out_of_time
    assert build_report(session("closed"), []).session.ran_out_of_time


def test_question_seconds_falls_back_to_round_length_for_one_untimed_question():
    end = T0 + timedelta(minutes=42)
    assert question_seconds(0, 1, T0, end) == 42 * 60
    assert question_seconds(120, 1, T0, end) == 120
    assert question_seconds(0, 2, T0, end) == 0
    assert question_seconds(0, 1, T0, None) == 0


def test_estimates_are_summarised():
    e1 = check_estimate(110.0, 100.0, 20.0, "GB", "GB")
    e2 = check_estimate(None, 100.0, 20.0)
    report = build_report(session(), [q(0, {}, estimate=e1), q(1, {}, estimate=e2), q(2, {})])
    assert (report.estimates.checked, report.estimates.within, report.estimates.unanswered) == (
        1,
        1,
        1,
    )
    assert len(report.estimate_questions) == 2


def test_exports_carry_the_same_figures():
    report = build_report(
        session(),
        [q(0, {"cost": 4, "privacy": 1}, notes={"privacy": "=HYPERLINK(evil) | pipe"})],
        reflection="Next time: privacy first.",
        practise_next={
            "items": [{"title": "Privacy", "kind": "criterion", "recent_score": 0.0}],
            "questions": [],
        },
    )
    data = to_dict(report)
    json.dumps(data)  # serialisable
    assert data["overall"] == 50.0
    assert data["strengths"] == ["cost"] and data["gaps"] == ["privacy"]
    assert data["questions"][0]["criteria"][1]["note"].startswith("=HYPERLINK")
    md = to_markdown(report)
    assert "- **Privacy**: gap (0/100)" in md
    assert "next level up, L2: privacy at 2" in md
    assert "\\| pipe" in md  # pipes escaped inside tables
    assert "Next time: privacy first." in md and "- Privacy (criterion, recent score 0)" in md
    rows = list(csv.reader(io.StringIO(to_csv(report))))
    assert rows[0][0] == "section"
    note_cells = [r[8] for r in rows if r[0] == "question_criterion"]
    assert "'=HYPERLINK(evil) | pipe" in note_cells  # formula neutralised
    assert rows[-1][:2] == ["overall", ""] and rows[-1][7] == "50.00"


def test_coach_review_is_scored_like_the_self_scores_and_compared_per_criterion():
    from app.domain.report import CoachReviewInput

    review = CoachReviewInput(
        coach_name="Carla",
        revision=2,
        published_at=T0 + timedelta(days=1),
        levels={(0, "cost"): 2, (1, "cost"): 4, (1, "privacy"): 3},
        comments={(0, "cost"): "=cmd|' /C calc'!A0"},
        answer_comments={1: "Good | sharp."},
        strengths_md="Structure.",
    )
    report = build_report(
        session(), [q(0, {"cost": 4, "privacy": 1}), q(1, {"cost": 4})], coach_reviews=[review]
    )
    [coach] = report.coach_reviews
    cost, privacy = coach.criteria
    # cost: self 4 and 4, coach 2 and 4 -> +1 level, +33.3 points over 2 answers
    assert (cost.self_score, round(cost.coach_score, 2)) == (100.0, 66.67)
    assert (cost.gap_levels, round(cost.gap_points, 2), cost.gap.pairs) == (1.0, 33.33, 2)
    # privacy: self scored Q1 only, coach Q2 only: nothing to compare
    assert privacy.gap is None and privacy.gap_points is None
    assert round(privacy.coach_score, 2) == 66.67
    assert round(coach.questions[0].score, 2) == 33.33  # Q1: cost only
    assert round(coach.overall, 2) == round((33.33 + (100 + 66.67) / 2) / 2, 2)
    assert (
        report.overall
        == build_report(session(), [q(0, {"cost": 4, "privacy": 1}), q(1, {"cost": 4})]).overall
    )
    rows = list(csv.reader(io.StringIO(to_csv(report))))
    assert rows[0][-1] == "coach"
    assert [r[8] for r in rows if r[0] == "coach_question_criterion" and r[8]] == [
        "'=cmd|' /C calc'!A0"
    ]
    assert "Good \\| sharp." not in to_markdown(report)  # comments are paragraphs, not cells
    assert "Good | sharp." in to_markdown(report)
    assert to_dict(report)["coach_reviews"][0]["questions"][1]["comment"] == "Good | sharp."
