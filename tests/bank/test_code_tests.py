"""Code questions' tests in the bank: validate runs the references, import stores, export writes.

The shipped bank is the real subject here: every published code question must carry its
tests and its reference solution must pass them, in a separate CPython process.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from sqlalchemy import select

from app.bank import documents, questions
from app.bank.files import reading
from app.bank.reference_runner import run_reference
from app.clock import utcnow
from app.config import ROOT
from app.domain.codetests import check_tests
from app.extensions import db
from app.models.bank import Question
from tests.bank.conftest import replace_in

SHIPPED = ROOT / "question_bank"
BATCHING = "questions/technical_phone/dynamic_batching_scheduler.yaml"
GOOD_EXPECTED = "    expected: [[2, [0, 1]], [22, [2]], [50, [3]]]\n"


def shipped_copy(tmp_path: Path) -> Path:
    target = tmp_path / "bank"
    shutil.copytree(SHIPPED, target)
    return target


def test_every_published_code_question_ships_tests_its_reference_passes(runner, tmp_path):
    files = reading.read_bank(SHIPPED)
    assert files.problems == []
    code = [q for q in files.questions if q["answer"]["kind"] == "code"]
    published = [q for q in code if q["status"] == "published"]
    assert len(published) >= 33
    for question in published:
        tests = question["tests"]
        assert tests is not None, question["key"]
        assert len(tests["examples"]) >= 3 and len(tests["hidden"]) >= 5, question["key"]
    result = runner.invoke(args=["bank", "validate", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    assert "ok (" in result.output


def test_validate_names_the_file_and_line_of_a_test_the_reference_fails(runner, tmp_path):
    bank = shipped_copy(tmp_path)
    path = bank / BATCHING
    replace_in(path, GOOD_EXPECTED, GOOD_EXPECTED.replace("[50, [3]]", "[51, [3]]"))
    line = (
        path.read_text().splitlines().index("  - args: [[[0, 5], [1, 5], [2, 5], [30, 1]], 10, 20]")
    )
    result = runner.invoke(args=["bank", "validate", str(bank)])
    assert result.exit_code == 1
    assert f"dynamic_batching_scheduler.yaml:{line + 1}: tests.examples[0]: reference" in (
        result.output
    )
    assert "expected [[2, [0, 1]], [22, [2]], [51, [3]]]" in result.output
    assert "1 failing reference solution test" in result.output


def test_a_tests_block_of_the_wrong_shape_is_reported_and_nothing_imported(app, runner, tmp_path):
    bank = shipped_copy(tmp_path)
    path = bank / BATCHING
    replace_in(path, "  function: form_batches\n", "  function: form batches\n")
    replace_in(path, "  - args: [[], 10, 20]\n", "  - args: 10\n")
    text = path.read_text().splitlines()
    result = runner.invoke(args=["bank", "import", str(bank)])
    assert result.exit_code == 1
    assert f"dynamic_batching_scheduler.yaml:{text.index('  function: form batches') + 1}: " in (
        result.output
    )
    assert f"dynamic_batching_scheduler.yaml:{text.index('  - args: 10') + 1}: " in result.output
    assert "tests.hidden.0.args: 'args' must be a list" in result.output
    assert "nothing was changed" in result.output
    with app.app_context():
        assert db.session.scalar(select(Question.id)) is None


def test_tests_only_on_code_answers_and_required_when_published(bank_dir):
    design = bank_dir / "questions/system_design/feature-store.yaml"
    text = design.read_text()
    assert "kind: text" in text
    design.write_text(text + "tests:\n  function: f\n  examples: []\n  hidden: []\n")
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert any("'examples' has 0 test cases" in p for p in problems), problems
    one = "  examples: [{args: [], expected: 1}]\n  hidden: [{args: [], expected: 1}]\n"
    design.write_text(text + "tests:\n  function: f\n" + one)
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert any("'tests' only applies to code answers, not text" in p for p in problems)
    design.write_text(text)

    topk = bank_dir / "questions/technical_phone/top-k.yaml"  # a draft code question
    draft = topk.read_text()
    assert "status: draft" in draft and "kind: code" in draft
    assert reading.read_bank(bank_dir).problems == []  # a draft may go without tests
    topk.write_text(draft.replace("status: draft", "status: published"))
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert any(
        "top-k.yaml:" in p and "a published code question needs 'tests'" in p for p in problems
    )
    topk.write_text(
        draft.replace("status: draft", "status: published") + "tests:\n  function: f\n" + one
    )
    problems = [str(p) for p in reading.read_bank(bank_dir).problems]
    assert any(
        "tests.examples: a published question needs at least 3 (has 1)" in p for p in problems
    )


def current_tests(key: str) -> dict | None:
    question = db.session.scalar(select(Question).where(Question.key == key))
    return question.current_version.code_tests


def test_import_stores_tests_per_version_and_export_writes_them_back(app, runner, tmp_path):
    bank = shipped_copy(tmp_path)
    result = runner.invoke(args=["bank", "import", str(bank)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = current_tests("dynamic_batching_scheduler")
        question = db.session.scalar(
            select(Question).where(Question.key == "dynamic_batching_scheduler")
        )
        first_version = question.current_version.id
    assert stored["function"] == "form_batches"
    assert stored["examples"][0] == {
        "args": [[[0, 5], [1, 5], [2, 5], [30, 1]], 10, 20],
        "expected": [[2, [0, 1]], [22, [2]], [50, [3]]],
    }
    assert len(stored["hidden"]) == 7

    # a changed test makes a new version; the old version keeps the tests it had
    path = bank / BATCHING
    replace_in(path, "  - args: [[], 10, 20]\n    expected: []\n", "")
    result = runner.invoke(args=["bank", "import", str(bank)])
    assert result.exit_code == 0, result.output
    assert "questions: 0 added, 1 changed" in result.output
    with app.app_context():
        assert len(current_tests("dynamic_batching_scheduler")["hidden"]) == 6
        old = db.session.get(type(question.current_version), first_version)
        assert len(old.code_tests["hidden"]) == 7

    out = tmp_path / "export"
    result = runner.invoke(args=["bank", "export", str(out)])
    assert result.exit_code == 0, result.output
    written = (out / BATCHING).read_text()
    assert "tests:\n  function: form_batches\n" in written
    assert "  - args: [[[0, 5], [1, 5], [2, 5], [30, 1]], 10, 20]\n" in written
    assert written.index("tests:") < written.index("hints:")  # right after answer:
    doc = yaml.safe_load(written)
    assert doc["tests"] == yaml.safe_load(path.read_text())["tests"]
    nucleus = yaml.safe_load(
        (out / "questions/technical_phone/nucleus_sampling_filter.yaml").read_text()
    )
    assert nucleus["tests"]["compare"] == "float" and nucleus["tests"]["tolerance"] == 1e-06
    again = runner.invoke(args=["bank", "import", str(out)])
    assert again.exit_code == 0, again.output
    assert "questions: 0 added, 0 changed" in again.output


def test_an_editor_save_keeps_the_tests(app, runner, tmp_path):
    bank = shipped_copy(tmp_path)
    assert runner.invoke(args=["bank", "import", str(bank)]).exit_code == 0
    with app.app_context():
        question = db.session.scalar(
            select(Question).where(Question.key == "dynamic_batching_scheduler")
        )
        doc = documents.question_doc(question)
        before = doc.pop("tests")
        doc["title"] = "Dynamic batching, edited"
        version = questions.update_question(
            question.id, doc, actor_id=None, now=utcnow(), change_note="t"
        )
        assert version is not None and version.number == 2
        assert version.code_tests == before


# --- the runner itself ---------------------------------------------------------------------


def block_for(function: str = "f", *, time_limit_s: float = 5) -> object:
    tests, problems = check_tests(
        {
            "function": function,
            "time_limit_s": time_limit_s,
            "examples": [{"args": [i], "expected": i * 2} for i in range(3)],
            "hidden": [{"args": [i], "expected": i * 2} for i in range(3, 8)],
        }
    )
    assert problems == []
    return tests


def test_runner_reports_each_case():
    run = run_reference("def f(x):\n    return x * 2 if x != 4 else 0\n", block_for())
    assert run.error == ""
    assert len(run.outcomes) == 8
    [failure] = run.failures
    assert (failure.set, failure.index, failure.call) == ("hidden", 1, "f(4)")
    assert (failure.expected, failure.actual) == ("8", "0")


def test_runner_reports_exceptions_with_the_reference_line():
    run = run_reference(
        "def f(x):\n    if x == 2:\n        raise KeyError(x)\n    return 2 * x\n", block_for()
    )
    [failure] = run.failures
    assert failure.error == "KeyError: 2 (line 3 of the reference)"


def test_runner_stops_a_reference_that_never_ends():
    run = run_reference("def f(x):\n    while True:\n        pass\n", block_for(), timeout_s=1.5)
    assert run.error == "did not finish within 1.5 s (stopped)"
    assert run.outcomes == ()


def test_runner_swallows_floods_of_output_and_refuses_odd_values():
    source = "def f(x):\n    print('x' * 10_000_000)\n    return object() if x == 1 else 2 * x\n"
    run = run_reference(source, block_for())
    assert run.error == ""
    [failure] = run.failures
    assert "returned a value a test cannot compare" in failure.error


def test_runner_reports_a_reference_that_does_not_load():
    assert "SyntaxError" in run_reference("def f(:\n", block_for()).error
    assert (
        "defines no function 'f'" in run_reference("def g(x):\n    return x\n", block_for()).error
    )
    crash = run_reference("import os\nos._exit(3)\n", block_for())
    assert crash.error.startswith("the reference run crashed")


def test_runner_is_isolated_from_the_app_and_the_working_directory():
    source = (
        "import os, sys\n"
        "def f(x):\n"
        "    assert 'app' not in sys.modules and not os.path.exists('wsgi.py')\n"
        "    assert 'SECRET_KEY' not in os.environ and 'DATABASE_URL' not in os.environ\n"
        "    return 2 * x\n"
    )
    run = run_reference(source, block_for())
    assert run.ok, run.failures
