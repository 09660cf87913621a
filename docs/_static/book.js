/* The book's own small script.

   The "Dark mode" button: a toggle with a fixed label; aria-pressed says
   whether dark colours are on. The choice is kept in localStorage under the
   same keys the theme reads ("mode" and "theme"). */
(function () {
  "use strict";
  var root = document.documentElement;

  function isDark() {
    return root.dataset.theme === "dark";
  }

  function show() {
    document.querySelectorAll(".book-theme-toggle").forEach(function (button) {
      button.setAttribute("aria-pressed", isDark() ? "true" : "false");
    });
  }

  function toggle() {
    var mode = isDark() ? "light" : "dark";
    root.dataset.mode = mode;
    root.dataset.theme = mode;
    try {
      localStorage.setItem("mode", mode);
      localStorage.setItem("theme", mode);
    } catch (e) {
      /* Storage may be off; the choice then lasts for this page only. */
    }
    show();
  }

  /* "Close" buttons in the menu and "On this page" panels on phones. */
  function closeDialog(event) {
    var dialog = event.currentTarget.closest("dialog");
    if (dialog) dialog.close();
  }

  function start() {
    document.querySelectorAll(".book-close-dialog").forEach(function (button) {
      button.addEventListener("click", closeDialog);
    });
    document.querySelectorAll(".book-theme-toggle").forEach(function (button) {
      button.addEventListener("click", toggle);
    });
    show();
    /* The theme may follow the system setting; keep the button in step. */
    new MutationObserver(show).observe(root, { attributes: true, attributeFilter: ["data-theme"] });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
