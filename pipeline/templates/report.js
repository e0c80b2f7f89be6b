// Sortable tables (click a header) and graph highlighting; no dependencies, no network.
(function () {
  function key(cell) {
    var v = cell.getAttribute("data-sort");
    if (v === null) v = cell.textContent.trim();
    var n = Number(v);
    return v !== "" && !isNaN(n) ? n : v.toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, col) {
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("asc");
        table.querySelectorAll("thead th").forEach(function (h) { h.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          if (x === "" && y !== "") return 1;
          if (y === "" && x !== "") return -1;
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  document.querySelectorAll("svg.graph").forEach(function (svg) {
    svg.querySelectorAll(".node").forEach(function (node) {
      var id = node.getAttribute("data-entity-id");
      node.addEventListener("mouseenter", function () {
        svg.classList.add("focus");
        node.classList.add("on");
        svg.querySelectorAll(".edge").forEach(function (e) {
          var a = e.getAttribute("data-a"), b = e.getAttribute("data-b");
          if (a === id || b === id) {
            e.classList.add("on");
            var other = svg.querySelector('.node[data-entity-id="' + (a === id ? b : a) + '"]');
            if (other) other.classList.add("on");
          }
        });
      });
      node.addEventListener("mouseleave", function () {
        svg.classList.remove("focus");
        svg.querySelectorAll(".on").forEach(function (e) { e.classList.remove("on"); });
      });
    });
  });
})();
