/* The book's own small script.

   The "Dark mode" button: a toggle with a fixed label; aria-pressed says
   whether dark colours are on. The choice is kept in localStorage under the
   same keys the theme reads ("mode" and "theme").

   The "Menu" and "On this page" panels: when one closes (Escape, its Close
   button or a click beside it), the keyboard focus goes back to the button
   that opened it. The theme means to do this, but sphinx-book-theme's script
   takes the focus off those buttons as they are clicked (to hide tooltips
   the book does not have), so the focus would fall to the top of the page.

   Offline (calcinosis_guide.offline): registers the book's service worker
   once the page has loaded, so it never delays the first paint, for the
   book's folder only; and on a page the worker served from its saved copy,
   shows the notice saying so, with the date the copy was saved. */
(function () {
  "use strict";
  var root = document.documentElement;
  var OPENERS = ".primary-toggle, .secondary-toggle, .search-button__button";
  var opener = null;

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

  /* Seen before any other handler, so before the focus is taken away. */
  function rememberOpener(event) {
    var button = event.target.closest && event.target.closest(OPENERS);
    if (button) opener = button;
  }

  function focusOpener() {
    if (opener && opener.isConnected && opener.getClientRects().length) opener.focus();
    opener = null;
  }

  function start() {
    document.querySelectorAll(".book-close-dialog").forEach(function (button) {
      button.addEventListener("click", closeDialog);
    });
    document.querySelectorAll("dialog").forEach(function (dialog) {
      /* A panel that scrolls would take a Tab stop of its own in Chromium;
         its links and buttons are the stops. */
      dialog.tabIndex = -1;
      dialog.addEventListener("close", focusOpener);
    });
    document.querySelectorAll(".book-theme-toggle").forEach(function (button) {
      button.addEventListener("click", toggle);
    });
    show();
    /* The theme may follow the system setting; keep the button in step. */
    new MutationObserver(show).observe(root, { attributes: true, attributeFilter: ["data-theme"] });
  }

  function offline() {
    var notice = document.querySelector(".book-offline-notice");
    if (!notice) return;
    var savedOn = root.dataset.bookSavedOn;
    if (savedOn !== undefined) {
      var date = new Date(savedOn);
      var written = isNaN(date) ? "" : new Intl.DateTimeFormat(notice.dataset.dateLocale,
        { day: "numeric", month: "long", year: "numeric" }).format(date);
      notice.textContent = notice.dataset.template.replace("{date}", written);
      notice.hidden = false;
    }
    if (!("serviceWorker" in navigator)) return;
    function register() {
      var scope = new URL(root.dataset.content_root || "./", location.href).href;
      navigator.serviceWorker.register(notice.dataset.worker, { scope: scope }).catch(function () {
        /* No offline copy (private browsing, storage off): the book works as before. */
      });
    }
    // This script itself may only come once the page has loaded.
    if (document.readyState === "complete") register();
    else window.addEventListener("load", register);
  }

  window.addEventListener("click", rememberOpener, true);
  offline();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
