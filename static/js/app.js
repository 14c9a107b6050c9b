/* mockloop page behaviour. All page JavaScript lives here (CSP forbids inline script).
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

  /* Feature initialisers register here: mockloop.features.push(function (root) {...}). */
  var features = (window.mockloop.features = window.mockloop.features || []);

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
