"""Precision and recall of "covered" on the labelled answers (bench/insights.py prints them).

Floors are set a little under the measured figures (all kinds: precision 0.952, recall
0.889; paraphrases alone: recall 0.40), so a change to the rules or thresholds that
loses accuracy fails here. Answers built to game the matcher must earn nothing.
"""

from __future__ import annotations

import pytest

from bench.insights import evaluate, generated, load_bank, load_cases

ALL_STAGES = {
    "recruiter_screen", "technical_phone", "system_design", "take_home", "onsite_coding",
    "onsite_deep_dive", "onsite_culture", "ethics_sprint", "bias_audit",
}  # fmt: skip
PRECISION_FLOOR = 0.92
RECALL_FLOOR = 0.85
PARAPHRASE_RECALL_FLOOR = 0.35


@pytest.fixture(scope="module")
def cases():
    return load_cases()


@pytest.fixture(scope="module")
def results(cases, matcher):
    return evaluate(cases, matcher)


def test_the_set_spans_30_questions_every_stage_and_every_kind(cases):
    questions = {c.question.key for c in cases}
    assert len(questions) >= 30
    assert {c.question.stage for c in cases} == ALL_STAGES
    for key in questions:
        kinds = {c.kind for c in cases if c.question.key == key}
        assert {"on_topic", "partial", "off_topic", "echo", "grader", "salad"} <= kinds, key
    assert sum(c.kind == "adversarial" for c in cases) >= 5
    assert sum(c.kind == "paraphrase" for c in cases) >= 15


def test_labels_name_real_points_of_their_question(cases):
    for case in cases:
        ids = {p.id for p in case.question.points}
        assert case.covered <= ids, (case.question.key, case.covered - ids)
        assert case.answer.strip()


def test_precision_and_recall_of_covered_are_above_the_floors(results):
    overall, _by_kind, _errors = results
    assert overall.precision >= PRECISION_FLOOR, overall
    assert overall.recall >= RECALL_FLOOR, overall


def test_paraphrases_are_found_by_meaning_at_least_sometimes(results):
    paraphrase = results[1]["paraphrase"]
    assert paraphrase.recall >= PARAPHRASE_RECALL_FLOOR, paraphrase


@pytest.mark.parametrize("kind", ["echo", "grader", "salad", "adversarial"])
def test_gaming_answers_earn_no_point(results, kind):
    assert results[1][kind].fp == 0, [e for e in results[2] if e[1] == kind]


def test_off_topic_answers_cover_almost_nothing(results):
    off = results[1]["off_topic"]
    assert off.fp <= 0.03 * (off.fp + off.tn), off


def test_no_question_of_the_bank_gives_points_to_an_echo_an_injection_or_a_salad(matcher):
    """The three generated attacks, on all questions (not only the labelled ones)."""
    bank = [q for q in load_bank().values() if q.points]
    assert len(bank) >= 190
    _overall, by_kind, errors = evaluate([c for q in bank for c in generated(q)], matcher)
    assert {kind: t.fp for kind, t in by_kind.items()} == {"echo": 0, "grader": 0, "salad": 0}
    assert errors == []
