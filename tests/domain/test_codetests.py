"""Code-question tests: the YAML schema, the comparison rules, posted run results, summaries."""

from __future__ import annotations

import math

import pytest
import yaml

from app.domain import coderesults
from app.domain import codetests as ct
from app.domain.coderesults import RunResult, parse_run_result, summary
from app.domain.codetests import (
    NotJsonValue,
    check_tests,
    reference_source,
    to_json_value,
    values_match,
)


def block(examples=3, hidden=5, **extra):
    doc = {
        "function": "add",
        "examples": [{"args": [i, 1], "expected": i + 1} for i in range(examples)],
        "hidden": [{"args": [i, 2], "expected": i + 2} for i in range(hidden)],
    }
    doc.update(extra)
    return doc


# --- comparison --------------------------------------------------------------------------


def test_normalisation_turns_tuples_sets_and_int_keys_into_json():
    assert to_json_value((1, (2, 3))) == [1, [2, 3]]
    assert to_json_value({3, 1, 2}) == [1, 2, 3]
    assert to_json_value({0: 0.5, 1: 0.5}) == {"0": 0.5, "1": 0.5}
    assert to_json_value(frozenset({("b", "a"), ("a", "b")})) == [["a", "b"], ["b", "a"]]


@pytest.mark.parametrize(
    "value",
    [object(), float("inf"), float("nan"), {(1, 2): 3}, {1: "a", "1": "b"}, {True: 1}, b"x"],
)
def test_values_a_test_cannot_compare_are_refused(value):
    with pytest.raises(NotJsonValue):
        to_json_value(value)


def test_exact_compares_numbers_by_value_but_never_bools_as_numbers():
    assert values_match(1, 1.0)
    assert values_match([1, [2]], [1, [2]])
    assert not values_match(1, True)
    assert not values_match(True, 1)
    assert not values_match(0, False)
    assert not values_match([1, 2], [2, 1])
    assert not values_match({"a": 1}, {"a": 1, "b": 2})
    assert not values_match("1", 1)
    assert not values_match(None, 0)
    assert not values_match([1], [1, 1])


def test_unordered_compares_lists_as_multisets():
    assert values_match([[1, 2], [3, 4]], [[3, 4], [1, 2]], "unordered")
    assert values_match(["a", "a", "b"], ["a", "b", "a"], "unordered")
    assert not values_match(["a", "a", "b"], ["a", "b", "b"], "unordered")
    assert not values_match([1, 2], [1, 2, 2], "unordered")
    assert not values_match([[1, 2]], [[2, 1]], "unordered")  # only the top level is unordered
    assert values_match(5, 5, "unordered")  # not a list: exact


def test_float_tolerance_is_absolute_near_zero_and_relative_for_large_values():
    assert values_match(0.1 + 0.2, 0.3, "float")
    assert values_match(0.0, 5e-7, "float")
    assert not values_match(0.0, 2e-6, "float")
    assert values_match(1000.0, 1000.0009, "float")  # 1e-6 * 1000
    assert not values_match(1000.0, 1000.002, "float")
    assert values_match({"a": [1.0, 2.0]}, {"a": [1.01, 1.99]}, "float", 0.02)
    assert not values_match({"a": [1.0, 2.0]}, {"a": [1.05, 2.0]}, "float", 0.02)
    assert not values_match([1.0, "x"], [1.0, "y"], "float")
    assert not values_match(1.0, None, "float")
    assert not values_match(1.0, True, "float")


# --- schema ------------------------------------------------------------------------------


def test_a_well_formed_block_is_checked_and_defaults_applied():
    tests, problems = check_tests(
        block(
            compare="float", tolerance=0.01, time_limit_s=2, reference_solution="def add(a, b):\n"
        )
    )
    assert problems == []
    assert tests.function == "add"
    assert len(tests.examples) == 3 and len(tests.hidden) == 5
    assert tests.time_limit_s == 2.0
    assert all(c.compare == "float" and c.tolerance == 0.01 for c in tests.examples)
    case = tests.worker_cases("examples")[1]
    assert case == {
        "args": [1, 1],
        "kwargs": {},
        "expected": 2,
        "compare": "float",
        "tolerance": 0.01,
        "call": "add(1, 1)",
    }


def test_the_call_shows_python_literals_and_keyword_arguments():
    tests, _ = check_tests(
        block(examples=3, hidden=5)
        | {"examples": [{"args": [[1, None], "x"], "kwargs": {"k": True}, "expected": 1}] * 3}
    )
    assert tests.examples[0].call("f") == "f([1, None], 'x', k=True)"


def test_worker_case_for_exact_has_no_tolerance():
    tests, _ = check_tests(block())
    assert "tolerance" not in tests.worker_cases("hidden")[0]
    assert tests.worker_cases("hidden")[0]["compare"] == "exact"


def lines_of(problems):
    return {(".".join(map(str, p.path)), p.line) for p in problems}


def yaml_block(text: str):
    """A tests block read by the bank's own line-recording YAML reader."""
    from app.bank.files.reading import load_yaml  # noqa: PLC0415 (tests may reach further)

    data, problems = load_yaml(text, "q.yaml")
    assert problems == []
    return data["tests"]


def test_problems_name_the_field_path_and_the_line():
    text = """\
tests:
  function: add
  examples:
  - args: [1, 2]
    expected: 3
  - args: 5
    expected: 6
  - args: [1, 1]
    expected: 2
    compare: sorted
  hidden:
  - args: [1, 2]
    expected: 3
    tolerance: 0.1
  - {args: [1], expected: 1}
  - {args: [1], expected: 1, extra: 2}
  - {args: [1]}
  - args: [2, 2]
    expected: 4
"""
    tests, problems = check_tests(yaml_block(text), line=1)
    assert tests is None
    found = lines_of(problems)
    assert ("tests.examples.1.args", 6) in found
    assert ("tests.examples.2.compare", 10) in found
    assert ("tests.hidden.0.tolerance", 14) in found
    assert ("tests.hidden.2.extra", 16) in found
    assert ("tests.hidden.3.expected", 17) in found
    messages = " | ".join(map(str, problems))
    assert "'args' must be a list" in messages
    assert "'compare' must be one of exact, unordered, float, not 'sorted'" in messages
    assert "unknown key 'extra'" in messages
    assert "missing required field 'expected'" in messages


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (block(examples=2), "'examples' has 2 test cases; a published question needs 3"),
        (block(hidden=4), "'hidden' has 4 test cases; a published question needs 5"),
        (block(hidden=51), "'hidden' has 51 test cases"),
        (block(function="2fast"), "'function' must be the name"),
        (block(function="os.system"), "'function' must be the name"),
        (block(time_limit_s=0), "'time_limit_s' must be a number of seconds from 0.5 to 30"),
        (block(time_limit_s=31), "'time_limit_s'"),
        (block(time_limit_s=True), "'time_limit_s'"),
        (block(tolerance=0.1), "'tolerance' only applies with compare: float"),
        (block(compare="float", tolerance=-1), "'tolerance' must be greater than 0"),
        (block(compare="fuzzy"), "'compare' must be one of"),
        (block(reference_solution=""), "'reference_solution' must be Python source"),
        (block(hints=[]), "unknown key 'hints'"),
        (block() | {"hidden": None}, "'hidden' must be a list of test cases (missing)"),
        (block() | {"examples": "x"}, "'examples' must be a list of test cases (not text)"),
        ([1, 2], "'tests' must be a mapping"),
    ],
)
def test_wrong_shapes_get_a_clear_message(doc, message):
    tests, problems = check_tests(doc)
    assert tests is None
    assert any(message in str(p) for p in problems), [str(p) for p in problems]


def test_a_draft_needs_only_one_case_per_set():
    assert check_tests(block(examples=1, hidden=1), published=False)[1] == []
    assert check_tests(block(examples=0, hidden=1), published=False)[1] != []


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ({"args": [1], "expected": float("inf")}, "must be finite"),
        ({"args": [1], "expected": {1: 2}}, "mapping keys must be text"),
        ({"args": [yaml.safe_load("2026-01-01")], "expected": 1}, "date"),
        ({"args": [1], "kwargs": [1], "expected": 1}, "'kwargs' must be a mapping"),
        ({"args": [1], "kwargs": {"a-b": 1}, "expected": 1}, "is not a name"),
        ({"args": [1], "expected": 1, "compare": "unordered"}, "needs a list"),
        ({"args": ["x" * 60_000], "expected": 1}, "test case is too large"),
    ],
)
def test_case_values_must_be_plain_json(case, message):
    doc = block()
    doc["examples"][0] = case
    tests, problems = check_tests(doc)
    assert tests is None
    assert any(message in str(p) for p in problems), [str(p) for p in problems]


def test_tests_doc_round_trips_through_the_checker():
    raw = block(compare="float", tolerance=0.5, time_limit_s=3)
    raw["hidden"][0] = {"args": [[1, 2]], "expected": [2, 1], "compare": "unordered"}
    tests, _ = check_tests(raw)
    doc = ct.tests_doc(tests)
    assert doc["hidden"][0] == {"args": [[1, 2]], "expected": [2, 1], "compare": "unordered"}
    assert "compare" not in doc["hidden"][1]
    again, problems = check_tests(doc)
    assert problems == [] and again == tests


def test_reference_is_the_field_or_the_first_python_block_of_the_good_answer():
    tests, _ = check_tests(block())
    md = "Prose.\n\n  ```python\n  def add(a, b):\n      return a + b\n  ```\n\n```python\nx\n```"
    assert reference_source(tests, md) == "def add(a, b):\n    return a + b\n"
    assert reference_source(tests, "no code") is None
    own, _ = check_tests(block(reference_solution="def add(a, b): return a + b\n"))
    assert reference_source(own, md) == "def add(a, b): return a + b\n"


def test_the_candidate_view_holds_no_hidden_case_and_no_reference():
    raw = block(reference_solution="def add(a, b):\n    return a + b  # SECRET\n")
    raw["hidden"][0] = {"args": ["HIDDEN-ARG", 0], "expected": "HIDDEN-EXPECTED"}
    view = ct.candidate_view(ct.load_tests(raw))
    text = repr(view)
    assert "HIDDEN" not in text and "SECRET" not in text
    assert view["hidden_count"] == 5 and len(view["examples"]) == 3
    assert view["examples"][0]["call"] == "add(0, 1)"
    assert ct.load_tests(None) is None
    assert ct.load_tests({"function": "add"}) is None


# --- posted run results ------------------------------------------------------------------


def payload(**changes):
    doc = {
        "set": "examples",
        "passed": 2,
        "total": 3,
        "stopped": False,
        "duration_ms": 41.5,
        "runtime": "pyodide 0.27.7",
        "tests": [
            {"call": "add(0, 1)", "passed": True, "expected": "1", "actual": "1", "error": ""},
            {"call": "add(1, 1)", "passed": True, "expected": "2", "actual": "2"},
            {
                "call": "add(2, 1)",
                "passed": False,
                "expected": "3",
                "actual": "None",
                "error": "TypeError: x (line 3)",
            },
        ],
    }
    doc.update(changes)
    return doc


def test_a_consistent_result_is_accepted():
    result, errors = parse_run_result(payload(), 3, expected_set="examples")
    assert errors == []
    assert result.passed == 2 and result.total == 3 and not result.stopped
    assert result.tests[2].error == "TypeError: x (line 3)"
    assert result.tests[1].error == ""
    assert result.to_dict()["tests"][0]["call"] == "add(0, 1)"


def test_a_stopped_run_may_report_fewer_tests():
    doc = payload(stopped=True, passed=1)
    doc["tests"] = doc["tests"][:1]
    result, errors = parse_run_result(doc, 3)
    assert errors == [] and result.stopped and len(result.tests) == 1


@pytest.mark.parametrize(
    ("changes", "total", "message"),
    [
        ({"set": "all"}, 3, "'set' must be 'examples' or 'hidden'"),
        ({"set": "hidden"}, 3, "'set' must be 'examples' here"),
        ({"total": 4}, 3, "'total' must be 3"),
        ({"passed": 3}, 3, "'passed' does not match"),
        ({"passed": 4}, 3, "cannot exceed"),
        ({"passed": -1}, 3, "whole numbers"),
        ({"passed": True}, 3, "whole numbers"),
        ({"stopped": "no"}, 3, "'stopped' must be true or false"),
        ({"duration_ms": -1}, 3, "'duration_ms'"),
        ({"duration_ms": math.inf}, 3, "'duration_ms'"),
        ({"duration_ms": 1e12}, 3, "'duration_ms'"),
        ({"runtime": ""}, 3, "'runtime'"),
        ({"runtime": "x" * 81}, 3, "'runtime'"),
        ({"runtime": "a\nb"}, 3, "'runtime'"),
        ({"tests": "all"}, 3, "'tests' must be a list"),
        ({"extra": 1}, 3, "unknown field(s): extra"),
        ({"tests": [{"call": "f()", "passed": True}] * 4, "passed": 3}, 3, "more than the 3"),
        ({"tests": [{"call": "f()", "passed": "yes"}] * 3}, 3, "tests[0].passed"),
        ({"tests": [{"call": "", "passed": True}] * 3}, 3, "call must not be empty"),
        ({"tests": [{"call": "f()", "passed": True, "actual": 3}] * 3}, 3, "actual must be text"),
        ({"tests": [{"call": "f()", "passed": True, "actual": "x" * 4001}] * 3}, 3, "longer"),
        ({"tests": [{"call": "f()", "passed": True, "error": "\x00"}] * 3}, 3, "control"),
        ({"tests": [{"call": "f()", "passed": True, "stdout": ""}] * 3}, 3, "unknown field"),
        ({"tests": []}, 3, "every test"),
    ],
)
def test_a_result_that_does_not_add_up_is_refused(changes, total, message):
    result, errors = parse_run_result(payload(**changes), total, expected_set="examples")
    assert result is None
    assert any(message in e for e in errors), errors


def test_not_an_object_is_refused():
    assert parse_run_result([1], 3) == (None, ["the result must be a JSON object"])


# --- formatting --------------------------------------------------------------------------


def run(which, passed, total, stopped=False):
    return RunResult(which, passed, total, stopped, 1.0, "pyodide 0.27.7")


def test_summary_lines():
    assert summary(run("examples", 3, 3), run("hidden", 2, 4)) == (
        "5 of 7 passed: 3/3 examples, 2/4 hidden"
    )
    assert summary(run("examples", 1, 3), None) == "1/3 examples, hidden not run"
    assert summary(None, None) == "tests not run"
    assert summary(run("examples", 0, 3, stopped=True), run("hidden", 0, 5)) == (
        "0 of 8 passed: 0/3 examples (stopped), 0/5 hidden"
    )
    assert coderesults.run_line(run("examples", 2, 3)) == "2 of 3 example tests passed"
    assert coderesults.run_line(run("hidden", 0, 5, True)).endswith(
        "stopped: the code did not finish"
    )


def stored(which: str, passed: int, total: int) -> dict:
    tests = [{"call": f"f({i})", "passed": i < passed} for i in range(total)]
    result, errors = parse_run_result(
        {
            "set": which,
            "passed": passed,
            "total": total,
            "stopped": False,
            "duration_ms": 3,
            "runtime": "pyodide 0.27.7",
            "tests": tests,
        },
        total,
    )
    assert errors == []
    return result.to_dict() | {"ran_in": "browser", "at": "2026-03-02T09:05:00+00:00"}


def test_evidence_from_stored_runs_reads_each_set_and_says_where_it_ran():
    examples, hidden = stored("examples", 3, 3), stored("hidden", 2, 4)
    both = coderesults.TestsEvidence.from_stored({"examples": examples, "hidden": hidden})
    assert both.line == "5 of 7 passed: 3/3 examples, 2/4 hidden"
    doc = both.to_dict()
    assert doc["hidden"] == {"passed": 2, "total": 4, "stopped": False}
    assert doc["ran_in"] == "browser" and doc["runtime"] == "pyodide 0.27.7"
    assert coderesults.TestsEvidence.from_stored(None).line == "tests not run"
    only = coderesults.TestsEvidence.from_stored({"examples": examples, "hidden": "junk"})
    assert only.line == "3/3 examples, hidden not run"
