/* Open Cyber page script: binds each map feature's tooltip (properties.tooltip, a list of lines)
   as a Leaflet tooltip, written as text (never as HTML). jupyter-leaflet sets window.L to its
   Leaflet when it loads; the hook is installed when that module loads,
   before the widget manager draws any map. */
(function () {
  "use strict";
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
