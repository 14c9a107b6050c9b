/* Self-scoring and report pages (the feedback area): the report's Print button. The
 * scoring page's autosave is htmx (data-hx-*), with the CSRF retry of core.js. */
(function () {
  "use strict";
  /* Report pages: a Print button, shown only when JavaScript can print. */
  window.mockloop.define("scoring", [function (root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      if (button.dataset.printBound) return;
      button.dataset.printBound = "1";
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }]);
})();
