// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Ask before actions marked with data-confirm (forms and links).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
  document.addEventListener("change", function (event) {
    var name = event.target.getAttribute("data-check-all");
    if (!name) { return; }
    document.querySelectorAll("input[name='" + name + "']:not(:disabled)").forEach(function (box) {
      box.checked = event.target.checked;
    });
  });
  // Guard against double submission on slow mobile networks.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var buttons = event.target.querySelectorAll("button[type=submit]");
    window.setTimeout(function () {
      buttons.forEach(function (button) {
        if (!button.disabled) { button.disabled = true; button.setAttribute("data-submitting", "1"); }
      });
    }, 0);
  });
  // Coming back with the browser's Back button: re-enable only the buttons disabled above.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[data-submitting]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("data-submitting");
    });
  });
})();
