"""Coverage of the starting question bank, read from the YAML files themselves.

These numbers are the product's promise (issue 4): enough published questions for every
funnel stage and skill area, numeric estimates with worked answers, and rubrics a candidate
can score against. Counting from the files (no database) means a deleted or unpublished
file makes this fail instead of silently shrinking the bank.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

BANK = Path(__file__).resolve().parents[1] / "question_bank"

MIN_PUBLISHED = 150
MIN_PER_STAGE = 12
MIN_PER_SKILL = 15
MIN_ESTIMATES = 25
MIN_CRITERIA = 3
MIN_HINTS = 2
MIN_FOLLOW_UPS = 2


def _load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


STAGES = [s["key"] for s in _load(BANK / "stages.yaml")["stages"]]
SKILLS = [s["key"] for s in _load(BANK / "skills.yaml")["skills"]]
RUBRICS = {p.stem: _load(p) for p in sorted((BANK / "rubrics").glob("*.yaml"))}
QUESTIONS = {p: _load(p) for p in sorted((BANK / "questions").glob("*/*.yaml"))}
PUBLISHED = [q for q in QUESTIONS.values() if q.get("status", "published") == "published"]


def _blank(value) -> bool:
    return not isinstance(value, str) or not value.strip()


def test_the_bank_is_not_empty_and_every_file_is_a_question():
    assert QUESTIONS, "no question files found under question_bank/questions/"
    assert all(isinstance(q, dict) and q.get("key") for q in QUESTIONS.values())


def test_enough_published_questions():
    assert len(PUBLISHED) >= MIN_PUBLISHED


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_has_enough_published_questions(stage):
    count = sum(1 for q in PUBLISHED if q["stage"] == stage)
    assert count >= MIN_PER_STAGE, f"{stage}: {count} published questions"


@pytest.mark.parametrize("skill", SKILLS)
def test_every_skill_area_has_enough_published_questions(skill):
    count = sum(1 for q in PUBLISHED if skill in q["skills"])
    assert count >= MIN_PER_SKILL, f"{skill}: {count} published questions"


def test_enough_estimates_with_unit_tolerance_and_worked_answer():
    estimates = [q for q in PUBLISHED if q["answer"]["kind"] == "estimate"]
    incomplete = [
        q["key"]
        for q in estimates
        if not isinstance(q["answer"].get("value"), int | float)
        or _blank(q["answer"].get("unit"))
        or not q["answer"].get("tolerance_pct", 0) > 0
        or _blank(q["answer"].get("worked_answer"))
    ]
    assert incomplete == []
    assert len(estimates) >= MIN_ESTIMATES


def test_every_stage_spreads_difficulty():
    spread = defaultdict(set)
    for q in PUBLISHED:
        spread[q["stage"]].add(q["difficulty"])
    missing = {s: {"easy", "medium", "hard"} - spread[s] for s in STAGES}
    assert {s: d for s, d in missing.items() if d} == {}


def test_every_question_has_hints_follow_ups_and_what_good_looks_like():
    thin = [
        q["key"]
        for q in QUESTIONS.values()
        if len([h for h in q.get("hints") or [] if not _blank(h)]) < MIN_HINTS
        or len([f for f in q.get("follow_ups") or [] if not _blank(f)]) < MIN_FOLLOW_UPS
        or _blank(q.get("good_answer"))
    ]
    assert thin == []


def test_every_question_uses_an_existing_rubric():
    unknown = {q["key"]: q["rubric"] for q in QUESTIONS.values() if q["rubric"] not in RUBRICS}
    assert unknown == {}


@pytest.mark.parametrize("key", sorted(RUBRICS))
def test_rubric_has_enough_criteria_with_a_descriptor_on_every_level(key):
    criteria = RUBRICS[key]["criteria"]
    assert len(criteria) >= MIN_CRITERIA
    for criterion in criteria:
        levels = criterion["levels"]
        assert len(levels) >= 2, criterion["key"]
        assert [lv["value"] for lv in levels] == sorted({lv["value"] for lv in levels})
        assert not any(_blank(lv.get("descriptor")) for lv in levels), criterion["key"]


# One rubric per kind of round (issue 4), each scoring at least one published question:
# a rubric nobody is scored with is a promise the bank does not keep.
ROUND_KIND_RUBRICS = [
    "screening",
    "coding",
    "prompt_engineering",
    "system_design",
    "research_depth",
    "take_home",
    "collaboration",
    "governance",
    "bias_audit",
]


@pytest.mark.parametrize("key", ROUND_KIND_RUBRICS)
def test_every_kind_of_round_has_a_rubric_that_scores_published_questions(key):
    assert key in RUBRICS, f"no rubrics/{key}.yaml"
    assert any(q["rubric"] == key for q in PUBLISHED), f"no published question uses {key}"


def test_every_rubric_scores_at_least_one_published_question():
    used = {q["rubric"] for q in PUBLISHED}
    assert sorted(set(RUBRICS) - used) == []


def _shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_no_two_prompts_say_nearly_the_same_thing():
    """Five-word phrases two prompts share, as a share of the smaller prompt's, leaving out
    stock phrases found in four or more prompts (the take-home briefs share their list of
    deliverables). A copied and lightly edited question scores far above 0.5; the closest
    distinct pair today is about 0.11."""
    prompts = {q["key"]: _shingles(q["prompt"]) for q in QUESTIONS.values()}
    stock = Counter(s for shingles in prompts.values() for s in shingles)
    prompts = {k: {s for s in v if stock[s] < 4} for k, v in prompts.items()}
    keys = sorted(prompts)
    close = [
        (a, b)
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if prompts[a]
        and prompts[b]
        and len(prompts[a] & prompts[b]) / min(len(prompts[a]), len(prompts[b])) > 0.5
    ]
    assert close == []


def test_question_keys_and_titles_are_unique():
    keys = Counter(q["key"] for q in QUESTIONS.values())
    titles = Counter(" ".join(q["title"].lower().split()) for q in QUESTIONS.values())
    assert [k for k, n in keys.items() if n > 1] == []
    assert [t for t, n in titles.items() if n > 1] == []


def test_flask_bank_validate_passes_on_the_real_bank(runner):
    result = runner.invoke(args=["bank", "validate", str(BANK)])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output
