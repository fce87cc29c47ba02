// The status page's figures, refreshed in place (no reload: focus and scroll stay where they are), with a
// button to pause the updates (WCAG 2.2.2). Without script the page is simply static.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch || !window.DOMParser) { return; }
  var seconds = Number(live.getAttribute("data-refresh")) || 10;
  var paused = false;

  var bar = document.createElement("p");
  bar.className = "live-bar";
  var said = document.createElement("span");
  said.className = "muted";
  var button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.textContent = "Pause updates";
  bar.appendChild(said);
  bar.appendChild(button);
  live.parentNode.insertBefore(bar, live);

  function say(when) {
    said.textContent = paused ? "Updates are paused." :
      "The figures update every " + seconds + " s" + (when ? " (last at " + when + ")." : ".");
  }

  button.addEventListener("click", function () {
    paused = !paused;
    button.textContent = paused ? "Resume updates" : "Pause updates";
    say();
  });

  // Where an element sits under `live` (child indexes), to find its successor after an update.
  function place(node) {
    var out = [];
    while (node && node !== live) {
      out.unshift(Array.prototype.indexOf.call(node.parentNode.children, node));
      node = node.parentNode;
    }
    return node === live ? out : null;
  }

  function find(where) {
    var node = live;
    for (var i = 0; node && i < where.length; i++) { node = node.children[where[i]]; }
    return node;
  }

  function update(fresh) {
    var focused = document.activeElement;
    var where = focused && live.contains(focused) ? place(focused) : null;
    var old = Array.prototype.slice.call(live.children);
    var now = Array.prototype.slice.call(fresh.children);
    if (old.length !== now.length) {
      live.replaceChildren.apply(live, now.map(function (n) { return document.importNode(n, true); }));
    } else {
      for (var i = 0; i < old.length; i++) {
        if (old[i].outerHTML !== now[i].outerHTML) { old[i].replaceWith(document.importNode(now[i], true)); }
      }
    }
    if (where && !live.contains(focused)) {
      var again = find(where);
      if (again && again.focus) { again.focus({ preventScroll: true }); }
    }
  }

  function tick() {
    if (paused || document.hidden) { setTimeout(tick, seconds * 1000); return; }
    fetch(window.location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok && !r.redirected ? r.text() : null; })
      .then(function (text) {
        var fresh = text && new DOMParser().parseFromString(text, "text/html").getElementById("live");
        if (fresh && !paused) {
          update(fresh);
          say(new Date().toLocaleTimeString());
        }
      })
      .catch(function () { /* the service is restarting, say: try again at the next tick */ })
      .then(function () { setTimeout(tick, seconds * 1000); });
  }

  say();
  setTimeout(tick, seconds * 1000);
})();
