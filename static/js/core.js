/* mockloop page behaviour shared by every page (CSP forbids inline script): the CSRF
 * header and stale-token retry for htmx, the feature registry and confirm dialogs.
 * Page kinds add their own file (round.js, scoring.js, code-run.js) through the
 * `scripts` block of base.html, so each page loads only what it uses.
 * Each feature is a small init function keyed on a data- attribute, run on page load
 * and again after every htmx swap, so boosted navigation behaves like a full load. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  window.mockloop = window.mockloop || {};
  window.mockloop.csrfToken = csrfToken;

  /* CSRF: every htmx request carries the token in a header. */
  document.addEventListener("htmx:config:request", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    if (ctx && ctx.request && ctx.request.headers) {
      ctx.request.headers["X-CSRFToken"] = csrfToken();
    }
  });

  /* A fresh CSRF token: the meta tag and every form on the page. */
  function setCsrfToken(value) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) meta.setAttribute("content", value);
    document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
      input.value = value;
    });
  }
  window.mockloop.setCsrfToken = setCsrfToken;

  /* The page's token went stale (the user signed in again in another tab): the server
   * answers an htmx request with 400 and a fresh token in X-CSRF-Token. Take it and send
   * the same request once more (the form's values are read again, so nothing typed is
   * lost) instead of swapping the error in. A second refusal within 10 s is shown. */
  var csrfRetried = new WeakMap();
  document.addEventListener("htmx:before:response", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    var response = ctx && ctx.response;
    var fresh = response && response.status === 400 && response.headers &&
      response.headers.get("X-CSRF-Token");
    if (!fresh || !ctx.sourceElement || !window.htmx) return;
    var last = csrfRetried.get(ctx.sourceElement);
    if (last && Date.now() - last < 10000) return;
    csrfRetried.set(ctx.sourceElement, Date.now());
    setCsrfToken(fresh);
    evt.preventDefault();
    window.htmx.ajax(ctx.request.method, ctx.request.action, {
      source: ctx.sourceElement,
      event: ctx.sourceEvent,
      target: ctx.target,
      swap: ctx.swap
    });
  });


  /* Feature initialisers register here: mockloop.features.push(function (root) {...}). */
  var features = (window.mockloop.features = window.mockloop.features || []);

  /* A page script registers its initialisers once: mockloop.define("round", [fn, ...]).
   * Boosted navigation swaps the body in, and htmx re-creates its <script> elements, so
   * a page script can arrive after the page has loaded (then it runs its features on the
   * document at once) or a second time (then it does nothing). */
  var defined = {};
  window.mockloop.define = function (name, inits) {
    if (defined[name]) return false;
    defined[name] = true;
    inits.forEach(function (init) { features.push(init); });
    if (document.readyState === "complete") {
      inits.forEach(function (init) {
        try { init(document); } catch (err) { if (window.console) console.error("mockloop init failed", err); }
      });
    }
    return true;
  };

  function initAll(root) {
    features.forEach(function (init) {
      try {
        init(root || document);
      } catch (err) {
        if (window.console) console.error("mockloop init failed", err);
      }
    });
  }
  window.mockloop.initAll = initAll;

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:after:swap", function (evt) {
    initAll((evt.detail && evt.detail.ctx && evt.detail.ctx.target) || document);
  });

  /* A boosted swap brings the round page's scripts a moment after its markup: while
   * JavaScript is on, a code textarea the editor will replace stays hidden (app.css,
   * .js-on) until round.js binds it, so nobody types into a field about to move. If the
   * editor bundle cannot load, round.js binds the plain field instead. */
  document.documentElement.classList.add("js-on");
  document.addEventListener("error", function (evt) {
    var el = evt.target;
    if (!el || !el.matches || !el.matches("script[data-code-editor-bundle]")) return;
    el.removeAttribute("data-code-editor-bundle");
    initAll(document);
  }, true);

  /* Issue 18: a page that comes back with validation errors scrolls to the first field
   * marked aria-invalid and focuses it (its message is beside it, in aria-describedby). */
  features.push(function (root) {
    var first = root.querySelector && root.querySelector("[aria-invalid='true']");
    if (!first || first.dataset.errorFocused) return;
    first.dataset.errorFocused = "1";
    first.scrollIntoView({ block: "center" });
    first.focus({ preventScroll: true });
  });

  /* Issue 18: fields for one answer kind (the editor's "Code language") show only while
   * that kind is chosen; without JavaScript they all stay, and the server checks them. */
  features.push(function (root) {
    root.querySelectorAll("[data-for-kind]").forEach(function (box) {
      var form = box.closest("form");
      var select = form && form.querySelector("select[name='answer_kind']");
      if (!select || box.dataset.kindBound) return;
      box.dataset.kindBound = "1";
      function update() {
        var invalid = box.querySelector("[aria-invalid='true']");
        box.hidden = !invalid && select.value !== box.getAttribute("data-for-kind");
      }
      select.addEventListener("change", update);
      update();
    });
  });

  /* Forms with data-confirm ask before submitting (no inline handlers allowed by CSP). */
  features.push(function (root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.confirmBound) return;
      form.dataset.confirmBound = "1";
      form.addEventListener("submit", function (evt) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          evt.preventDefault();
          evt.stopImmediatePropagation();
        }
      }, true);
    });
  });
})();
