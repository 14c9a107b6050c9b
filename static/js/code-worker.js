/* The code runner: a module Web Worker that loads Pyodide from the vendored folder and
 * runs a candidate's code against a list of test cases (code-run.js starts it).
 *
 * Candidates' code never runs on the server; here it runs in the candidate's own browser,
 * cut off from the page: this worker's CSP (app/security.py) lets it load scripts and
 * fetch only from the Pyodide folder, so neither pyodide.http nor js.fetch reaches the
 * app or the network. Code that never ends is stopped by the page terminating this worker.
 *
 * Messages in:  {type: "load", indexURL}
 *               {type: "run", id, indexURL, code, spec (the contract's JSON text),
 *                set: "examples" | "hidden" (which list of the spec to run), maxLines}
 * Messages out: {type: "loading", text} · {type: "ready", version}
 *               {type: "started", id} · {type: "test", id, index, test}
 *               {type: "result", id, result} · {type: "failed", id, message}
 */
const post = self.postMessage.bind(self); // kept before any candidate code can replace it

let pyodidePromise = null;
let harness = null;

const HARNESS = String.raw`
import builtins, copy, json, math, sys, time, traceback

FILENAME = "<your code>"
MAX_LINES = 200
MAX_CHARS = 20000
MAX_REPR = 2000


class CappedOutput:
    """stdout/stderr for one test: keeps the first MAX_LINES lines, then drops the rest."""

    def __init__(self, max_lines):
        self.max_lines = max_lines
        self.parts = []
        self.lines = 0
        self.chars = 0
        self.cut = False

    def write(self, text):
        if self.cut:
            return len(text)
        text = str(text)
        for piece in text.splitlines(keepends=True):
            if self.lines >= self.max_lines or self.chars + len(piece) > MAX_CHARS:
                self.cut = True
                break
            self.parts.append(piece)
            self.chars += len(piece)
            if piece.endswith("\n"):
                self.lines += 1
        return len(text)

    def flush(self):
        pass

    def text(self):
        out = "".join(self.parts)
        if self.cut:
            out += ("" if out.endswith("\n") or not out else "\n") + f"output cut at {self.max_lines} lines"
        return out


def json_key(key):
    """A dict key as JSON spells it: str stays, numbers/bools/None as json.dumps writes
    them, a tuple as its JSON list ("[1, 2]"); anything else by repr()."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(key)
    if isinstance(key, tuple):
        return json.dumps(normalise(key))
    return repr(key)


def normalise(value):
    """The candidate's return value in JSON's shapes: tuples become lists, sets sorted
    lists, dict keys strings (json_key). Other objects are left as they are (and then
    equal nothing the JSON test file can hold)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [normalise(v) for v in value]
        try:
            return sorted(items, key=canonical)
        except Exception:
            return items
    if isinstance(value, dict):
        return {json_key(k): normalise(v) for k, v in value.items()}
    return value


def canonical(value):
    try:
        return json.dumps(value, sort_keys=True)
    except Exception:
        return repr(value)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def equal(actual, expected, tolerance=None):
    """JSON-strict equality: bools are not numbers; 2 == 2.0; floats within 'tolerance'
    (relative or absolute) when given; lists in order; dicts by key."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and actual == expected
    if is_number(expected) and is_number(actual):
        if tolerance is None:
            return actual == expected
        if math.isnan(expected) or math.isnan(actual):
            return math.isnan(expected) and math.isnan(actual)
        return math.isclose(actual, expected, rel_tol=tolerance, abs_tol=tolerance)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(actual) == len(expected) and all(
            equal(a, e, tolerance) for a, e in zip(actual, expected)
        )
    if isinstance(expected, dict) and isinstance(actual, dict):
        return actual.keys() == expected.keys() and all(
            equal(actual[k], expected[k], tolerance) for k in expected
        )
    if expected is None or isinstance(expected, str):
        return type(actual) is type(expected) and actual == expected
    return False


def compare(actual, expected, rule="exact", tolerance=None):
    """exact: equal(); unordered: both lists, equal as multisets (top level only);
    float: equal() with a tolerance (default 1e-6) on every number inside."""
    value = normalise(actual)
    if rule == "float":
        return equal(value, expected, 1e-6 if tolerance is None else float(tolerance))
    if rule == "unordered":
        if not (isinstance(value, list) and isinstance(expected, list)):
            return False
        if len(value) != len(expected):
            return False
        left = list(value)
        for e in expected:
            for i, a in enumerate(left):
                if equal(a, e, tolerance):
                    del left[i]
                    break
            else:
                return False
        return True
    return equal(value, expected, tolerance)


def short_repr(value):
    try:
        text = repr(value)
    except Exception as exc:
        text = f"<repr failed: {type(exc).__name__}>"
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 1] + "…"


def error_of(exc):
    """'TypeError: message (line 3)': the line is the last one in the candidate's code."""
    line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == FILENAME:
            line = frame.lineno
    text = f"{type(exc).__name__}: {exc}"
    return text + (f" (line {line})" if line else ""), line


_saved_builtins = dict(builtins.__dict__)
_saved_limit = sys.getrecursionlimit()


def _restore(streams):
    """Undo what a candidate's code may have changed for the next run."""
    builtins.__dict__.clear()
    builtins.__dict__.update(_saved_builtins)
    sys.stdout, sys.stderr = streams
    sys.setrecursionlimit(_saved_limit)


_spec = {}


_set = "examples"


def prepare(spec_json, set_name="examples"):
    """Read the tests as JSON text (so 1.0 stays a float) and pick the set to run
    ("examples" or "hidden"); return how many tests it has."""
    global _spec, _set
    _spec = json.loads(spec_json)
    _set = "hidden" if set_name == "hidden" else "examples"
    return len(_spec.get(_set) or [])


def run_one(code, index, max_lines):
    """Run the candidate's code afresh, call the function with test 'index'; a JSON result."""
    function = str(_spec.get("function") or "")
    case = _spec[_set][index]
    out = CappedOutput(max_lines)
    result = {"call": str(case.get("call") or function + "(…)"), "passed": False,
              "expected": short_repr(case.get("expected")), "actual": "", "error": "",
              "line": None, "output": "", "output_cut": False, "duration_ms": 0}
    started = time.perf_counter()
    streams = (sys.stdout, sys.stderr)
    sys.stdout = sys.stderr = out
    try:
        namespace = {"__name__": "__main__", "__builtins__": builtins}
        exec(compile(code, FILENAME, "exec"), namespace)
        fn = namespace.get(function)
        if not callable(fn):
            raise NameError(f"your code does not define a function called {function}")
        args = copy.deepcopy(case.get("args") or [])
        kwargs = copy.deepcopy(case.get("kwargs") or {})
        actual = fn(*args, **kwargs)
        result["actual"] = short_repr(actual)
        result["passed"] = bool(compare(actual, case.get("expected"),
                                        case.get("compare") or "exact", case.get("tolerance")))
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too: the test failed
        result["error"], result["line"] = error_of(exc)
    finally:
        _restore(streams)
    result["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
    result["output"] = out.text()
    result["output_cut"] = out.cut
    return json.dumps(result)
`;

async function loadPython(indexURL) {
  post({ type: "loading", text: "Loading Python (first run only)…" });
  const { loadPyodide } = await import(indexURL + "pyodide.mjs");
  const pyodide = await loadPyodide({ indexURL, fullStdLib: false });
  pyodide.runPython(HARNESS);
  harness = { prepare: pyodide.globals.get("prepare"), runOne: pyodide.globals.get("run_one") };
  post({ type: "ready", version: pyodide.version });
  return pyodide;
}

async function run(message) {
  const pyodide = await pyodidePromise;
  const total = harness.prepare(String(message.spec || "{}"), message.set === "hidden" ? "hidden" : "examples");
  const started = performance.now();
  post({ type: "started", id: message.id });
  const tests = [];
  for (let index = 0; index < total; index++) {
    const test = JSON.parse(harness.runOne(String(message.code || ""), index, message.maxLines || 200));
    tests.push(test);
    post({ type: "test", id: message.id, index, test });
  }
  post({
    type: "result",
    id: message.id,
    result: {
      passed: tests.filter((t) => t.passed).length,
      total,
      duration_ms: Math.round(performance.now() - started),
      runtime: "pyodide " + pyodide.version,
      tests,
    },
  });
}

self.onmessage = (event) => {
  const message = event.data || {};
  if (message.type === "load") {
    if (!pyodidePromise) pyodidePromise = loadPython(message.indexURL);
    pyodidePromise.catch((err) => post({ type: "failed", id: null, message: String(err) }));
    return;
  }
  if (message.type === "run") {
    if (!pyodidePromise) pyodidePromise = loadPython(message.indexURL);
    run(message).catch((err) => post({ type: "failed", id: message.id, message: String(err) }));
  }
};
