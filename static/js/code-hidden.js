/* The scoring page's hidden tests (issue 12). The round is over, so the server hands out
 * a code question's hidden cases (GET data-hidden-url, to the round's owner only); the
 * submitted code runs against them in the same Pyodide worker as Run (code-run.js:
 * mockloop.codeRunner) and the result is posted to data-run-url as {"set": "hidden"}.
 * Arriving straight from submit (data-autorun) starts at once; otherwise a button offers
 * it, e.g. for a round whose page was closed when its time ran out. */
(function () {
  "use strict";
  var mockloop = window.mockloop;
  var RUNNER_WAIT_MS = 15000;

  /* Scripts a boosted navigation brings run in any order, so code-run.js (the runner) may
   * arrive after this file: wait for it a little rather than depend on the order. */
  function whenRunner() {
    return new Promise(function (resolve, reject) {
      var waited = 0;
      (function check() {
        if (mockloop.codeRunner) return resolve(mockloop.codeRunner);
        if (waited >= RUNNER_WAIT_MS) return reject(new Error("The code runner did not load."));
        waited += 100;
        window.setTimeout(check, 100);
      })();
    });
  }

  function initOne(data) {
    if (data.getAttribute("data-run-bound")) return;
    var box = data.closest("[data-run-hidden]");
    if (!box) return;
    data.setAttribute("data-run-bound", "1");
    var status = box.querySelector("[data-run-hidden-status]");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary";
    button.textContent = "Run the hidden tests now";
    box.insertBefore(button, status);
    status.textContent = "";
    var code = "";
    try { code = String((JSON.parse(data.textContent) || {}).code || ""); } catch (e) { code = ""; }

    function done(text, stored) {
      status.textContent = text;
      box.setAttribute("data-run-hidden-stored", stored ? "yes" : "no");
      button.disabled = !!stored;
      button.hidden = !!stored;
      button.removeAttribute("aria-busy");
    }

    function go() {
      if (button.disabled) return;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      status.textContent = "Fetching the hidden tests…";
      fetch(data.getAttribute("data-hidden-url"), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      })
        .then(function (response) {
          if (!response.ok) throw new Error("The hidden tests are not available (" + response.status + ").");
          return response.text();
        })
        .then(function (spec) {
          return whenRunner().then(function (runner) {
            return runner.run(code, spec, function (t) { status.textContent = t; }, "hidden");
          });
        })
        .then(function (result) {
          if (result.failed) throw new Error(result.message || "The run failed.");
          return mockloop.postCodeResult(data.getAttribute("data-run-url"), result, "hidden")
            .then(function (ok) {
              var line = (result.stopped ? result.message + " " : "") + result.passed + " of " +
                result.total + " hidden tests passed";
              done(ok ? line + "; stored with your answer." : line + ", but it could not be stored: try again.", ok);
            });
        })
        .catch(function (err) { done(String((err && err.message) || err), false); });
    }

    button.addEventListener("click", go);
    if (data.hasAttribute("data-autorun")) go();
  }

  mockloop.define("code-hidden", [function (root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll('script[type="application/json"][id^="code-hidden-"]').forEach(initOne);
  }]);
})();
