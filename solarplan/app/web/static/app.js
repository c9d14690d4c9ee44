// solarplan serve: progress polling. No inline script anywhere; text is set with textContent only.
"use strict";
(function () {
  function show(id, on) {
    var el = document.getElementById(id);
    if (el) { el.hidden = !on; }
  }
  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value == null ? "" : String(value); }
  }
  function poll(box) {
    var url = box.getAttribute("data-status-url");
    var done = box.getAttribute("data-results-url");
    var bar = document.getElementById("bar");
    function tick() {
      fetch(url, {credentials: "same-origin", cache: "no-store"}).then(function (r) {
        return r.json();
      }).then(function (s) {
        if (bar) { bar.value = s.fraction || 0; }
        text("stage", s.stage_label || "");
        text("percent", Math.round((s.fraction || 0) * 100) + "%");
        text("message", s.message || "");
        show("state-queued", s.state === "queued");
        show("state-cancelled", s.state === "cancelled");
        show("state-failed", s.state === "failed");
        text("error", s.error || "");
        show("cancel-form", s.state === "queued" || s.state === "running");
        if (s.state === "done") {
          show("results-link", true);
          window.location.assign(done);
          return;
        }
        if (s.state === "queued" || s.state === "running") { window.setTimeout(tick, 1000); }
      }).catch(function () { window.setTimeout(tick, 3000); });
    }
    tick();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("job-status");
    if (box) { poll(box); }
    var demo = document.getElementById("use_demo");
    var file = document.getElementById("buildings");
    if (demo && file) {
      var sync = function () { file.disabled = demo.checked; };
      demo.addEventListener("change", sync);
      sync();
    }
  });
})();
