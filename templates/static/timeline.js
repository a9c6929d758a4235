// Reading aids for the timeline page: key/all events, a source filter and a text search.
// The page is complete without this script; it only hides entries.
(function () {
  "use strict";
  // Review builds (--review) show ids with copy buttons, for pasting into overrides.yaml.
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("button.copy") : null;
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      button.textContent = "Copied";
      var label = button.textContent;
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });
  var form = document.querySelector(".controls");
  if (!form) return;
  var entries = Array.prototype.slice.call(document.querySelectorAll(".entry"));
  var count = form.querySelector(".count");
  form.hidden = false;

  function apply() {
    var view = form.querySelector("input[name=view]:checked").value;
    var source = form.elements.source.value;
    var words = form.elements.q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    entries.forEach(function (entry) {
      var text = entry.textContent.toLowerCase();
      var ok = (view === "all" || entry.classList.contains("key")) &&
               (!source || entry.getAttribute("data-sources").split("|").indexOf(source) >= 0) &&
               words.every(function (w) { return text.indexOf(w) >= 0; });
      entry.hidden = !ok;
      if (ok) shown += 1;
    });
    document.querySelectorAll(".month, .year").forEach(function (group) {
      group.hidden = !group.querySelector(".entry:not([hidden])");
    });
    count.textContent = shown + " of " + entries.length + " entries";
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  apply();
})();
