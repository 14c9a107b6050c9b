"""Picking a round's questions: allowed kinds, unseen first, weakest skills, balance, seed."""

from __future__ import annotations

from app.domain.selection import Candidate, pick

POOL = [
    Candidate(1, "text", ("ml_system_design",)),
    Candidate(2, "text", ("ml_system_design",)),
    Candidate(3, "estimate", ("inference_cost",)),
    Candidate(4, "code", ("algorithmic_coding",)),
    Candidate(5, "text", ("mlops",)),
    Candidate(6, "text", ("ai_governance", "mlops")),
]


def ids(picked):
    return [c.question_id for c in picked]


def test_same_seed_same_round_whatever_the_input_order():
    first = pick(POOL, 3, seed=42)
    again = pick(list(reversed(POOL)), 3, seed=42)
    assert ids(first) == ids(again)
    seeds = {tuple(ids(pick(POOL, 3, seed=s))) for s in range(20)}
    assert len(seeds) > 1, "different seeds give different rounds"


def test_answer_kinds_restrict_the_pool():
    assert ids(pick(POOL, 5, answer_kinds=["code", "estimate"], seed=1)) in ([3, 4], [4, 3])
    assert len(pick(POOL, 10, answer_kinds=[], seed=1)) == len(POOL)
    assert pick(POOL, 2, answer_kinds=["deliverable"], seed=1) == []


def test_unseen_before_seen():
    seen = {c.question_id: 1 for c in POOL if c.question_id != 5}
    assert ids(pick(POOL, 1, seen=seen, seed=3)) == [5]
    # fewer sightings first once everything was seen
    seen = {1: 3, 2: 3, 3: 3, 4: 1, 5: 3, 6: 3}
    assert ids(pick(POOL, 1, seen=seen, seed=3)) == [4]


def test_without_weakness_skills_are_balanced():
    for seed in range(30):
        picked = pick(POOL, 4, seed=seed)
        skills = [c.skills[0] for c in picked]
        assert skills.count("ml_system_design") <= 1, (seed, ids(picked))


def test_weakest_skill_first():
    weakness = {"inference_cost": 0.9, "ml_system_design": 0.1, "mlops": 0.2}
    for seed in range(10):
        assert ids(pick(POOL, 1, weakness=weakness, seed=seed)) == [3]


def test_weakness_still_spreads_across_skills():
    weakness = {
        "ml_system_design": 0.9,
        "mlops": 0.6,
        "inference_cost": 0.1,
        "algorithmic_coding": 0.1,
        "ai_governance": 0.1,
    }
    picked = pick(POOL, 2, weakness=weakness, seed=5)
    assert picked[0].skills == ("ml_system_design",)
    assert "mlops" in picked[1].skills  # 0.6 beats a second design question at 0.9 / 2


def test_unscored_skills_count_as_average_not_as_strong():
    weakness = {"ml_system_design": 0.9, "mlops": 0.1}
    picked = pick(POOL, 2, weakness=weakness, seed=5)
    assert picked[0].skills == ("ml_system_design",)
    assert picked[1].skills[0] in ("inference_cost", "algorithmic_coding", "ai_governance")


def test_unseen_beats_weakness():
    weakness = {"inference_cost": 1.0}
    assert ids(pick(POOL, 1, seen={3: 1}, weakness=weakness, seed=0)) != [3]


def test_small_pool_gives_what_there_is():
    assert len(pick(POOL[:2], 5, seed=0)) == 2
    assert pick([], 3, seed=0) == []


def test_questions_that_fit_the_round_first_when_there_are_enough():
    pool = [
        Candidate(1, "deliverable", ("mlops",), minutes=720),
        Candidate(2, "deliverable", ("mlops",), minutes=150),
        Candidate(3, "text", ("mlops",), minutes=10),
    ]
    for seed in range(10):
        assert ids(pick(pool, 1, answer_kinds=["deliverable"], max_minutes=180, seed=seed)) == [2]
    # the fit is counted among the allowed kinds: too few fit, so the whole pool is used
    assert len(pick(pool, 2, answer_kinds=["deliverable"], max_minutes=180, seed=0)) == 2
    assert ids(pick(pool, 1, max_minutes=None, seen={2: 1, 3: 1}, seed=0)) == [1]


def test_a_format_listing_several_kinds_gets_a_mix_of_them():
    # The "ML system design" format lists [text, estimate]: one design problem and one
    # estimate, whatever the seed, even when the estimate is seen and a text one is not.
    for seed in range(30):
        kinds = sorted(
            c.answer_kind for c in pick(POOL, 2, answer_kinds=["text", "estimate"], seed=seed)
        )
        assert kinds == ["estimate", "text"], seed
    seen = {3: 2}
    picked = pick(POOL, 2, answer_kinds=["estimate", "text"], seen=seen, seed=1)
    assert sorted(c.answer_kind for c in picked) == ["estimate", "text"]
    # more questions than kinds: the kinds take turns
    picked = pick(POOL, 3, answer_kinds=["code", "estimate", "text"], seed=4)
    assert sorted(c.answer_kind for c in picked) == ["code", "estimate", "text"]


def test_a_mix_falls_back_to_what_there_is_and_one_kind_is_unaffected():
    # only one estimate in the pool: the rest of a 3-question [text, estimate] round is text
    picked = pick(POOL, 3, answer_kinds=["text", "estimate"], seed=2)
    assert sorted(c.answer_kind for c in picked) == ["estimate", "text", "text"]
    # no list or a single kind: the picks are exactly as before (no mixing rule)
    for seed in range(10):
        assert ids(pick(POOL, 3, answer_kinds=["text"], seed=seed)) == ids(
            pick([c for c in POOL if c.answer_kind == "text"], 3, seed=seed)
        )


def test_first_kind_opens_the_round_with_that_kind():
    for seed in range(50):
        picked = pick(
            POOL, 2, answer_kinds=["code", "text", "estimate"], first_kind="code", seed=seed
        )
        assert [c.answer_kind for c in picked][0] == "code"
        assert picked[1].answer_kind in {"text", "estimate"}  # the mix still applies


def test_first_kind_counts_against_skills_and_falls_back_when_the_pool_has_none():
    picked = pick(POOL, 3, first_kind="code", seed=1)
    assert picked[0].question_id == 4
    assert "algorithmic_coding" not in {s for c in picked[1:] for s in c.skills}
    no_code = [c for c in POOL if c.answer_kind != "code"]
    assert len(pick(no_code, 2, first_kind="code", seed=1)) == 2


def test_without_first_kind_a_round_may_open_with_any_kind():
    firsts = {pick(POOL, 2, seed=seed)[0].answer_kind for seed in range(50)}
    assert firsts != {"code"}
