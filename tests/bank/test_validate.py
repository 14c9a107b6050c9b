"""`flask bank validate`: schema and cross-references, reported as file:line: message."""

from __future__ import annotations

import pytest

from app.bank.files import reading
from tests.bank.conftest import replace_in

FS = "questions/system_design/feature-store.yaml"
GPU = "questions/system_design/gpu-cost.yaml"
TOPK = "questions/technical_phone/top-k.yaml"


def test_fixture_bank_is_valid(bank_dir):
    files = reading.read_bank(bank_dir)
    assert files.problems == []
    assert [s["key"] for s in files.stages] == ["technical_phone", "system_design"]
    assert {q["key"] for q in files.questions} == {"feature-store", "gpu-cost", "top-k"}
    assert len(files.rubrics) == 2 and len(files.formats) == 2 and len(files.loops) == 1


def test_cli_ok_exits_zero(runner, bank_dir):
    result = runner.invoke(args=["bank", "validate", str(bank_dir)])
    assert result.exit_code == 0, result.output
    assert "ok (2 stages, 3 skills, 2 rubrics, 3 questions, 2 formats, 1 loops)" in result.output


def test_cli_defaults_to_configured_folder(app, bank_dir):
    app.config["QUESTION_BANK_DIR"] = str(bank_dir)
    result = app.test_cli_runner().invoke(args=["bank", "validate"])
    assert result.exit_code == 0 and str(bank_dir) in result.output


# (file, old text, new text, expected line, fragment of the message)
CASES = {
    "unknown stage in a format": (
        "formats.yaml",
        "stage: technical_phone",
        "stage: nowhere",
        4,
        "unknown stage 'nowhere'",
    ),
    "unknown skill": (
        FS,
        "skills: [ml_system_design]",
        "skills: [ml_system_design, quantum]",
        5,
        "unknown skill 'quantum'",
    ),
    "unknown rubric": (FS, "rubric: design", "rubric: nope", 7, "unknown rubric 'nope'"),
    "unknown format in a loop": (
        "loops.yaml",
        "- format: design",
        "- format: nope",
        8,
        "unknown format 'nope'",
    ),
    "duplicate key in a mapping": (
        FS,
        "difficulty: medium",
        "difficulty: medium\ndifficulty: hard",
        7,
        "duplicate key 'difficulty'",
    ),
    "duplicate stage key": (
        "stages.yaml",
        "  - key: system_design",
        "  - key: technical_phone",
        7,
        "duplicate stage key 'technical_phone'",
    ),
    "key not matching the file name": (
        FS,
        "key: feature-store",
        "key: feature-shop",
        1,
        "must match the file name 'feature-store.yaml'",
    ),
    "stage not matching the folder": (
        FS,
        "stage: system_design",
        "stage: technical_phone",
        2,
        "must match the folder 'questions/system_design/'",
    ),
    "level without descriptor": (
        "rubrics/coding.yaml",
        "        descriptor: Fails the examples.\n",
        "",
        9,
        "missing required field 'descriptor'",
    ),
    "non-increasing level values": (
        "rubrics/coding.yaml",
        "value: 2",
        "value: 1",
        12,
        "level values must increase (1 then 1)",
    ),
    "estimate without tolerance": (
        GPU,
        "  tolerance_pct: 50\n",
        "",
        10,
        "an estimate answer needs 'tolerance_pct'",
    ),
    "estimate without worked answer": (
        GPU,
        "  worked_answer: |\n    SECRET-WORKED-ANSWER: 10 GPUs at 3 USD per hour for 720 hours.\n",
        "",
        10,
        "an estimate answer needs 'worked_answer'",
    ),
    "estimate without unit": (
        GPU,
        "  unit: USD per month\n",
        "",
        10,
        "an estimate answer needs 'unit'",
    ),
    "estimate without value": (GPU, "  value: 21600\n", "", 10, "an estimate answer needs 'value'"),
    "code without language": (
        TOPK,
        "  language: python\n",
        "",
        11,
        "a code answer needs a 'language'",
    ),
    "language on a text answer": (
        FS,
        "  kind: text",
        "  kind: text\n  language: python",
        17,
        "'language' only applies to code answers",
    ),
    "unknown key": (
        FS,
        "difficulty: medium",
        "dificulty: medium",
        6,
        "unknown key 'dificulty' (did you mean 'difficulty'?)",
    ),
    "wrong type": (
        FS,
        "suggested_minutes: 30",
        "suggested_minutes: thirty",
        8,
        "'suggested_minutes' must be a whole number, not text",
    ),
    "boolean where text is expected": (
        FS,
        "title: Design a feature store",
        "title: yes",
        4,
        "'title' must be text, not true/false (put it in quotes)",
    ),
    "malformed YAML": (
        FS,
        "title: Design a feature store",
        "title: [unclosed",
        5,
        "malformed YAML",
    ),
    "too few hints": (
        FS,
        "  - Think about point-in-time correctness.\n",
        "",
        17,
        "'hints' needs at least 2 items, has 1",
    ),
    "missing required field": (
        FS,
        "difficulty: medium\n",
        "",
        1,
        "missing required field 'difficulty'",
    ),
    "unquoted opens_at": (
        "loops.yaml",
        'opens_at: "13:00"',
        "opens_at: 13:00",
        11,
        "'opens_at' must be a time \"HH:MM\"",
    ),
    "alias": (
        TOPK,
        "hints:\n  - A heap of size k.",
        "hints:\n  - &h A heap of size k.\n  - *h",
        14,  # the anchor: an alias is the same node
        "anchors and aliases",
    ),
    "bad status": (FS, "status: published", "status: live", 3, "'status' must be one of draft"),
    "zero tolerance": (
        GPU,
        "tolerance_pct: 50",
        "tolerance_pct: 0",
        13,
        "'tolerance_pct' must be greater than 0",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_each_problem_is_reported_with_file_and_line(runner, bank_dir, case):
    relative, old, new, line, fragment = CASES[case]
    replace_in(bank_dir / relative, old, new)
    result = runner.invoke(args=["bank", "validate", str(bank_dir)])
    assert result.exit_code != 0
    expected_prefix = f"{bank_dir / relative}:{line}: "
    matching = [out for out in result.output.splitlines() if out.startswith(expected_prefix)]
    assert any(fragment in out for out in matching), result.output


def test_oversized_prompt(bank_dir):
    replace_in(bank_dir / GPU, "prompt: Estimate", "prompt: " + "x" * 20_001 + " Estimate")
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert any(":8: 'prompt' is too long" in p and "at most 20,000" in p for p in problems)


def test_prompt_at_the_limit_is_fine(bank_dir):
    replace_in(
        bank_dir / GPU,
        "prompt: Estimate the monthly GPU cost of serving 100 requests per second.",
        "prompt: " + "x" * 20_000,
    )
    assert reading.read_bank(bank_dir).problems == []


def test_duplicate_question_key_across_folders(bank_dir):
    text = (bank_dir / FS).read_text().replace("stage: system_design", "stage: technical_phone")
    (bank_dir / "questions/technical_phone/feature-store.yaml").write_text(text)
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert any("duplicate question key 'feature-store'" in p for p in problems), problems


def test_missing_list_file(bank_dir):
    (bank_dir / "stages.yaml").unlink()
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert any(
        p.endswith("stages.yaml:1: missing: the bank needs stages.yaml with a 'stages:' list")
        for p in problems
    )


def test_folder_that_is_not_a_stage(bank_dir):
    (bank_dir / "questions/nowhere").mkdir()
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert any("folder 'nowhere' is not a stage key" in p for p in problems)


def test_yml_extension_is_flagged(bank_dir):
    (bank_dir / FS).rename(bank_dir / "questions/system_design/feature-store.yml")
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert any("use the .yaml extension" in p for p in problems)


def test_invalid_utf8(bank_dir):
    (bank_dir / TOPK).write_bytes((bank_dir / TOPK).read_bytes() + b"\nextra: \xff\n")
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert any("not valid UTF-8" in p for p in problems)


def test_control_characters_are_refused(bank_dir):
    replace_in(bank_dir / FS, "title: Design a feature store", 'title: "Design\\0 a store"')
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert any("'title' contains a control character" in p for p in problems)


def test_non_finite_numbers_are_refused(bank_dir):
    replace_in(bank_dir / GPU, "value: 21600", "value: .inf")
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert any("'value' must be a finite number" in p for p in problems)


def test_empty_questions_folder_is_fine(bank_dir):
    import shutil

    shutil.rmtree(bank_dir / "questions")
    files = reading.read_bank(bank_dir)
    assert files.ok and files.questions == []


def test_published_question_on_an_archived_rubric(bank_dir):
    replace_in(
        bank_dir / "rubrics/design.yaml", "title: ML system design", "title: X\narchived: true"
    )
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert any(
        p.endswith(
            "feature-store.yaml:7: rubric 'design' is archived; a published question "
            "needs a rubric in use"
        )
        for p in problems
    ), problems


def test_not_a_folder(tmp_path):
    problems = reading.read_bank(tmp_path / "absent").problems
    assert len(problems) == 1 and problems[0].message == "not a folder"


def test_the_real_bank_validates(app):
    """The content in question_bank/ must always pass (CI gate for content changes)."""
    files = reading.read_bank(app.config["QUESTION_BANK_DIR"])
    assert [str(p) for p in files.problems] == []
    assert len(files.stages) == 9
