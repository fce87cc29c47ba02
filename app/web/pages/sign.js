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
