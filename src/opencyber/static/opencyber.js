/* Open Cyber page script: binds each map feature's tooltip (properties.tooltip, a list of lines)
   as a Leaflet tooltip, written as text (never as HTML). jupyter-leaflet sets window.L to its
   Leaflet when it loads; the hook is installed when that module loads,
   before the widget manager draws any map. */
(function () {
  "use strict";
  // Geometries drawn by several map layers are carried once in the page (#oc-geometries); put them
  // back into the widget state before the widget manager reads it. This listener is registered
  // before the one that loads the widget manager (this script comes first in <head>).
  function restoreSharedGeometries() {
    var store = document.getElementById("oc-geometries");
    var stateScript = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
    if (!store || !stateScript) { return; }
    var geometries = JSON.parse(store.textContent);
    var state = JSON.parse(stateScript.textContent);
    Object.keys(state.state || {}).forEach(function (id) {
      var model = state.state[id];
      var data = model.model_name === "LeafletGeoJSONModel" && model.state && model.state.data;
      ((data && data.features) || []).forEach(function (f) {
        if (f.geometry && f.geometry.type === "OcGeometryRef") { f.geometry = geometries[f.geometry.ref]; }
      });
    });
    stateScript.textContent = JSON.stringify(state);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restoreSharedGeometries);
  } else {
    restoreSharedGeometries();
  }
  function textNode(lines) {
    var el = document.createElement("div");
    el.className = "oc-tooltip";
    (Array.isArray(lines) ? lines : [lines]).forEach(function (line, i) {
      if (i) { el.appendChild(document.createElement("br")); }
      el.appendChild(document.createTextNode(String(line)));
    });
    return el;
  }
  function bind(layer) {
    var p = layer.feature && layer.feature.properties;
    if (p && p.tooltip && !layer.getTooltip()) {
      layer.bindTooltip(textNode(p.tooltip), { sticky: true, direction: "top" });
    }
  }
  function install(L) {
    if (!L || !L.GeoJSON || L.GeoJSON.__ocTooltips) { return; }
    L.GeoJSON.__ocTooltips = true;
    L.GeoJSON.addInitHook(function () {
      this.eachLayer(bind);
      this.on("layeradd", function (e) { bind(e.layer); });
    });
  }
  // Install when require.js has run jupyter-leaflet's factory (which sets window.L), before the
  // widget manager, which depends on it, creates any map.
  if (window.requirejs) {
    var previous = window.requirejs.onResourceLoad;
    window.requirejs.onResourceLoad = function (context, map, deps) {
      if (map && map.name === "jupyter-leaflet") { install(window.L); }
      if (previous) { previous.apply(this, arguments); }
    };
  }
})();

/* Sortable tables: each column heading of a table.oc-table becomes a button that sorts the rows
   (numbers as numbers), with aria-sort on the heading. Without JavaScript the table reads as is. */
(function () {
  "use strict";
  function cellValue(row, i) {
    var text = row.cells[i] ? row.cells[i].textContent.trim() : "";
    var n = parseFloat(text.replace(/[,%]/g, ""));
    return { text: text, num: text !== "" && !isNaN(n) && /^[-+]?[\d.,]+%?$/.test(text) ? n : null };
  }
  function sortBy(table, index, th) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index), r;
      if (x.num !== null && y.num !== null) { r = x.num - y.num; } else { r = x.text.localeCompare(y.text); }
      return ascending ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  function enhance() {
    Array.prototype.forEach.call(document.querySelectorAll("table.oc-table"), function (table) {
      if (!table.tHead || !table.tHead.rows.length || table.dataset.ocSortable) { return; }
      table.dataset.ocSortable = "1";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "oc-sort";
        while (th.firstChild) { button.appendChild(th.firstChild); }
        th.appendChild(button);
        th.setAttribute("scope", "col");
        button.addEventListener("click", function () { sortBy(table, index, th); });
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", enhance); } else { enhance(); }
})();
