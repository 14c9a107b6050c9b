"""The code runner's server-free parts: the worker's CSP, vendored files' caching and
types, and the comparison rules of static/js/code-worker.js.

The rules are Python that runs inside Pyodide; here the same source (read out of the
worker file) runs in CPython, so its edge cases are checked without a browser. The
browser tests (tests/browser/test_code_run.py) run it in Pyodide itself.
"""

from __future__ import annotations

import json
import re

import pytest

from app.config import ROOT
from app.security import PYODIDE_DIR, VENDOR
from tests.test_security import directives

WORKER = ROOT / "static" / "js" / "code-worker.js"


@pytest.fixture(scope="module")
def harness() -> dict:
    source = WORKER.read_text(encoding="utf-8")
    python = re.search(r"const HARNESS = String\.raw`(.*?)`;", source, re.S).group(1)
    namespace: dict = {"__name__": "harness"}
    exec(compile(python, "code-worker.js:HARNESS", "exec"), namespace)
    return namespace


def run(harness, code: str, case: dict, function: str = "f", max_lines: int = 200) -> dict:
    harness["prepare"](json.dumps({"function": function, "examples": [case]}))
    return json.loads(harness["run_one"](code, 0, max_lines))


def test_the_worker_alone_may_compile_webassembly(client):
    page = directives(client.get("/login").headers["Content-Security-Policy"])
    assert page["script-src"] == ["'self'"]  # no wasm-unsafe-eval, no unsafe-eval on pages
    worker = client.get("/static/js/code-worker.js")
    worker.close()
    assert worker.status_code == 200
    csp = directives(worker.headers["Content-Security-Policy"])
    pyodide = f"http://localhost/static/{PYODIDE_DIR}"
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == [pyodide, "'wasm-unsafe-eval'"]
    assert csp["connect-src"] == [pyodide]  # neither the app's routes nor the network
    assert all("'unsafe-eval'" not in v for v in csp.values())


def test_vendored_files_are_cached_for_a_year_with_the_right_types(client):
    def head(path):
        response = client.head(path)
        response.close()
        return response

    wasm = head(f"/static/{PYODIDE_DIR}pyodide.asm.wasm")
    assert wasm.status_code == 200 and wasm.mimetype == "application/wasm"
    assert wasm.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Cookie" not in wasm.headers.get("Vary", "") and "Set-Cookie" not in wasm.headers
    assert head(f"/static/{PYODIDE_DIR}pyodide.mjs").mimetype == "text/javascript"
    editor = head(f"/static/{VENDOR['codemirror']}")
    assert editor.status_code == 200 and "max-age=31536000" in editor.headers["Cache-Control"]
    assert "max-age" not in head("/static/js/core.js").headers.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("rule", "returned", "expected", "passed"),
    [
        ("exact", "[3, 2]", [3, 2], True),
        ("exact", "(3, 2)", [3, 2], True),  # tuples are JSON lists
        ("exact", "[2, 3]", [3, 2], False),
        ("exact", "2.0", 2, True),
        ("exact", "True", 1, False),  # bools are not numbers
        ("exact", "1", True, False),
        ("exact", "None", None, True),
        ("exact", "'2'", 2, False),
        ("exact", "{1: 'a', 'b': (1,)}", {"1": "a", "b": [1]}, True),  # keys as JSON spells them
        ("exact", "{(1, 2): 3}", {"[1, 2]": 3}, True),  # a tuple key is its JSON list
        ("exact", "{True: 1, None: 2}", {"true": 1, "null": 2}, True),
        ("exact", "{1, 3, 2}", [1, 2, 3], True),  # a set is its sorted list
        ("exact", "0.1 + 0.2", 0.3, False),
        ("float", "0.1 + 0.2", 0.3, True),
        ("float", "[0.1 + 0.2, {'p': 1/3}]", [0.3, {"p": 0.333333333}], True),
        ("float", "0.31", 0.3, False),
        ("float", "float('nan')", None, False),
        ("unordered", "[2, 1, 2]", [1, 2, 2], True),
        ("unordered", "[2, 1, 1]", [1, 2, 2], False),
        ("unordered", "[[1, 'a'], [0, 'b']]", [[0, "b"], [1, "a"]], True),
        ("unordered", "[1, 2]", [1, 2, 2], False),
        ("unordered", "'12'", ["1", "2"], False),
        ("exact", "object()", "x", False),
    ],
)
def test_comparison_rules(harness, rule, returned, expected, passed):
    result = run(
        harness,
        f"def f():\n    return {returned}\n",
        {"args": [], "expected": expected, "compare": rule},
    )
    assert result["passed"] is passed, result


def test_float_tolerance_is_per_test(harness):
    case = {"args": [], "expected": 1.0, "compare": "float", "tolerance": 0.1}
    assert run(harness, "def f():\n    return 1.05\n", case)["passed"]
    assert not run(harness, "def f():\n    return 1.2\n", case)["passed"]


def test_floats_in_the_json_stay_floats(harness):
    case = {"args": [1.0], "expected": "float"}
    assert run(harness, "def f(x):\n    return type(x).__name__\n", case)["passed"]


def test_errors_name_their_type_and_line_in_the_candidates_code(harness):
    result = run(
        harness, "def f(xs):\n    total = 0\n    return xs[5]\n", {"args": [[1]], "expected": 1}
    )
    assert result["error"] == "IndexError: list index out of range (line 3)"
    assert result["line"] == 3 and not result["passed"]
    syntax = run(harness, "def f(:\n    pass\n", {"args": [], "expected": 1})
    assert syntax["error"].startswith("SyntaxError") and syntax["line"] == 1
    missing = run(harness, "def g():\n    pass\n", {"args": [], "expected": 1})
    assert "does not define a function called f" in missing["error"]
    exits = run(harness, "import sys\ndef f():\n    sys.exit(3)\n", {"args": [], "expected": 1})
    assert exits["error"].startswith("SystemExit") and exits["line"] == 3


def test_output_is_captured_per_test_and_cut_at_the_limit(harness):
    code = "def f(n):\n    for i in range(n):\n        print('line', i)\n    return n\n"
    short = run(harness, code, {"args": [2], "expected": 2})
    assert short["output"] == "line 0\nline 1\n" and short["passed"]
    long = run(harness, code, {"args": [10_000], "expected": 10_000}, max_lines=50)
    assert long["output_cut"] and long["output"].endswith("output cut at 50 lines")
    assert long["output"].count("\n") == 50


def test_a_candidates_tampering_does_not_outlive_its_run(harness):
    import builtins
    import sys

    # a limit just above this test's own stack (deeper under a pytest-xdist worker)
    frame, depth = sys._getframe(), 0
    while frame:
        frame, depth = frame.f_back, depth + 1
    low = depth + 20
    tamper = (
        f"import builtins, sys\nbuiltins.len = lambda x: 0\nsys.setrecursionlimit({low})\n"
        "def f():\n    return len([1])\n"
    )
    assert run(harness, tamper, {"args": [], "expected": 0})["passed"]
    assert builtins.len([1]) == 1 and sys.getrecursionlimit() > low
    assert run(harness, "def f():\n    return len([1])\n", {"args": [], "expected": 1})["passed"]


def test_arguments_are_copied_and_kwargs_passed(harness):
    case = {"args": [[1, 2]], "kwargs": {"k": 1}, "expected": [1, 2, 1]}
    result = run(harness, "def f(xs, k):\n    xs.append(k)\n    return xs\n", case)
    assert result["passed"] and result["actual"] == "[1, 2, 1]"
    assert result["expected"] == "[1, 2, 1]"


def test_the_hidden_set_runs_when_asked(harness):
    spec = {
        "function": "f",
        "examples": [{"args": [1], "expected": 1}],
        "hidden": [{"args": [2], "expected": 2}, {"args": [3], "expected": 4}],
    }
    assert harness["prepare"](json.dumps(spec)) == 1
    assert harness["prepare"](json.dumps(spec), "hidden") == 2
    results = [json.loads(harness["run_one"]("def f(x):\n    return x\n", i, 200)) for i in (0, 1)]
    assert [r["passed"] for r in results] == [True, False]
    assert harness["prepare"](json.dumps({"function": "f"}), "hidden") == 0
