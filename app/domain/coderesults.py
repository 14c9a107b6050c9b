"""Run results of a code question's tests as the candidate's browser reports them: the
posted model with its caps (`parse_run_result`), and the lines the pages and reports show
("5 of 7 passed: 3/3 examples, 2/4 hidden").

Pure (no Flask, no db). The browser is where the code ran; nothing here re-runs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from app.domain.codetests import MAX_RESULT_TEXT, SETS

MAX_RUNTIME_CHARS = 80
MAX_DURATION_MS = 15 * 60 * 1000.0


@dataclass(frozen=True)
class TestOutcome:
    """One test of a run: the call shown, and what came back."""

    call: str
    passed: bool
    expected: str = ""
    actual: str = ""
    error: str = ""


@dataclass(frozen=True)
class RunResult:
    """A run of one set of tests ("examples" or "hidden") as the candidate's browser reported it."""

    set: str
    passed: int
    total: int
    stopped: bool
    duration_ms: float
    runtime: str
    tests: tuple[TestOutcome, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {
            "set": self.set,
            "passed": self.passed,
            "total": self.total,
            "stopped": self.stopped,
            "duration_ms": self.duration_ms,
            "runtime": self.runtime,
            "tests": [t.__dict__.copy() for t in self.tests],
        }


RESULT_KEYS = ("set", "passed", "total", "stopped", "duration_ms", "runtime", "tests")
OUTCOME_KEYS = ("call", "passed", "expected", "actual", "error")


def _printable(text: str) -> bool:
    return all(ch in "\t\n\r" or (ord(ch) >= 32 and not 0xD800 <= ord(ch) <= 0xDFFF) for ch in text)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def parse_run_result(
    payload: Any, expected_total: int, *, expected_set: str | None = None
) -> tuple[RunResult | None, list[str]]:
    """A posted run result checked against the question's tests; (result, []) or (None, errors).

    `expected_total` is how many cases the server sent for that set; `expected_set`, when
    given, is the only set accepted. Nothing is repaired: a result that does not add up is
    refused whole.
    """
    errors: list[str] = []
    if not isinstance(payload, dict):
        return None, ["the result must be a JSON object"]
    unknown = sorted(str(k) for k in payload if k not in RESULT_KEYS)
    if unknown:
        errors.append(f"unknown field(s): {', '.join(unknown)[:200]}")
    which = payload.get("set")
    if which not in SETS:
        errors.append("'set' must be 'examples' or 'hidden'")
    elif expected_set is not None and which != expected_set:
        errors.append(f"'set' must be '{expected_set}' here")
    passed, total = payload.get("passed"), payload.get("total")
    if not _count(passed) or not _count(total):
        errors.append("'passed' and 'total' must be whole numbers ≥ 0")
    elif total != expected_total:
        errors.append(f"'total' must be {expected_total}, the number of tests sent")
    elif passed > total:
        errors.append("'passed' cannot exceed 'total'")
    stopped = payload.get("stopped")
    if not isinstance(stopped, bool):
        errors.append("'stopped' must be true or false")
    duration = payload.get("duration_ms")
    if (
        isinstance(duration, bool)
        or not isinstance(duration, int | float)
        or not math.isfinite(duration)
        or not 0 <= duration <= MAX_DURATION_MS
    ):
        errors.append(f"'duration_ms' must be a number from 0 to {MAX_DURATION_MS:.0f}")
    runtime = payload.get("runtime")
    if (
        not isinstance(runtime, str)
        or not runtime.strip()
        or len(runtime) > MAX_RUNTIME_CHARS
        or not _printable(runtime)
        or "\n" in runtime
    ):
        errors.append(f"'runtime' must be one line of text of at most {MAX_RUNTIME_CHARS}")
    tests = payload.get("tests", [])
    outcomes: list[TestOutcome] = []
    if not isinstance(tests, list):
        errors.append("'tests' must be a list")
    elif _count(expected_total) and len(tests) > expected_total:
        errors.append(f"'tests' has {len(tests)} entries, more than the {expected_total} sent")
    else:
        for i, raw in enumerate(tests):
            outcome, problem = _parse_outcome(raw, i)
            if problem:
                errors.append(problem)
                if len(errors) > 20:
                    break
            else:
                outcomes.append(outcome)
    if errors:
        return None, errors
    if stopped is False and len(outcomes) != total:
        errors.append("a run that was not stopped reports every test")
    if outcomes and sum(o.passed for o in outcomes) != passed:
        errors.append("'passed' does not match the tests marked passed")
    if not outcomes and passed:
        errors.append("'passed' needs the tests that passed")
    if errors:
        return None, errors
    return (
        RunResult(
            set=which,
            passed=passed,
            total=total,
            stopped=stopped,
            duration_ms=float(duration),
            runtime=runtime.strip(),
            tests=tuple(outcomes),
        ),
        [],
    )


def _parse_outcome(raw: Any, i: int) -> tuple[TestOutcome | None, str]:
    where = f"tests[{i}]"
    if not isinstance(raw, dict):
        return None, f"{where} must be an object"
    unknown = sorted(str(k) for k in raw if k not in OUTCOME_KEYS)
    if unknown:
        return None, f"{where}: unknown field(s) {', '.join(unknown)[:200]}"
    if not isinstance(raw.get("passed"), bool):
        return None, f"{where}.passed must be true or false"
    texts = {}
    for name in ("call", "expected", "actual", "error"):
        value = raw.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            return None, f"{where}.{name} must be text"
        if len(value) > MAX_RESULT_TEXT:
            return None, f"{where}.{name} is longer than {MAX_RESULT_TEXT:,} characters"
        if not _printable(value):
            return None, f"{where}.{name} contains a control character"
        texts[name] = value
    if not texts["call"].strip():
        return None, f"{where}.call must not be empty"
    return TestOutcome(passed=raw["passed"], **texts), ""


def summary(examples: RunResult | None, hidden: RunResult | None) -> str:
    """One line for a report: "5 of 7 passed: 3/3 examples, 2/4 hidden"."""

    def part(result: RunResult | None, noun: str) -> str:
        if result is None:
            return f"{noun} not run"
        stopped = " (stopped)" if result.stopped else ""
        return f"{result.passed}/{result.total} {noun}{stopped}"

    if examples is None and hidden is None:
        return "tests not run"
    if examples is not None and hidden is not None:
        passed = examples.passed + hidden.passed
        total = examples.total + hidden.total
        return f"{passed} of {total} passed: {part(examples, 'examples')}, {part(hidden, 'hidden')}"
    return f"{part(examples, 'examples')}, {part(hidden, 'hidden')}"


def run_line(result: RunResult) -> str:
    """What a Run shows: "2 of 3 example tests passed" (or the stop message)."""
    noun = "example" if result.set == "examples" else "hidden"
    line = f"{result.passed} of {result.total} {noun} tests passed"
    if result.stopped:
        return f"{line}; stopped: the code did not finish"
    return line


RAN_IN = "browser"  # stored with every result: the candidate's browser ran the code


def stored_run(raw: Any) -> RunResult | None:
    """A run kept with an answer (`session_questions.code_results[set]`) as a RunResult."""
    if not isinstance(raw, dict):
        return None
    payload = {k: raw.get(k) for k in RESULT_KEYS}
    result, _errors = parse_run_result(payload, raw.get("total"))
    return result


@dataclass(frozen=True)
class TestsEvidence:
    """A code answer's latest example run and its hidden run, as the pages show them."""

    examples: RunResult | None
    hidden: RunResult | None

    @classmethod
    def from_stored(cls, stored: Any) -> TestsEvidence:
        stored = stored if isinstance(stored, dict) else {}
        return cls(stored_run(stored.get("examples")), stored_run(stored.get("hidden")))

    @property
    def line(self) -> str:
        return summary(self.examples, self.hidden)

    @property
    def runtime(self) -> str:
        runs = [r for r in (self.hidden, self.examples) if r is not None]
        return runs[0].runtime if runs else ""

    def to_dict(self) -> dict:
        """For the JSON export: counts per set (None: not run), and where it ran."""

        def counts(result: RunResult | None) -> dict | None:
            if result is None:
                return None
            return {"passed": result.passed, "total": result.total, "stopped": result.stopped}

        return {
            "summary": self.line,
            "examples": counts(self.examples),
            "hidden": counts(self.hidden),
            "ran_in": RAN_IN,
            "runtime": self.runtime or None,
        }
