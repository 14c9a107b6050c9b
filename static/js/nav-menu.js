/* The phone Menu (issue 18): base.html's <details class="nav-menu"> opens and closes
 * without script; this adds what a menu button is expected to do: Escape closes it and
 * puts focus back on its <summary>, and focus or a click leaving it closes it.
 * Listeners sit on the document, so a boosted navigation (a new body) needs nothing. */
(function () {
  "use strict";

  function openMenu() {
    return document.querySelector("details.nav-menu[open]");
  }

  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") return;
    var menu = openMenu();
    if (!menu) return;
    menu.open = false;
    var summary = menu.querySelector("summary");
    if (summary) summary.focus();
  });

  document.addEventListener("focusin", function (evt) {
    var menu = openMenu();
    if (menu && !menu.contains(evt.target)) menu.open = false;
  });

  document.addEventListener("click", function (evt) {
    var menu = openMenu();
    if (menu && !menu.contains(evt.target)) menu.open = false;
  });
})();
