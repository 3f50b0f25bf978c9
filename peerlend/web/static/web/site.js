/* The pages' few behaviours, kept out of the HTML so that the Content-Security-Policy can refuse
   every inline script and style attribute (script-src 'self'; style-src 'self'). */
(function () {
  "use strict";

  // <select data-autosubmit>: submit its form on change (the language switch).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });

  // <form data-confirm="question">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);

  // <div class="progress-bar" data-progress="42">: widths set through the CSSOM, which the CSP allows.
  function sizeProgressBars(root) {
    var bars = (root.querySelectorAll ? root : document).querySelectorAll("[data-progress]");
    for (var i = 0; i < bars.length; i++) {
      var pct = Math.max(0, Math.min(100, parseFloat(bars[i].getAttribute("data-progress")) || 0));
      bars[i].style.width = pct + "%";
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { sizeProgressBars(document); });
  } else {
    sizeProgressBars(document);
  }
  // htmx swaps in new rows (the marketplace filter): size their bars too.
  document.addEventListener("htmx:load", function (event) { sizeProgressBars(event.target); });

  // The navigation's <details class="nav-more"> group opens without JavaScript; with it, a click elsewhere
  // or Escape closes it, as a dropdown menu would.
  function closeMenus(except) {
    var open = document.querySelectorAll("details.nav-more[open]");
    for (var i = 0; i < open.length; i++) {
      if (open[i] !== except) { open[i].removeAttribute("open"); }
    }
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest ? event.target.closest("details.nav-more") : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeMenus(null); }
  });

  // <div data-swap-errors>: a 400 answer carries the reason to show in place (the quote box).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.closest && target.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
