"""Coverage of the starting question bank, read from the YAML files themselves.

These numbers are the product's promise (issue 4): enough published questions for every
funnel stage and skill area, numeric estimates with worked answers, and rubrics a candidate
can score against. Counting from the files (no database) means a deleted or unpublished
file makes this fail instead of silently shrinking the bank.
"""

from __future__ import annotations

import re
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


# What each skill area is about, as words a question's title or prompt uses when it really
# exercises the area (from skills.yaml's descriptions). Broad enough that a genuine question
# always says one of them, narrow enough that "MLOps" cannot ride on a MinHash coding task
# or an HR ethics brief (issue 18): a tagged skill the prompt never touches skews the skill
# charts and the weakness-driven draw.
SKILL_SIGNALS = {
    "algorithmic_coding": [
        r"\bO\(",
        r"complexity",
        r"implement",
        r"function",
        r"heap|trie|queue|hash|graph|sort",
        r"algorithm",
        r"the tests call",
        r"\bcode\b|script",
    ],
    "prompt_engineering": [
        r"\bprompts?\b",
        r"few-shot",
        r"zero-shot",
        r"system (message|prompt)",
        r"instruction",
        r"\bjudge\b",
        r"structured output|json",
        r"hallucinat",
        r"\bLLM\b",
        r"generat",
    ],
    "ml_system_design": [
        r"\bdesign\b",
        r"architecture",
        r"\bQPS\b",
        r"latency",
        r"throughput",
        r"serv(e|ing|er)",
        r"pipeline",
        r"replica",
        r"scal(e|ing)\b",
        r"fleet",
        r"shard",
        r"cluster",
        r"fallback",
        r"schedul",
        r"concurren",
        r"capacity",
        r"fail(ure|over)",
        r"production",
    ],
    "research_depth": [
        r"\bablation",
        r"baseline",
        r"experiment",
        r"significan",
        r"confidence interval",
        r"bootstrap",
        r"\bLoRA\b",
        r"fine-tun",
        r"\bDPO\b|RLHF|PPO",
        r"held-out|test set|dev set|eval(uation)? set",
        r"benchmark",
        r"statistic",
        r"sample size|how many (labels|examples|items|respondents)",
        r"varian",
        r"paper",
        r"contaminat",
        r"distil",
        r"method",
        r"objective",
        r"\bloss\b",
        r"leakage",
        r"differential privacy|\bepsilon\b|\bDP\b",
        r"calibrat",
        r"accuracy|precision|recall|F1",
        r"compare|comparison|versus|\bvs\b",
        r"hypothes",
        r"metric",
        r"agree(ment)?|kappa",
        r"annotat|label",
        r"noise|noisy",
        r"rank",
        r"train(ing)?\b",
        r"win[- ]rate",
    ],
    "inference_cost": [
        r"\bcost",
        r"\$",
        r"\bGPUs?\b",
        r"tokens? per second|tokens/s",
        r"\bKV\b",
        r"memory|\bGB\b",
        r"latency",
        r"throughput",
        r"batch",
        r"quanti",
        r"FLOP",
        r"bill",
        r"budget",
        r"decod",
        r"prefill",
        r"compute",
        r"price|pricing|spend",
        r"speed",
    ],
    "mlops": [
        r"drift",
        r"monitor",
        r"context window|context limit|token limit|token budget|context budget",
        r"truncat",
        r"\bRAG\b|retrieval-augmented",
        r"chunk",
        r"embedding",
        r"vector index|re-?index",
        r"retrain",
        r"alert",
        r"rollout|roll out|canary|rollback",
        r"\bregressions?\b",
        r"on-call|incident",
        r"in production|production (model|traffic|system)",
        r"checkpoint",
        r"reproducib|fresh machine",
        r"retriever|retrieval (quality|pipeline|step|system)|retrieved",
        r"dashboard",
        r"\bSLOs?\b",
        r"deploy",
        r"accuracy drop|detect a drop",
        r"\blogs?\b",
    ],
    "ai_governance": [
        r"polic",
        r"fairness|bias",
        r"privacy|\bPII\b|personal data|sensitive",
        r"consent",
        r"misuse|abuse|harm",
        r"audit",
        r"\brisk",
        r"ethic",
        r"legal|regulat|licen[cs]e",
        r"safety|red[- ]team",
        r"protected|disparate|four-fifths|subgroup|demographic",
        r"differential privacy|\bepsilon\b",
        r"accountab|oversight|human review",
        r"moderat|toxic",
        r"security|injection",
        r"accessib|impair|disab",
        r"hurt",
    ],
    "multimodal": [
        r"image",
        r"audio",
        r"speech",
        r"voice",
        r"video",
        r"vision",
        r"\bCLIP\b",
        r"OCR",
        r"caption",
        r"photo",
        r"multimodal|modalit",
        r"camera|CCTV|footage",
        r"\bASR\b",
        r"transcri",
    ],
    "collaboration": [
        r"\bteams?\b",
        r"stakeholder",
        r"product manager|\bPMs?\b|product (team|owner|lead)",
        r"colleague|engineers?\b|junior|senior",
        r"disagree|conflict|deadlock|push ?back",
        r"leadership|manager|executive|director",
        r"communicat|explain",
        r"convinc|persuad|negotiat",
        r"deadline",
        r"sales|legal|finance|privacy team|security team",
        r"maintainer|reviewer|pull request|merged",
        r"sign(-| )?off",
        r"you (made|decided|chose)|your (call|decision)",
        r"cut|scope",
    ],
}

# The skill a rubric scores: a question scored with it must carry that skill.
RUBRIC_SKILL = {
    "coding": "algorithmic_coding",
    "governance": "ai_governance",
    "bias_audit": "ai_governance",
    "collaboration": "collaboration",
    "prompt_engineering": "prompt_engineering",
    "research_depth": "research_depth",
    "system_design": "ml_system_design",
}


def test_every_skill_area_has_topic_signals():
    assert sorted(SKILL_SIGNALS) == sorted(SKILLS)
    assert set(RUBRIC_SKILL) <= set(RUBRICS) and set(RUBRIC_SKILL.values()) <= set(SKILLS)


def test_every_question_carries_the_skill_its_rubric_scores():
    missing = [
        (q["key"], q["rubric"])
        for q in QUESTIONS.values()
        if q["rubric"] in RUBRIC_SKILL and RUBRIC_SKILL[q["rubric"]] not in q["skills"]
    ]
    assert missing == []


def test_every_skill_a_question_carries_is_one_its_topic_exercises():
    """Each skill is justified by the rubric that scores it or by its title and prompt."""
    unjustified = []
    for q in QUESTIONS.values():
        topic = f"{q['title']}\n{q['prompt']}"
        for skill in q["skills"]:
            if skill == RUBRIC_SKILL.get(q["rubric"]):
                continue
            if not any(re.search(p, topic, re.IGNORECASE) for p in SKILL_SIGNALS[skill]):
                unjustified.append((q["key"], skill))
    assert unjustified == []
