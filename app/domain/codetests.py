"""Tests of a code question: their schema and how a returned value is compared.

(The results a browser posts back are in app/domain/coderesults.py.)

Pure and standard-library only (no Flask, no db, no app imports): the reference runner
executes this very file's source in a child interpreter to compare values, so a bank
check and a candidate's Run in the browser (whose worker follows the same rules, see
question_bank/README.md) agree on what "passed" means.

Values are JSON-shaped: None, true/false, numbers, text, lists and string-keyed mappings.
What a function returns is first normalised to that shape (`to_json_value`): tuples become
lists, sets and frozensets become lists in a canonical order, integer keys become text (as
`json.dumps` does), and anything else (an object, a float infinity) is not a value a test
can compare. Then one of three rules decides:

- ``exact`` (the default): equal values; 1 equals 1.0, but true/false never equals a number.
- ``unordered``: the expected and actual lists hold the same items with the same counts,
  in any order (each item compared exactly); a non-list falls back to exact.
- ``float``: like exact, except that two numbers match when
  ``abs(actual - expected) <= tolerance * max(1, abs(expected))`` (absolute near zero,
  relative for large values); ``tolerance`` defaults to 1e-6.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

COMPARES = ("exact", "unordered", "float")
DEFAULT_TOLERANCE = 1e-6
DEFAULT_TIME_LIMIT_S = 5.0
MAX_TIME_LIMIT_S = 30.0
MIN_EXAMPLES = 3  # for a published question
MIN_HIDDEN = 5
MAX_CASES = 50  # per set
MAX_CASE_JSON_CHARS = 50_000  # one case's args, kwargs and expected value together
MAX_DEPTH = 32
MAX_REFERENCE_CHARS = 20_000
SETS = ("examples", "hidden")

MAX_RESULT_TEXT = 4_000  # one test's call, expected, actual or error, as shown

IDENT_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class NotJsonValue(ValueError):
    """A value a test cannot compare (an object, a float infinity, a mapping with odd keys)."""


# --- values ------------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def to_json_value(value: Any, _depth: int = 0) -> Any:
    """`value` in JSON shape: tuples to lists, sets sorted, int keys to text; else NotJsonValue."""
    if _depth > MAX_DEPTH:
        raise NotJsonValue("nested too deeply")
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotJsonValue(f"{value!r} is not a finite number")
        return float(value)
    if isinstance(value, list | tuple):
        return [to_json_value(item, _depth + 1) for item in value]
    if isinstance(value, set | frozenset):
        items = [to_json_value(item, _depth + 1) for item in value]
        return sorted(items, key=_canonical)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, str | int):
                raise NotJsonValue(f"a mapping key must be text, not {type(key).__name__}")
            name = str(key)
            if name in out:
                raise NotJsonValue(f"two keys become {name!r}")
            out[name] = to_json_value(item, _depth + 1)
        return out
    raise NotJsonValue(f"a {type(value).__name__} is not a value a test can compare")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(expected: Any, actual: Any, tolerance: float | None) -> bool:
    if _is_number(expected) and _is_number(actual):
        if tolerance is None:
            return expected == actual
        return abs(actual - expected) <= tolerance * max(1.0, abs(expected))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_equal(e, a, tolerance) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(_equal(expected[k], actual[k], tolerance) for k in expected)
        )
    return type(expected) is type(actual) and expected == actual


def values_match(
    expected: Any, actual: Any, compare: str = "exact", tolerance: float | None = None
) -> bool:
    """Whether `actual` (already JSON-shaped) passes against `expected` under `compare`."""
    if compare == "float":
        return _equal(expected, actual, DEFAULT_TOLERANCE if tolerance is None else tolerance)
    if compare == "unordered" and isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return False
        remaining = list(actual)
        for item in expected:
            for i, candidate in enumerate(remaining):
                if _equal(item, candidate, None):
                    del remaining[i]
                    break
            else:
                return False
        return True
    return _equal(expected, actual, None)


def show(value: Any, limit: int = MAX_RESULT_TEXT) -> str:
    """A value as Python would print it, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the tests block ---------------------------------------------------------------------


@dataclass(frozen=True)
class TestCase:
    """One call of the tested function and what it must return."""

    args: list
    kwargs: dict
    expected: Any
    compare: str = "exact"
    tolerance: float | None = None

    def call(self, function: str) -> str:
        """The call as a candidate reads it: `fn(1, [2, 3], k=4)`."""
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return _call(function, parts)

    def worker_case(self, function: str) -> dict:
        """The case as the browser's worker receives it."""
        case = {
            "args": self.args,
            "kwargs": self.kwargs,
            "expected": self.expected,
            "compare": self.compare,
            "call": self.call(function),
        }
        if self.compare == "float":
            case["tolerance"] = DEFAULT_TOLERANCE if self.tolerance is None else self.tolerance
        return case


def _call(function: str, parts: list[str]) -> str:
    text = f"{function}({', '.join(parts)})"
    return text if len(text) <= MAX_RESULT_TEXT else text[: MAX_RESULT_TEXT - 2] + "…)"


@dataclass(frozen=True)
class CodeTests:
    """The checked `tests` block of one code question."""

    function: str
    examples: tuple[TestCase, ...]
    hidden: tuple[TestCase, ...]
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
    reference_solution: str | None = None
    compare: str = "exact"  # the block's default, already applied to each case
    tolerance: float | None = None

    def cases(self, which: str) -> tuple[TestCase, ...]:
        return self.examples if which == "examples" else self.hidden

    def worker_cases(self, which: str) -> list[dict]:
        """One set ("examples" or "hidden") in the worker contract."""
        return [case.worker_case(self.function) for case in self.cases(which)]


@dataclass(frozen=True)
class TestsProblem:
    """Something wrong in a tests block: where (field path and line) and what."""

    path: tuple
    line: int
    message: str

    def __str__(self) -> str:
        where = ".".join(str(p) for p in self.path)
        return f"{where}: {self.message}" if where else self.message


def _line(obj: Any, key: Any = None, default: int = 1) -> int:
    """The YAML line of `obj` (or of its key/item `key`) when the reader recorded it."""
    if key is not None:
        key_lines = getattr(obj, "key_lines", None)
        if isinstance(key_lines, dict) and key in key_lines:
            return key_lines[key] or default
        item_lines = getattr(obj, "item_lines", None)
        if isinstance(key, int) and isinstance(item_lines, list) and key < len(item_lines):
            return item_lines[key] or default
    return getattr(obj, "line", 0) or default


class _Checker:
    def __init__(self, base: tuple, base_line: int):
        self.base = base
        self.base_line = base_line
        self.problems: list[TestsProblem] = []

    def add(self, path: tuple, line: int, message: str) -> None:
        self.problems.append(TestsProblem((*self.base, *path), max(line, 1), message))


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _json_value(ck: _Checker, value: Any, path: tuple, line: int) -> Any:
    """A YAML value that must already be JSON-shaped (no dates, no number keys)."""
    try:
        checked = _strict_json(value, 0)
    except NotJsonValue as error:
        ck.add(path, line, f"'{path[-1]}' is not a plain value: {error}")
        return None, False
    return checked, True


def _strict_json(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise NotJsonValue("nested too deeply")
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotJsonValue("numbers must be finite (no .inf/.nan)")
        return float(value)
    if isinstance(value, list):
        return [_strict_json(item, depth + 1) for item in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotJsonValue(f"mapping keys must be text (quote {key!r})")
            out[key] = _strict_json(item, depth + 1)
        return out
    raise NotJsonValue(f"{_type_name(value)} (quote it if it is meant as text)")


def _tolerance(ck: _Checker, value: Any, path: tuple, line: int) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        ck.add(path, line, f"'tolerance' must be a number, not {_type_name(value)}")
        return None
    if not 0 < value <= 1_000_000:
        ck.add(path, line, f"'tolerance' must be greater than 0, not {value:g}")
        return None
    return float(value)


CASE_KEYS = ("args", "kwargs", "expected", "compare", "tolerance")
BLOCK_KEYS = (
    "function",
    "time_limit_s",
    "compare",
    "tolerance",
    "reference_solution",
    "examples",
    "hidden",
)


def _unknown_keys(ck: _Checker, obj: Mapping, allowed: tuple, path: tuple) -> bool:
    ok = True
    for key in obj:
        if key not in allowed:
            ck.add(
                (*path, str(key)),
                _line(obj, key, ck.base_line),
                f"unknown key {key!r}; allowed: {', '.join(allowed)}",
            )
            ok = False
    return ok


def _check_case(
    ck: _Checker, raw: Any, path: tuple, line: int, compare: str, tolerance: float | None
) -> TestCase | None:
    if not isinstance(raw, dict):
        ck.add(path, line, f"a test case must be a mapping of fields, not {_type_name(raw)}")
        return None
    line = _line(raw, None, line)
    ok = _unknown_keys(ck, raw, CASE_KEYS, path)
    if "args" not in raw or raw["args"] is None:
        ck.add((*path, "args"), line, "missing required field 'args' (a list, [] for none)")
        return None
    args, good = _json_value(ck, raw["args"], (*path, "args"), _line(raw, "args", line))
    if good and not isinstance(args, list):
        ck.add((*path, "args"), _line(raw, "args", line), "'args' must be a list of arguments")
        good = False
    ok = ok and good
    kwargs: dict = {}
    if raw.get("kwargs") is not None:
        kwargs, good = _json_value(ck, raw["kwargs"], (*path, "kwargs"), _line(raw, "kwargs", line))
        if good and not isinstance(kwargs, dict):
            ck.add((*path, "kwargs"), _line(raw, "kwargs", line), "'kwargs' must be a mapping")
            good = False
        elif good and any(not _identifier(k) for k in kwargs):
            bad = next(k for k in kwargs if not _identifier(k))
            ck.add((*path, "kwargs"), _line(raw, "kwargs", line), f"{bad!r} is not a name")
            good = False
        ok = ok and good
    if "expected" not in raw:
        ck.add((*path, "expected"), line, "missing required field 'expected' (null for None)")
        return None
    expected, good = _json_value(
        ck, raw["expected"], (*path, "expected"), _line(raw, "expected", line)
    )
    ok = ok and good
    case_compare = raw.get("compare", compare)
    if case_compare not in COMPARES:
        ck.add(
            (*path, "compare"),
            _line(raw, "compare", line),
            f"'compare' must be one of {', '.join(COMPARES)}, not {case_compare!r}",
        )
        ok = False
    case_tolerance = tolerance
    if raw.get("tolerance") is not None:
        case_tolerance = _tolerance(
            ck, raw["tolerance"], (*path, "tolerance"), _line(raw, "tolerance", line)
        )
        if case_tolerance is None:
            ok = False
        elif case_compare != "float":
            ck.add(
                (*path, "tolerance"),
                _line(raw, "tolerance", line),
                "'tolerance' only applies with compare: float",
            )
            ok = False
    if case_compare == "unordered" and ok and not isinstance(expected, list):
        ck.add((*path, "expected"), _line(raw, "expected", line), "compare: unordered needs a list")
        ok = False
    if not ok:
        return None
    size = len(_canonical([args, kwargs, expected]))
    if size > MAX_CASE_JSON_CHARS:
        ck.add(
            path,
            line,
            f"test case is too large ({size:,} characters of JSON, at most "
            f"{MAX_CASE_JSON_CHARS:,})",
        )
        return None
    return TestCase(
        args, kwargs, expected, case_compare, case_tolerance if case_compare == "float" else None
    )


def _identifier(name: str) -> bool:
    return bool(name) and not name[0].isdigit() and set(name) <= IDENT_CHARS


def check_tests(
    raw: Any,
    *,
    published: bool = True,
    path: tuple = ("tests",),
    line: int = 1,
) -> tuple[CodeTests | None, list[TestsProblem]]:
    """Check a `tests` block as read from YAML; (tests, []) or (None, problems).

    A published question needs at least MIN_EXAMPLES example and MIN_HIDDEN hidden cases;
    a draft needs one of each. Lines come from the YAML reader's mappings when it
    recorded them (`key_lines`, `item_lines`, `line` attributes), else `line`.
    """
    ck = _Checker(path, line)
    if not isinstance(raw, dict):
        ck.add((), line, f"'tests' must be a mapping of fields, not {_type_name(raw)}")
        return None, ck.problems
    line = _line(raw, None, line)
    ok = _unknown_keys(ck, raw, BLOCK_KEYS, ())
    function = raw.get("function")
    if not isinstance(function, str) or not _identifier(function) or len(function) > 80:
        ck.add(
            ("function",),
            _line(raw, "function", line),
            f"'function' must be the name of the function the tests call, not {function!r}",
        )
        ok = False
    time_limit = raw.get("time_limit_s", DEFAULT_TIME_LIMIT_S)
    if (
        isinstance(time_limit, bool)
        or not isinstance(time_limit, int | float)
        or not 0.5 <= time_limit <= MAX_TIME_LIMIT_S
    ):
        ck.add(
            ("time_limit_s",),
            _line(raw, "time_limit_s", line),
            f"'time_limit_s' must be a number of seconds from 0.5 to {MAX_TIME_LIMIT_S:g}",
        )
        ok = False
    compare = raw.get("compare", "exact")
    if compare not in COMPARES:
        ck.add(
            ("compare",),
            _line(raw, "compare", line),
            f"'compare' must be one of {', '.join(COMPARES)}, not {compare!r}",
        )
        ok, compare = False, "exact"
    tolerance = None
    if raw.get("tolerance") is not None:
        tolerance = _tolerance(ck, raw["tolerance"], ("tolerance",), _line(raw, "tolerance", line))
        if tolerance is not None and compare != "float":
            ck.add(
                ("tolerance",),
                _line(raw, "tolerance", line),
                "'tolerance' only applies with compare: float",
            )
            tolerance = None
            ok = False
        ok = ok and tolerance is not None
    reference = raw.get("reference_solution")
    if reference is not None and (
        not isinstance(reference, str)
        or not reference.strip()
        or len(reference) > MAX_REFERENCE_CHARS
    ):
        ck.add(
            ("reference_solution",),
            _line(raw, "reference_solution", line),
            f"'reference_solution' must be Python source of at most {MAX_REFERENCE_CHARS:,} "
            "characters",
        )
        ok = False
    sets: dict[str, list[TestCase]] = {}
    for which, minimum in (("examples", MIN_EXAMPLES), ("hidden", MIN_HIDDEN)):
        minimum = minimum if published else 1
        cases = raw.get(which)
        where = _line(raw, which, line)
        if not isinstance(cases, list):
            what = "missing" if cases is None else f"not {_type_name(cases)}"
            ck.add((which,), where, f"'{which}' must be a list of test cases ({what})")
            ok = False
            continue
        if not minimum <= len(cases) <= MAX_CASES:
            state = "a published question" if published else "a question"
            ck.add(
                (which,),
                where,
                f"'{which}' has {len(cases)} test cases; {state} needs {minimum} to {MAX_CASES}",
            )
            ok = False
        checked = []
        for i, case in enumerate(cases):
            one = _check_case(ck, case, (which, i), _line(cases, i, where), compare, tolerance)
            if one is None:
                ok = False
            else:
                checked.append(one)
        sets[which] = checked
    if not ok:
        return None, ck.problems
    return (
        CodeTests(
            function=function,
            examples=tuple(sets["examples"]),
            hidden=tuple(sets["hidden"]),
            time_limit_s=float(time_limit),
            reference_solution=reference,
            compare=compare,
            tolerance=tolerance,
        ),
        [],
    )


def tests_doc(tests: CodeTests) -> dict:
    """The block in its file layout (what `flask bank export` writes and the db stores)."""
    doc: dict[str, Any] = {"function": tests.function}
    if tests.time_limit_s != DEFAULT_TIME_LIMIT_S:
        doc["time_limit_s"] = tests.time_limit_s
    if tests.compare != "exact":
        doc["compare"] = tests.compare
    if tests.tolerance is not None:
        doc["tolerance"] = tests.tolerance
    if tests.reference_solution is not None:
        doc["reference_solution"] = tests.reference_solution
    for which in SETS:
        out = []
        for case in tests.cases(which):
            one: dict[str, Any] = {"args": case.args}
            if case.kwargs:
                one["kwargs"] = case.kwargs
            one["expected"] = case.expected
            if case.compare != tests.compare:
                one["compare"] = case.compare
            if case.tolerance is not None and case.tolerance != tests.tolerance:
                one["tolerance"] = case.tolerance
            out.append(one)
        doc[which] = out
    return doc


def load_tests(doc: Any) -> CodeTests | None:
    """A stored tests block (a question version's `code_tests`) as CodeTests; None if absent.

    Stored blocks were checked on the way in; one that no longer passes (a hand-edited
    database) counts as absent rather than failing a page.
    """
    if doc is None:
        return None
    tests, _problems = check_tests(doc, published=False)
    return tests


def candidate_view(tests: CodeTests) -> dict:
    """What a round page may send before submission: the examples, never the hidden cases
    or the reference solution (only their number)."""
    return {
        "function": tests.function,
        "time_limit_s": tests.time_limit_s,
        "examples": tests.worker_cases("examples"),
        "hidden_count": len(tests.hidden),
    }


def reference_source(tests: CodeTests, good_answer_md: str) -> str | None:
    """The reference solution: `reference_solution`, else the first ```python block of the
    good answer, else None (nothing to run)."""
    if tests.reference_solution:
        return tests.reference_solution
    start = good_answer_md.find("```python\n")
    if start < 0:
        return None
    body = good_answer_md[start + len("```python\n") :]
    end = body.find("```")
    return None if end < 0 else _dedent_block(body[:end])


def _dedent_block(text: str) -> str:
    lines = text.splitlines()
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines).strip("\n") + "\n"
