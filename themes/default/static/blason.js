// Blason default theme: progressive enhancements only. Every page works
// without this script; it adds the catalogue search filter on the home page
// and the copy button of embed snippets. No value is ever inserted as HTML.
(function () {
  "use strict";

  // fold lower-cases and strips accents, so that "eleve" finds "élève".
  function fold(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function search(form) {
    var input = form.querySelector("input[type=search]");
    var status = form.querySelector("[role=status]");
    var items = Array.prototype.slice.call(document.querySelectorAll(".badge-list li[data-url]"));
    var sections = Array.prototype.slice.call(document.querySelectorAll("section.catalogue"));
    var text = {}; // page URL → searchable text
    fetch(form.getAttribute("data-index"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (idx) {
        (idx.badges || []).forEach(function (b) {
          text[b.url] = fold([b.name, b.description, b.spaceName, (b.tags || []).join(" "), (b.levels || []).join(" ")].join(" "));
        });
        form.hidden = false;
        input.addEventListener("input", apply);
        // Enter submits the form: the page reloads with ?q=…, read back here
        // (a shared link to a search works the same way).
        var q = window.URLSearchParams ? new URLSearchParams(window.location.search).get("q") : null;
        if (q && !input.value) { input.value = q; }
        if (input.value) { apply(); }
      })
      .catch(function () { /* no index: the plain lists stay */ });

    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (li) {
        var hay = text[li.getAttribute("data-url")] || fold(li.textContent);
        var ok = words.every(function (w) { return hay.indexOf(w) >= 0; });
        li.hidden = !ok;
        if (ok) { shown++; }
      });
      sections.forEach(function (s) {
        s.hidden = !s.querySelector(".badge-list li:not([hidden])");
      });
      if (!words.length) { status.textContent = ""; return; }
      var msg = shown === 0 ? status.getAttribute("data-none") : shown === 1 ? status.getAttribute("data-single") : status.getAttribute("data-some");
      status.textContent = msg.replace("{n}", String(shown));
    }
  }

  function copy(button) {
    var area = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[role=status]");
    if (!area) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { status.textContent = button.getAttribute("data-done"); };
      var fallback = function () {
        area.focus();
        area.select();
        try { if (document.execCommand("copy")) { done(); } } catch (e) { /* left selected for the user */ }
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(area.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  }

  function start() {
    var form = document.querySelector("form.search[data-index]");
    if (form && window.fetch) { search(form); }
    Array.prototype.forEach.call(document.querySelectorAll("button.copy[data-copy]"), copy);
    // The print button of award pages (printed as a certificate).
    Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
