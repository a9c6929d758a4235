// embed.html in another page's iframe: tells the host page how tall it is, in the messages
// NPR's Pym.js uses ("pym" xPYMx id xPYMx "height" xPYMx pixels), so a page using pym.Parent,
// or the few lines in the README, sizes the iframe to fit. The id is the iframe's `childId`
// parameter, as pym.Parent sets it.
(function () {
  "use strict";
  if (window.parent === window) return;
  var DELIMITER = "xPYMx";
  var id = new URLSearchParams(location.search).get("childId") || "dateline";
  var sent = -1;

  function sendHeight(always) {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === sent && !always) return;
    sent = height;
    window.parent.postMessage(["pym", id, "height", String(height)].join(DELIMITER), "*");
  }

  // the host asks again when its width changes ("width" messages)
  window.addEventListener("message", function (e) {
    if (typeof e.data === "string" && e.data.indexOf(["pym", id, "width", ""].join(DELIMITER)) === 0) sendHeight(true);
  });
  if (window.ResizeObserver) new ResizeObserver(function () { sendHeight(false); }).observe(document.body);
  window.addEventListener("resize", function () { sendHeight(false); });
  window.addEventListener("load", function () { sendHeight(true); });
  sendHeight(true);
})();
