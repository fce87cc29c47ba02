// Live progress of a signature's pull request: polls the status JSON and updates the steps in place.
(function () {
  "use strict";
  var steps = document.getElementById("steps");
  if (!steps) { return; }
  var url = steps.getAttribute("data-status");

  function set(id, state, mark, build) {
    var li = document.getElementById(id);
    li.className = state;
    li.querySelector(".mark").textContent = mark;
    var text = li.querySelector(".text");
    text.textContent = "";
    build(text);
  }

  function render(p) {
    if (p.checked === "success") {
      set("step-checked", "done", "✓", function (t) { t.textContent = "Checked: " + (p.title || "valid"); });
    } else if (p.checked) {
      set("step-checked", "failed", "✗", function (t) {
        t.textContent = "Checked: " + (p.title || "needs changes") + ". See the pull request for what to change.";
      });
    }
    if (p.landed) {
      document.getElementById("heading").textContent = p.heading;
      document.title = p.heading + " · undersigned";
      set("step-landed", "done", "✓", function (t) {
        t.appendChild(document.createTextNode(p.landed_text));
        var a = document.createElement("a");
        a.href = p.commit_url || p.pr_url;
        a.textContent = "commit ";
        var code = document.createElement("code");
        code.textContent = p.landed.slice(0, 7);
        a.appendChild(code);
        t.appendChild(a);
      });
    } else if (p.state === "closed") {
      set("step-landed", "failed", "✗", function (t) { t.textContent = "Closed without landing"; });
    }
    return Boolean(p.landed) || p.state === "closed";
  }

  var started = Date.now();

  function later() {
    // Quick while a landing is likely (seconds), then gently.
    setTimeout(poll, Date.now() - started < 30000 ? 500 : 2000);
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) { if (!p || !render(p)) { later(); } })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
