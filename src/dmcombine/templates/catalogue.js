// Client-side search and filters of the results catalogue: no library, nothing fetched.
(function () {
  "use strict";
  var search = document.getElementById("search");
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("#results tbody tr"));
  var count = document.getElementById("count");
  function apply() {
    var words = search.value.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-text");
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      selects.forEach(function (select) {
        if (select.value && row.getAttribute("data-" + select.getAttribute("data-filter")) !== select.value) { ok = false; }
      });
      row.classList.toggle("hidden", !ok);
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " results";
  }
  search.addEventListener("input", apply);
  selects.forEach(function (select) { select.addEventListener("change", apply); });
  apply();
}());
