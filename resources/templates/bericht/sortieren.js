// Sort a table by a column: click the column head again to reverse. Numbers sort as numbers (data-v).
// Each head becomes a <button> (Tab reaches it, Enter or Space presses it); aria-sort tells screen readers the order.
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.querySelectorAll("thead th");
  heads.forEach(function (th, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column], y = b.cells[column];
        var nx = parseFloat(x.getAttribute("data-v")), ny = parseFloat(y.getAttribute("data-v"));
        var order;
        if (!isNaN(nx) || !isNaN(ny)) {
          order = isNaN(nx) ? (isNaN(ny) ? 0 : 1) : (isNaN(ny) ? -1 : nx - ny);
        } else {
          order = x.textContent.localeCompare(y.textContent, document.documentElement.lang, {numeric: true});
        }
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
