// Reading aids for the timeline page: key/all events, a source and a tag filter and a text
// search, kept in the page's address (?view=key&source=...&tag=...&q=...) so that a view can be
// shared. The page is complete without this script; it only hides entries.
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
  var KEYS = ["view", "source", "tag", "q"];
  form.hidden = false;

  function field(name) { return form.elements[name] || null; }

  function value(name) {
    if (name === "view") {
      var checked = form.querySelector("input[name=view]:checked");
      return checked ? checked.value : "all";
    }
    return field(name) ? field(name).value : "";
  }

  function tagsOf(entry) {
    return Array.prototype.map.call(entry.querySelectorAll(".tags [data-tag]"), function (a) {
      return a.getAttribute("data-tag");
    });
  }

  // The address keeps what differs from the page as it opens; other parameters (an embedding
  // page's) are left as they are.
  function remember() {
    if (!window.history || !history.replaceState) return;
    var url = new URL(location.href);
    KEYS.forEach(function (name) {
      var v = value(name);
      if (v && !(name === "view" && v === "all")) url.searchParams.set(name, v);
      else url.searchParams.delete(name);
    });
    if (url.href !== location.href) {
      try { history.replaceState(null, "", url.href); } catch (err) { /* a file: page may refuse */ }
    }
  }

  function restore() {
    var params = new URLSearchParams(location.search);
    KEYS.forEach(function (name) {
      var v = params.get(name);
      if (v === null) return;
      if (name === "view") {
        var radio = form.querySelector("input[name=view][value='" + (v === "key" ? "key" : "all") + "']");
        if (radio) radio.checked = true;
      } else if (field(name)) {
        var f = field(name);
        if (f.tagName === "SELECT" && !Array.prototype.some.call(f.options, function (o) { return o.value === v; })) return;
        f.value = v;
      }
    });
  }

  function apply() {
    var view = value("view"), source = value("source"), tag = value("tag");
    var words = value("q").toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    entries.forEach(function (entry) {
      var text = entry.textContent.toLowerCase();
      var ok = (view === "all" || entry.classList.contains("key")) &&
               (!source || entry.getAttribute("data-sources").split("|").indexOf(source) >= 0) &&
               (!tag || tagsOf(entry).indexOf(tag) >= 0) &&
               words.every(function (w) { return text.indexOf(w) >= 0; });
      entry.hidden = !ok;
      if (ok) shown += 1;
    });
    document.querySelectorAll(".month, .year, details.background").forEach(function (group) {
      group.hidden = !group.querySelector(".entry:not([hidden])");
    });
    // background that matches a filter is unfolded to be seen, and folded again after
    var filtering = Boolean(source || tag || words.length);
    document.querySelectorAll("details.background").forEach(function (d) {
      if (filtering && !d.hidden && !d.open) {
        d.open = true;
        d.setAttribute("data-opened-by", "filter");
      } else if (!filtering && d.getAttribute("data-opened-by")) {
        d.open = false;
        d.removeAttribute("data-opened-by");
      }
    });
    count.textContent = shown + " of " + entries.length + " " + (count.getAttribute("data-noun") || "entries");
  }

  function changed() { apply(); remember(); }

  // a tag on an entry filters by that tag, here rather than by loading the page again
  document.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a.tag") : null;
    if (!link || !field("tag")) return;
    e.preventDefault();
    field("tag").value = link.getAttribute("data-tag");
    changed();
    form.scrollIntoView({block: "nearest"});
  });
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  restore();
  apply();
})();
