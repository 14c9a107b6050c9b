/* The Run button of a code question (round page, only where there is code).
 *
 * Next to a runnable question's textarea the server renders its example tests:
 *   <script type="application/json" id="code-tests-{question_id}" data-run-url="...">
 *     {"function": ..., "time_limit_s": 5, "examples": [{args, kwargs, expected, compare,
 *      tolerance, call}]}</script>
 * Run sends the textarea's text (the editor keeps it in sync) and that JSON to Pyodide in
 * a Web Worker (code-worker.js), shows "N of M example tests passed" with each failed
 * test's call, expected and actual value, output and error, and POSTs the result to
 * data-run-url. The worker stays warm between runs; a watchdog terminates it after the
 * question's time limit and starts a fresh one, so runaway code never holds the page. */
(function () {
  "use strict";
  var mockloop = window.mockloop;
  var script = document.currentScript || document.querySelector("script[data-worker-url]");
  var WORKER_URL = script.getAttribute("data-worker-url");
  var PYODIDE_URL = new URL(script.getAttribute("data-pyodide-url"), document.baseURI).href;
  var DEFAULT_LIMIT_S = 5;
  var LOAD_LIMIT_MS = 90000;
  var MAX_LINES = 200;

  /* ---- one worker for the page, kept warm ---- */
  var runner = {
    worker: null,
    ready: false,
    version: "",
    current: null, // the run in progress: {id, resolve, tests, limitS, watchdog, onProgress}
    nextId: 1,

    start: function () {
      var self = this;
      var worker = new Worker(WORKER_URL, { type: "module", name: "mockloop-code-runner" });
      self.worker = worker;
      self.ready = false;
      worker.onmessage = function (evt) { if (self.worker === worker) self.receive(evt.data || {}); };
      worker.onerror = function (evt) {
        if (evt && evt.preventDefault) evt.preventDefault();
        if (self.worker === worker) self.fail("Python could not start in this browser.");
      };
      worker.postMessage({ type: "load", indexURL: PYODIDE_URL });
    },

    restart: function () {
      if (this.worker) this.worker.terminate();
      this.worker = null;
      this.ready = false;
      this.start();
    },

    receive: function (msg) {
      var run = this.current;
      if (msg.type === "ready") {
        this.ready = true;
        this.version = String(msg.version || "");
        return;
      }
      if (msg.type === "failed" && (msg.id === null || msg.id === undefined)) {
        // Python itself did not load: fail the waiting run, or start afresh on the next one.
        if (run) this.fail("Python could not start in this browser: " + String(msg.message || ""));
        else this.restartLater = true;
        return;
      }
      if (!run || msg.id !== run.id) return;
      if (msg.type === "loading") run.onProgress(String(msg.text || "Loading Python…"));
      else if (msg.type === "started") this.started(run);
      else if (msg.type === "test" && msg.test) {
        run.tests[msg.index] = cleanTest(msg.test);
        run.onProgress("Ran " + (msg.index + 1) + " of " + run.total + " tests…");
      } else if (msg.type === "result" && msg.result) this.finish(run, msg.result);
      else if (msg.type === "failed") this.fail(String(msg.message || "The run failed."));
    },

    started: function (run) {
      var self = this;
      window.clearTimeout(run.loadWatchdog);
      run.startedAt = performance.now();
      run.onProgress("Running…");
      run.watchdog = window.setTimeout(function () { self.stop(run); }, run.limitS * 1000);
    },

    /* Time is up: Python cannot be interrupted, so the worker goes and a fresh one starts. */
    stop: function (run) {
      if (this.current !== run) return;
      this.current = null;
      var tests = run.tests.filter(Boolean);
      this.restart();
      run.resolve({
        stopped: true,
        passed: tests.filter(function (t) { return t.passed; }).length,
        total: run.total,
        duration_ms: Math.round(performance.now() - (run.startedAt || performance.now())),
        runtime: this.runtime(),
        tests: tests,
        message: "Stopped after " + run.limitS + " s: your code did not finish."
      });
    },

    finish: function (run, result) {
      window.clearTimeout(run.watchdog);
      window.clearTimeout(run.loadWatchdog);
      this.current = null;
      var tests = Array.isArray(result.tests) ? result.tests.map(cleanTest) : [];
      run.resolve({
        stopped: false,
        passed: tests.filter(function (t) { return t.passed; }).length,
        total: Number(result.total) || tests.length,
        duration_ms: Math.max(0, Number(result.duration_ms) || 0),
        runtime: String(result.runtime || this.runtime()).slice(0, 40),
        tests: tests
      });
    },

    fail: function (message) {
      var run = this.current;
      if (!run) {
        // Nothing is waiting: start afresh on the next Run, never in a loop of failures.
        if (this.worker) this.worker.terminate();
        this.worker = null;
        this.ready = false;
        return;
      }
      this.restart();
      window.clearTimeout(run.watchdog);
      window.clearTimeout(run.loadWatchdog);
      this.current = null;
      run.resolve({ stopped: false, passed: 0, total: run.total, duration_ms: 0,
        runtime: this.runtime(), tests: run.tests.filter(Boolean), message: message, failed: true });
    },

    runtime: function () { return this.version ? "pyodide " + this.version : "pyodide"; },

    /* Run `code` against the tests in `specText` (the contract's JSON), its "examples"
     * or its "hidden" list (`set`); resolves a result (never rejects). One run at a time. */
    run: function (code, specText, onProgress, set) {
      var self = this;
      var spec = parseSpec(specText);
      set = set === "hidden" ? "hidden" : "examples";
      if (self.current) {
        return Promise.resolve({ stopped: false, passed: 0, total: 0, duration_ms: 0, tests: [],
          runtime: self.runtime(), failed: true, message: "Another run is still going." });
      }
      if (self.restartLater) { self.restartLater = false; self.restart(); }
      if (!self.worker) self.start();
      return new Promise(function (resolve) {
        var run = {
          id: self.nextId++, resolve: resolve, tests: [], onProgress: onProgress || function () {},
          total: (spec[set] || []).length,
          limitS: Number(spec.time_limit_s) > 0 ? Number(spec.time_limit_s) : DEFAULT_LIMIT_S
        };
        self.current = run;
        if (!self.ready) run.onProgress("Loading Python (first run only)…");
        run.loadWatchdog = window.setTimeout(function () {
          if (self.current === run && !run.startedAt) self.fail("Python did not load in time.");
        }, LOAD_LIMIT_MS);
        self.worker.postMessage({ type: "run", id: run.id, indexURL: PYODIDE_URL, code: code,
          spec: specText, set: set, maxLines: MAX_LINES });
      });
    }
  };

  function parseSpec(text) {
    try { return JSON.parse(text) || {}; } catch (e) { return {}; }
  }

  /* Only the fields the page shows and posts, as strings of bounded size. */
  function cleanTest(t) {
    function str(v, n) { return v === null || v === undefined ? "" : String(v).slice(0, n); }
    return {
      call: str(t.call, 500), passed: t.passed === true, expected: str(t.expected, 2000),
      actual: str(t.actual, 2000), error: str(t.error, 2000),
      output: str(t.output, 25000), output_cut: t.output_cut === true
    };
  }

  /* ---- the panel beside each runnable question ---- */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function summary(result, set) {
    if (result.stopped) return result.message;
    if (result.failed) return result.message;
    var what = set === "hidden" ? "hidden" : "example";
    return result.passed + " of " + result.total + " " + what + " test" +
      (result.total === 1 ? "" : "s") + " passed.";
  }

  function renderResult(box, result, set) {
    box.textContent = "";
    var tests = result.tests || [];
    var failed = tests.filter(function (t) { return !t.passed; });
    box.appendChild(el("p", "code-run-summary" + (result.passed === result.total && !result.stopped &&
      !result.failed ? " is-pass" : " is-fail"), summary(result, set)));
    if (failed.length) {
      var list = el("ol", "code-run-tests");
      failed.forEach(function (t) {
        var item = el("li", "code-run-test");
        var call = el("p", "code-run-call");
        call.appendChild(el("code", "", t.call));
        item.appendChild(call);
        var facts = el("dl", "code-run-facts");
        [["Expected", t.expected], ["Got", t.error ? "" : t.actual], ["Error", t.error]].forEach(function (pair) {
          if (!pair[1]) return;
          facts.appendChild(el("dt", "", pair[0]));
          var dd = el("dd");
          dd.appendChild(el("code", "", pair[1]));
          facts.appendChild(dd);
        });
        item.appendChild(facts);
        if (t.output) {
          item.appendChild(el("p", "code-run-label", "Printed"));
          item.appendChild(el("pre", "code-run-output", t.output));
        }
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    var passedCalls = tests.filter(function (t) { return t.passed; });
    if (passedCalls.length) {
      var ok = el("ul", "code-run-passed");
      passedCalls.forEach(function (t) {
        var li = el("li", "", "Passed: ");
        li.appendChild(el("code", "", t.call));
        ok.appendChild(li);
      });
      box.appendChild(ok);
    }
    box.appendChild(el("p", "hint", (result.stopped ? "" : "Ran in " + result.duration_ms + " ms ") +
      "in your browser (" + result.runtime + "); nothing ran on the server."));
  }

  function postResult(url, result, set) {
    if (!url) return Promise.resolve(null);
    var body = {
      set: set, passed: result.passed, total: result.total, stopped: !!result.stopped,
      duration_ms: result.duration_ms, runtime: result.runtime,
      tests: (result.tests || []).map(function (t) {
        return { call: t.call, passed: t.passed, expected: t.expected, actual: t.actual, error: t.error };
      })
    };
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
        "X-CSRFToken": mockloop.csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) { return response.ok; }).catch(function () { return false; });
  }

  function initPanel(specEl) {
    if (specEl.getAttribute("data-run-bound")) return;
    var scope = specEl.closest(".question, form") || document;
    var area = scope.querySelector("textarea[data-code-editor]");
    if (!area) return;
    specEl.setAttribute("data-run-bound", "1");
    var panel = el("div", "code-run");
    var button = el("button", "button secondary", "Run examples");
    button.type = "button";
    var status = el("p", "code-run-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var box = el("div", "code-run-result");
    panel.appendChild(button);
    panel.appendChild(status);
    panel.appendChild(box);
    var field = area.closest(".field") || area.parentNode;
    field.parentNode.insertBefore(panel, field.nextSibling);

    button.addEventListener("click", function () {
      if (button.disabled || area.readOnly) return;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      status.textContent = "Starting…";
      runner.run(area.value, specEl.textContent, function (text) { status.textContent = text; })
        .then(function (result) {
          renderResult(box, result, "examples");
          status.textContent = summary(result, "examples");
          panel.mockloopLastResult = result;
          return postResult(specEl.getAttribute("data-run-url"), result, "examples");
        })
        .then(function (stored) { panel.setAttribute("data-run-stored", stored ? "yes" : "no"); })
        .then(function () {
          button.disabled = false;
          button.removeAttribute("aria-busy");
        });
    });
  }

  function initCodeRuns(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var specs = scope.querySelectorAll('script[type="application/json"][id^="code-tests-"]');
    specs.forEach(initPanel);
    // Python (13 MB, cached for a year) loads on the first Run, then the worker stays warm.
  }

  /* For submit and the deadline: run the hidden tests (a spec with a "hidden" list) and
   * post the result as {"set": "hidden", ...}:
   *   mockloop.codeRunner.run(code, specText, onProgress, "hidden")
   *     .then(function (r) { return mockloop.postCodeResult(url, r, "hidden"); }) */
  mockloop.codeRunner = runner;
  mockloop.postCodeResult = postResult;
  mockloop.define("code-run", [initCodeRuns]);
})();
