"""Run a question's reference solution against its tests in a separate CPython process.

This runs bank content an admin wrote (never a candidate's code: candidates' code runs in
their own browser). The child is `sys.executable -I` (isolated: no user site, no
PYTHONPATH, no current directory on sys.path) in a fresh temporary directory with a wall
clock timeout, its output swallowed and capped, and on POSIX a cap on file size and
memory. It compares values with app/domain/codetests.py itself: that file's source is
executed in the child, so `flask bank validate` and the domain rules cannot drift apart.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from app.bank.files.checks import Problem
from app.bank.files.reading import BankFiles, display_path
from app.domain import codetests
from app.domain.codetests import CodeTests

STARTUP_ALLOWANCE_S = 5.0  # interpreter start and imports, on a busy machine
MAX_STDERR_BYTES = 4_000
MAX_FILE_BYTES = 8 * 1024 * 1024  # anything the child writes (result file included)
MAX_MEMORY_BYTES = 1024 * 1024 * 1024
PARALLEL_RUNS = 3

_DRIVER = r'''

def _reference_main():
    import copy, json, sys, traceback, types

    class _Cap:
        """Swallows what the solution prints, keeping at most 4,000 characters."""
        def __init__(self):
            self.parts, self.size = [], 0
        def write(self, text):
            if self.size < 4000:
                self.parts.append(str(text)[: 4000 - self.size])
                self.size += len(self.parts[-1])
            return len(text)
        def flush(self):
            pass

    def _where(error):
        frames = traceback.extract_tb(error.__traceback__)
        frames = [f for f in frames if f.filename == "solution.py"]
        return f" (line {frames[-1].lineno} of the reference)" if frames else ""

    with open("cases.json", encoding="utf-8") as fh:
        spec = json.load(fh)
    out = {"load_error": "", "outcomes": []}
    sys.stdout = sys.stderr = _Cap()
    try:
        with open("solution.py", encoding="utf-8") as fh:
            source = fh.read()
        module = types.ModuleType("solution")  # a real module: dataclasses look it up
        sys.modules["solution"] = module
        namespace = module.__dict__
        exec(compile(source, "solution.py", "exec"), namespace)
        function = namespace.get(spec["function"])
        if not callable(function):
            raise NameError(f"the reference defines no function {spec['function']!r}")
    except BaseException as error:  # a syntax error, an import that fails, a bad name
        out["load_error"] = f"{type(error).__name__}: {error}{_where(error)}"
    else:
        for which in ("examples", "hidden"):
            for index, case in enumerate(spec[which]):
                row = {"set": which, "index": index, "call": case["call"], "passed": False,
                       "expected": show(case["expected"]), "actual": "", "error": ""}
                try:
                    got = function(*copy.deepcopy(case["args"]), **copy.deepcopy(case["kwargs"]))
                    actual = to_json_value(got)
                    row["actual"] = show(actual)
                    row["passed"] = values_match(
                        case["expected"], actual, case["compare"], case.get("tolerance")
                    )
                except NotJsonValue as error:
                    row["error"] = f"returned a value a test cannot compare: {error}"
                except BaseException as error:
                    row["error"] = f"{type(error).__name__}: {error}{_where(error)}"[:2000]
                out["outcomes"].append(row)
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    with open("result.json", "w", encoding="utf-8") as fh:
        json.dump(out, fh)


_reference_main()
'''


@dataclass(frozen=True)
class CaseOutcome:
    """What the reference returned for one test case."""

    set: str
    index: int
    call: str
    passed: bool
    expected: str
    actual: str
    error: str


@dataclass(frozen=True)
class ReferenceRun:
    """The outcome of one reference run: per-case outcomes, or why there are none."""

    outcomes: tuple[CaseOutcome, ...] = ()
    error: str = ""  # did not load, timed out, crashed

    @property
    def ok(self) -> bool:
        return not self.error and all(o.passed for o in self.outcomes)

    @property
    def failures(self) -> list[CaseOutcome]:
        return [o for o in self.outcomes if not o.passed]


def _limits() -> None:  # pragma: no cover - runs in the child before exec
    try:
        import resource  # noqa: PLC0415 - POSIX only, in the forked child

        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
        resource.setrlimit(resource.RLIMIT_AS, (MAX_MEMORY_BYTES, MAX_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass


def run_reference(source: str, tests: CodeTests, *, timeout_s: float | None = None) -> ReferenceRun:
    """Run `source` against every example and hidden case of `tests` in a child CPython."""
    timeout = timeout_s if timeout_s is not None else 2 * tests.time_limit_s + STARTUP_ALLOWANCE_S
    spec = {
        "function": tests.function,
        "examples": tests.worker_cases("examples"),
        "hidden": tests.worker_cases("hidden"),
    }
    driver = Path(codetests.__file__).read_text(encoding="utf-8") + _DRIVER
    with tempfile.TemporaryDirectory(prefix="mockloop-ref-") as tmp:
        folder = Path(tmp)
        (folder / "driver.py").write_text(driver, encoding="utf-8")
        (folder / "solution.py").write_text(source, encoding="utf-8")
        (folder / "cases.json").write_text(json.dumps(spec), encoding="utf-8")
        with open(folder / "stderr.txt", "wb") as err:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
                [sys.executable, "-I", "-S", "driver.py"],
                cwd=folder,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                env={"PATH": os.environ.get("PATH", ""), "PYTHONHASHSEED": "0"},
                start_new_session=True,
                preexec_fn=_limits if os.name == "posix" else None,  # noqa: PLW1509
            )
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill(process)
                return ReferenceRun(error=f"did not finish within {timeout:g} s (stopped)")
        result_path = folder / "result.json"
        if process.returncode != 0 or not result_path.exists():
            with open(folder / "stderr.txt", "rb") as err:
                tail = err.read(MAX_STDERR_BYTES).decode("utf-8", "replace").strip()
            last = tail.splitlines()[-1] if tail else f"exit status {process.returncode}"
            return ReferenceRun(error=f"the reference run crashed: {last}")
        try:
            data = json.loads(result_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return ReferenceRun(error="the reference run wrote no readable result")
    if data.get("load_error"):
        return ReferenceRun(error=f"the reference does not load: {data['load_error']}")
    return ReferenceRun(outcomes=tuple(CaseOutcome(**row) for row in data["outcomes"]))


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        process.kill()
    process.wait()


def check_references(bank: BankFiles, directory: str | os.PathLike) -> list[Problem]:
    """Run every code question's reference against its tests; one Problem per failure.

    Used by `flask bank validate` after the schema passed. A question whose tests name no
    `reference_solution` and whose good answer has no ```python block is not run.
    """
    problems: list[Problem] = []
    root = Path(directory)
    jobs = []
    for question in bank.questions:
        doc = question.get("tests")
        if doc is None:
            continue
        tests, _ = codetests.check_tests(doc, published=False)
        source = codetests.reference_source(tests, question["good_answer"])
        if source is not None:
            jobs.append((question, doc, source, tests))
    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:  # the children do the work
        runs = list(pool.map(lambda job: run_reference(job[2], job[3]), jobs))
    for (question, doc, _source, _tests), run in zip(jobs, runs, strict=True):
        shown = display_path(root / "questions" / question["stage"] / f"{question['key']}.yaml")
        top = getattr(doc, "line", 0) or question.key_lines.get("tests", 1)
        problems += run_problems(run, shown, top, getattr(doc, "case_lines", {}))
    return problems


def run_problems(run: ReferenceRun, shown: str, top: int, lines: dict) -> list[Problem]:
    """A reference run's failures as problems: at each case's line, with its field path."""
    if run.error:
        return [Problem(shown, top, f"tests: reference solution: {run.error}", ("tests",))]
    problems = []
    for outcome in run.failures:
        what = outcome.error or f"returned {outcome.actual}, expected {outcome.expected}"
        problems.append(
            Problem(
                shown,
                lines.get((outcome.set, outcome.index), top),
                f"tests.{outcome.set}[{outcome.index}]: reference solution fails "
                f"{outcome.call}: {what}",
                ("tests", outcome.set, outcome.index),
            )
        )
    return problems


def check_one(tests_doc: dict | None, good_answer: str, shown: str) -> list[Problem]:
    """Run one question's reference (editor saves): its failures, [] when none or no reference."""
    if tests_doc is None:
        return []
    tests, _ = codetests.check_tests(tests_doc, published=False)
    source = None if tests is None else codetests.reference_source(tests, good_answer or "")
    if source is None:
        return []
    top = getattr(tests_doc, "line", 0) or 1
    return run_problems(
        run_reference(source, tests), shown, top, getattr(tests_doc, "case_lines", {})
    )
