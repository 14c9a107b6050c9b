"""Talking points and glossaries in the bank files: checked field by field, as file:line.

A published question needs 3 to 8 talking points (ids unique within it); a draft may
have none. A skill's glossary is optional, 1 to 50 one-line terms, each listed once.
"""

from __future__ import annotations

import pytest

from app.bank.files import reading
from tests.bank.conftest import replace_in

FS = "questions/system_design/feature-store.yaml"
GPU = "questions/system_design/gpu-cost.yaml"
TOPK = "questions/technical_phone/top-k.yaml"
# in feature-store.yaml, talking_points: is on line 25 and its items on 26, 29 and 32

# (file, old text, new text, expected line, fragment of the message)
CASES = {
    "misspelt key": (
        FS,
        "talking_points:\n- id: online_offline",
        "talking_point:\n- id: online_offline",
        25,
        "unknown key 'talking_point' (did you mean 'talking_points'?)",
    ),
    "id that is not a slug": (
        FS,
        "- id: point_in_time",
        "- id: Point In Time",
        29,
        "'id' must be a key of lowercase letters",
    ),
    "id used twice": (
        FS,
        "- id: latency_budget",
        "- id: online_offline",
        32,
        "talking point id 'online_offline' is used twice in this question",
    ),
    "label on two lines": (
        FS,
        'label: "Keeps training joins point-in-time correct"',
        'label: "Keeps training joins\\npoint-in-time correct"',
        30,
        "'label' must be one line",
    ),
    "label too long": (
        FS,
        'label: "Keeps training joins point-in-time correct"',
        "label: " + "x" * 201,
        30,
        "'label' is too long: 201 characters (at most 200)",
    ),
    "no phrases": (FS, 'phrases: ["p99", "key-value", "cache"]', "phrases: []", 34, "at least 1"),
    "eleven phrases": (
        FS,
        'phrases: ["p99", "key-value", "cache"]',
        "phrases: [" + ", ".join(f"p{i}" for i in range(11)) + "]",
        34,
        "'phrases' has 11 items (at most 10)",
    ),
    "phrase too long": (
        FS,
        'phrases: ["p99", "key-value", "cache"]',
        f'phrases: ["p99", "{"y" * 81}"]',
        34,
        "is too long: 81 characters (at most 80)",
    ),
    "phrase twice": (
        FS,
        'phrases: ["p99", "key-value", "cache"]',
        'phrases: ["p99", "cache", "cache"]',
        34,
        "'phrases' lists 'cache' twice",
    ),
    "a point without its label": (
        FS,
        '  label: "Separates the online store from the offline store"\n',
        "",
        26,
        "missing required field 'label'",
    ),
    "an unknown key in a point": (
        FS,
        '  label: "Separates the online store from the offline store"\n',
        '  label: "Separates the online store from the offline store"\n  weight: 2\n',
        28,
        "unknown key 'weight'",
    ),
    "glossary term twice, whatever its case": (
        "skills.yaml",
        '      - "$/M tokens"',
        '      - "$/M tokens"\n      - "kv  Cache"',
        13,
        "glossary term 'kv  Cache' repeats 'KV cache'",
    ),
    "glossary term too long": (
        "skills.yaml",
        '      - "$/M tokens"',
        '      - "' + "z" * 81 + '"',
        12,
        "is too long: 81 characters (at most 80)",
    ),
    "empty glossary": (
        "skills.yaml",
        '    glossary:\n      - "KV cache"\n      - "tokens per second"\n      - "$/M tokens"',
        "    glossary: []",
        9,
        "'glossary' needs at least 1 item",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_each_talking_point_problem_is_reported_with_file_and_line(runner, bank_dir, case):
    relative, old, new, line, fragment = CASES[case]
    replace_in(bank_dir / relative, old, new)
    result = runner.invoke(args=["bank", "validate", str(bank_dir)])
    assert result.exit_code != 0
    expected_prefix = f"{bank_dir / relative}:{line}: "
    matching = [out for out in result.output.splitlines() if out.startswith(expected_prefix)]
    assert any(fragment in out for out in matching), result.output


def _drop_points(path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "\ntalking_points:\n" in text
    path.write_text(text.split("\ntalking_points:\n")[0] + "\n", encoding="utf-8")


def test_a_published_question_needs_talking_points(bank_dir):
    _drop_points(bank_dir / FS)
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert problems == [
        f"{bank_dir / FS}:3: a published question needs 'talking_points' (3 to 8 points a "
        "strong answer covers); add them, or keep it a draft"
    ]


def test_status_defaults_to_published_so_points_are_needed_then_too(bank_dir):
    _drop_points(bank_dir / GPU)  # gpu-cost.yaml has no status line: published by default
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert len(problems) == 1 and "a published question needs 'talking_points'" in problems[0]


def test_a_draft_may_have_no_talking_points(bank_dir):
    _drop_points(bank_dir / TOPK)
    files = reading.read_bank(bank_dir)
    assert files.problems == []
    top_k = next(q for q in files.questions if q["key"] == "top-k")
    assert top_k["talking_points"] == []


@pytest.mark.parametrize("count, ok", [(2, False), (3, True), (8, True), (9, False)])
def test_three_to_eight_points(bank_dir, count, ok):
    points = "".join(
        f"- id: p{i}\n  label: Point {i}\n  phrases: [phrase {i}]\n" for i in range(count)
    )
    _drop_points(bank_dir / FS)
    with (bank_dir / FS).open("a", encoding="utf-8") as f:
        f.write("talking_points:\n" + points)
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    if ok:
        assert problems == []
    else:
        assert len(problems) == 1 and ":25: " in problems[0], problems
        assert "at least 3 items" in problems[0] or "at most 8" in problems[0]


def test_points_and_glossary_are_normalised_in_file_order(bank_dir):
    files = reading.read_bank(bank_dir)
    fs = next(q for q in files.questions if q["key"] == "feature-store")
    assert [p["id"] for p in fs["talking_points"]] == [
        "online_offline",
        "point_in_time",
        "latency_budget",
    ]
    assert fs["talking_points"][2]["phrases"] == ["p99", "key-value", "cache"]
    glossaries = {s["key"]: s["glossary"] for s in files.skills}
    assert glossaries == {
        "algorithmic_coding": [],
        "ml_system_design": [],
        "inference_cost": ["KV cache", "tokens per second", "$/M tokens"],
    }
