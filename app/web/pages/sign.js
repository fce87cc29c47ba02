// The signing page: once the form no longer says what was previewed, the preview says so instead of vouching
// for the old line. (The Sign button checks with the rules again either way.)
(function () {
  "use strict";
  var preview = document.querySelector(".preview[data-name]");
  var form = document.querySelector(".sign-form");
  var stale = document.getElementById("stale");
  if (!preview || !form || !stale) { return; }
  var accepted = preview.querySelector(".accepted");
  var title = document.getElementById("preview-title");
  var fresh = title ? title.textContent : "";

  function typed(name) {
    var field = form.elements.namedItem(name);
    return field && field.value !== undefined ? field.value.trim() : "";
  }

  function check() {
    var changed = typed("name") !== (preview.getAttribute("data-name") || "").trim() ||
      typed("affiliation") !== (preview.getAttribute("data-affiliation") || "").trim();
    preview.classList.toggle("stale", changed);
    stale.hidden = !changed;
    if (accepted) { accepted.hidden = changed; }
    if (title) { title.textContent = changed ? title.getAttribute("data-stale") : fresh; }
  }

  form.addEventListener("input", check);
})();

// The list of who signed: a search box that hides the names that do not match (no request: the list is here).
(function () {
  "use strict";
  var box = document.getElementById("signers-search");
  var list = document.getElementById("signers-list");
  var shown = document.getElementById("signers-shown");
  if (!box || !list) { return; }
  var items = Array.prototype.slice.call(list.children);
  var texts = items.map(function (li) { return li.textContent.toLowerCase(); });
  box.addEventListener("input", function () {
    var wanted = box.value.trim().toLowerCase();
    var count = 0;
    for (var i = 0; i < items.length; i++) {
      var hit = !wanted || texts[i].indexOf(wanted) !== -1;
      items[i].hidden = !hit;
      if (hit) { count++; }
    }
    if (shown) { shown.textContent = wanted ? count + " of " + items.length + " shown" : ""; }
  });
})();
