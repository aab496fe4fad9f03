/* Open Cyber page script. First: mark that JavaScript runs (the CSS then collapses the navigation
   into a menu on a small screen; without JavaScript it stays open), and the menu button. */
(function () {
  "use strict";
  document.documentElement.classList.add("oc-js");
  function menu() {
    var button = document.querySelector(".oc-menu-button"), nav = document.getElementById("oc-nav");
    if (!button || !nav) { return; }
    button.hidden = false;  // shown on a small screen only (site.css)
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("oc-nav-open", open);
    });
    // an edition's menu: one open at a time; closed by a click elsewhere or Escape (back to its name)
    var menus = nav.querySelectorAll("details");
    Array.prototype.forEach.call(menus, function (d) {
      d.addEventListener("toggle", function () {
        if (d.open) { Array.prototype.forEach.call(menus, function (o) { if (o !== d) { o.open = false; } }); }
      });
    });
    document.addEventListener("click", function (e) {
      Array.prototype.forEach.call(menus, function (d) { if (d.open && !d.contains(e.target)) { d.open = false; } });
    });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") { return; }
      Array.prototype.forEach.call(menus, function (d) {
        if (d.open) { d.open = false; if (d.contains(document.activeElement)) { d.querySelector("summary").focus(); } }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", menu); } else { menu(); }
})();

/* Open Cyber page script: binds each map feature's tooltip (properties.tooltip, a list of lines)
   as a Leaflet tooltip, written as text (never as HTML). jupyter-leaflet sets window.L to its
   Leaflet when it loads; the hook is installed when that module loads,
   before the widget manager draws any map. */
(function () {
  "use strict";
  // Geometries drawn by several map layers are carried once in the page (#oc-geometries), and lines
  // and polygons are written as the differences between successive points ("OcDelta", see
  // opencyber.site.geometry.delta_geometry); put them back into the widget state, as GeoJSON, before the
  // widget manager reads it. This listener is registered before the widgets' scripts are loaded.
  var RING_DEPTH = { LineString: 0, MultiLineString: 1, Polygon: 1, MultiPolygon: 2 };
  function undelta(g) {
    if (!g || g.type !== "OcDelta") { return g; }
    function decode(d, level) {
      if (level > 0) { return d.map(function (part) { return decode(part, level - 1); }); }
      var ring = [], x = 0, y = 0;
      for (var i = 0; i < d.length; i += 2) { x += d[i]; y += d[i + 1]; ring.push([x / g.scale, y / g.scale]); }
      return ring;
    }
    return { type: g.of, coordinates: decode(g.d, RING_DEPTH[g.of]) };
  }
  function restore(state, geometries) {
    Object.keys(state.state || {}).forEach(function (id) {
      var model = state.state[id];
      var data = model.model_name === "LeafletGeoJSONModel" && model.state && model.state.data;
      ((data && data.features) || []).forEach(function (f) {
        if (f.geometry && f.geometry.type === "OcGeometryRef") { f.geometry = geometries[f.geometry.ref]; }
        f.geometry = undelta(f.geometry);
      });
    });
    return state;
  }
  function restoreSharedGeometries() {
    var store = document.getElementById("oc-geometries");
    var stateScript = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
    if (!stateScript || !stateScript.textContent.trim()) { return; }  // kept apart from the page: see mapState
    var geometries = store ? JSON.parse(store.textContent) : {};
    stateScript.textContent = JSON.stringify(restore(JSON.parse(stateScript.textContent), geometries));
  }
  // A page's maps (their widget state and shared geometries) are kept in their own file
  // (assets/maps/<page>.js, opencyber.site.html.externalise_map_state), loaded with the maps' scripts,
  // before them: it calls this, which puts the state where the widget manager reads it.
  window.OpenCyber = window.OpenCyber || {};
  window.OpenCyber.mapState = function (state, geometries) {
    var stateScript = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
    if (!stateScript) {
      stateScript = document.createElement("script");
      stateScript.type = "application/vnd.jupyter.widget-state+json";
      document.body.appendChild(stateScript);
    }
    stateScript.textContent = JSON.stringify(restore(state, geometries || {}));
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restoreSharedGeometries);
  } else {
    restoreSharedGeometries();
  }
  // The second cue besides colour: a pattern per DSPT status (charts.STATUS_PATTERNS), drawn on the
  // map shapes by site.css (fill: url(#oc-pat-<status>)); the patterns are defined once per page.
  var PATTERNS = {
    exceeded: { fill: "#0B2E4F", ink: "#ffffff", marks: '<path d="M3 0V6"/>' },
    approaching: { fill: "#5AA9A0", ink: "#0b0c0c", marks: '<path d="M0 6L6 0M-1 1L1 -1M5 7L7 5"/>' },
    "not-met": { fill: "#F0A45D", ink: "#0b0c0c", marks: '<path d="M0 0L6 6M6 0L0 6"/>' },
    "not-published": { fill: "#D9DCDE", ink: "#0b0c0c", marks: '<circle cx="3" cy="3" r="0.9"/>' }
  };
  function addPatterns() {
    if (document.getElementById("oc-patterns")) { return; }
    var defs = Object.keys(PATTERNS).map(function (k) {
      var p = PATTERNS[k];
      return '<pattern id="oc-pat-' + k + '" width="6" height="6" patternUnits="userSpaceOnUse">' +
        '<rect width="6" height="6" fill="' + p.fill + '"/><g stroke="' + p.ink + '" fill="' + p.ink +
        '" stroke-width="1.1" opacity="0.5">' + p.marks + "</g></pattern>";
    }).join("");
    var holder = document.createElement("div");
    holder.innerHTML = '<svg id="oc-patterns" width="0" height="0" aria-hidden="true" focusable="false" ' +
      'style="position:absolute;width:0;height:0;overflow:hidden"><defs>' + defs + "</defs></svg>";
    document.body.appendChild(holder.firstChild);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", addPatterns);
  } else {
    addPatterns();
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
      layer.bindTooltip(textNode(p.tooltip), { sticky: true, direction: "auto" });
    }
    // hover highlight: a dark outline while the pointer is on a shape
    if (p && layer.setStyle && !layer.__ocHover && p.style && p.style.className !== "oc-region") {
      layer.__ocHover = true;
      layer.on("mouseover", function () {
        this.__ocStyle = { color: this.options.color, weight: this.options.weight };
        this.setStyle({ color: "#212b32", weight: 3 });
      });
      layer.on("mouseout", function () { if (this.__ocStyle) { this.setStyle(this.__ocStyle); } });
    }
  }
  function areaBounds(map, L) {
    var bounds = null;
    map.eachLayer(function (layer) {
      var p = layer.feature && layer.feature.properties;
      var cls = " " + ((p && p.style && p.style.className) || "") + " ";
      var b = cls.indexOf(" oc-area ") >= 0 && layer.getBounds ? layer.getBounds()
        : cls.indexOf(" oc-trust ") >= 0 && layer.getLatLng ? L.latLngBounds(layer.getLatLng(), layer.getLatLng()) : null;
      if (b) { bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast()); }
    });
    return bounds;
  }
  var skipCount = 0;
  function enhanceMap(map, L) {
    var box = map.getContainer();
    // fit the areas in the box at any width, until the reader moves the map
    var moved = false, timer = null;
    function fit() {
      var b = areaBounds(map, L);
      if (!b || moved) { return; }
      var small = box.clientWidth < 640, right = 0;
      if (!small) {
        box.querySelectorAll(".leaflet-right .leaflet-control").forEach(function (c) { right = Math.max(right, c.offsetWidth); });
      }
      // keep the areas clear of the controls: the zoom buttons on the left, the layers and legends on the right
      map.fitBounds(b, small ? { paddingTopLeft: [40, 8], paddingBottomRight: [8, 8], animate: false }
        : { paddingTopLeft: [48, 12], paddingBottomRight: [right + 16, 12], animate: false });
      box.dataset.ocFitted = "1";
    }
    function later() { clearTimeout(timer); timer = setTimeout(fit, 60); }
    map.on("layeradd", later);
    map.on("dragstart zoomstart", function (e) { if (e && e.hard !== true && box.dataset.ocFitted) { moved = box.dataset.ocUser === "1" || moved; } });
    box.addEventListener("pointerdown", function () { box.dataset.ocUser = "1"; moved = true; });
    box.addEventListener("keydown", function () { moved = true; });
    window.addEventListener("resize", function () { if (!moved) { map.invalidateSize(); later(); } });
    later();
    // one tab stop per map: the map itself, with a name and a focus ring; its shapes are not tab stops
    box.setAttribute("role", "region");
    box.setAttribute("aria-roledescription", "map");
    var heading = null, el = box;
    while (el && !heading) {
      var prev = el.previousElementSibling;
      while (prev && !heading) {
        // the nearest heading before the map: the sibling itself, or the last heading inside it
        var inside = prev.querySelectorAll ? prev.querySelectorAll("h2, h3, h4") : [];
        heading = prev.matches("h2, h3, h4") ? prev : inside.length ? inside[inside.length - 1] : null;
        prev = prev.previousElementSibling;
      }
      el = el.parentElement;
    }
    box.setAttribute("aria-label", (heading ? heading.textContent.replace(/\s*¶\s*$/, "") : "Map") +
      " (interactive map; arrow keys move it, + and − zoom; the same information is in the tables below)");
    function untab() {
      // the zoom buttons are the + and − keys of the focused map; the attribution is also on the page
      Array.prototype.forEach.call(box.querySelectorAll(".leaflet-interactive, .leaflet-marker-icon, .leaflet-control-zoom a, .leaflet-control-attribution a"), function (s) {
        s.setAttribute("tabindex", "-1");
      });
    }
    new MutationObserver(untab).observe(box, { childList: true, subtree: true });
    untab();
    // a link, shown when it has the focus, skips the map to its tables (the first table after it)
    var after = Array.prototype.filter.call(document.querySelectorAll("details, .oc-table-wrap"), function (t) {
      return box.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING;
    })[0];
    if (after && !box.parentNode.querySelector(".oc-skip-map")) {
      skipCount += 1;
      if (!after.id) { after.id = "oc-map-tables-" + skipCount; }
      var skip = document.createElement("a");
      skip.className = "oc-skip-map";
      skip.href = "#" + after.id;
      skip.textContent = "Skip the map: go to its tables";
      box.parentNode.insertBefore(skip, box);
    }
    // on a touch screen a swipe scrolls the page; a tap on the map lets it be moved
    if (L.Browser.touch || (window.matchMedia && window.matchMedia("(pointer: coarse)").matches)) {
      map.dragging.disable();
      if (map.tap) { map.tap.disable(); }
      box.classList.add("oc-map-locked");
      box.addEventListener("click", function () {
        if (box.classList.contains("oc-map-locked")) { map.dragging.enable(); box.classList.remove("oc-map-locked"); }
      });
    }
    // the map's legends are the block under it in the page (never inside the map's box, whose
    // overflow is hidden): the first .oc-map-legends after the map. A legend follows its layer:
    // hidden while the layers it explains are all turned off.
    var legends = Array.prototype.filter.call(document.querySelectorAll(".oc-map-legends"), function (l) {
      return box.compareDocumentPosition(l) & Node.DOCUMENT_POSITION_FOLLOWING;
    })[0];
    map.on("overlayadd overlayremove", function () {
      var shown = {};
      box.querySelectorAll(".leaflet-control-layers-overlays label").forEach(function (label) {
        var input = label.querySelector("input");
        shown[label.textContent.trim()] = input && input.checked;
      });
      Array.prototype.forEach.call(legends ? legends.querySelectorAll(".oc-legend[data-oc-layers]") : [], function (legend) {
        var names = JSON.parse(legend.getAttribute("data-oc-layers"));
        legend.hidden = !names.some(function (n) { return shown[n] !== false; });
      });
    });
  }
  function install(L) {
    if (!L || !L.GeoJSON || L.GeoJSON.__ocTooltips) { return; }
    L.GeoJSON.__ocTooltips = true;
    L.GeoJSON.addInitHook(function () {
      this.eachLayer(bind);
      this.on("layeradd", function (e) { bind(e.layer); });
    });
    L.Map.addInitHook(function () { enhanceMap(this, L); });
  }
  // The site's widget bundle (assets/widgets.js) calls this with its Leaflet before it draws a map.
  window.OpenCyber = window.OpenCyber || {};
  window.OpenCyber.leaflet = install;
  // Without the bundle (no npm when the site was built: the CDN's widget manager and require.js),
  // install when require.js has run jupyter-leaflet's factory (which sets window.L), before the
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
    var plain = text.replace(/\u2212/g, "-");
    var n = parseFloat(plain.replace(/[,%]/g, ""));
    return { text: text, num: plain !== "" && !isNaN(n) && /^[-+]?[\d.,]+%?$/.test(plain) ? n : null };
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
        // one tab stop per table's headings: the arrow keys move between them (a roving tab stop)
        button.setAttribute("tabindex", index === 0 ? "0" : "-1");
        button.setAttribute("aria-describedby", hint().id);
        button.addEventListener("keydown", function (e) { move(table, index, e); });
      });
    });
  }
  function hint() {
    var el = document.getElementById("oc-sort-hint");
    if (!el) {
      el = document.createElement("p");
      el.id = "oc-sort-hint";
      el.className = "oc-visually-hidden";
      el.textContent = "Sorts the table by this column. The left and right arrow keys move between the column headings.";
      document.body.appendChild(el);
    }
    return el;
  }
  function move(table, index, e) {
    var buttons = Array.prototype.slice.call(table.tHead.rows[0].querySelectorAll("button.oc-sort"));
    var to = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[e.key];
    if (to === undefined || !buttons[to]) { return; }
    e.preventDefault();
    buttons.forEach(function (b, i) { b.setAttribute("tabindex", i === to ? "0" : "-1"); });
    buttons[to].focus();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", enhance); } else { enhance(); }
})();

/* A filter box above each long table: rows that do not contain the text typed are hidden, and the
   number of rows shown is announced. Without JavaScript the whole table reads as is. */
(function () {
  "use strict";
  var LONG = 15, count = 0;
  function normalise(text) { return text.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim(); }
  function enhance() {
    Array.prototype.forEach.call(document.querySelectorAll("table.oc-table"), function (table) {
      var body = table.tBodies[0];
      if (!body || body.rows.length <= LONG || table.dataset.ocFilter) { return; }
      table.dataset.ocFilter = "1";
      var id = "oc-filter-" + (++count);
      var wrap = document.createElement("div");
      wrap.className = "oc-filter";
      var label = document.createElement("label");
      label.setAttribute("for", id);
      label.textContent = "Filter the rows of " + (table.caption ? table.caption.textContent : "this table");
      var input = document.createElement("input");
      input.type = "search"; input.id = id; input.autocomplete = "off";
      var status = document.createElement("p");
      status.className = "oc-filter-status"; status.setAttribute("aria-live", "polite");
      wrap.appendChild(label); wrap.appendChild(input); wrap.appendChild(status);
      var region = table.closest(".oc-table-wrap") || table;
      region.parentNode.insertBefore(wrap, region);
      input.addEventListener("input", function () {
        var q = normalise(input.value), shown = 0;
        Array.prototype.forEach.call(body.rows, function (row) {
          var hit = !q || normalise(row.textContent).indexOf(q) !== -1;
          row.hidden = !hit; if (hit) { shown++; }
        });
        status.textContent = q ? shown + " of " + body.rows.length + " rows shown" : "";
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", enhance); } else { enhance(); }
})();

/* Text first: the scripts that draw the maps (assets/widgets.js) and the charts (plotly.js) are
   not in the page's <head>, where they would hold up its text. Each page that has maps or charts
   lists them in <script type="application/json" class="oc-lazy">{"maps": [...]} or {"charts": [...]}
   (the maps' state, stylesheets and scripts, loaded in that order). The charts are loaded once the
   page has loaded (or before printing); the maps when the reader comes within a screen and a half
   of one (they are most of a page's weight, and a reader who never scrolls to them does not pay for
   them), or when a script asks (OpenCyber.loadAll). When all of them have loaded, <html> gets
   data-oc-lazy="done". The charts are drawn here when plotly.js arrives (each chart's own script
   draws it only when plotly.js is already there). */
(function () {
  "use strict";
  var groups = {}, started = {}, pending = 0;
  var TARGETS = {
    maps: 'script[type="application/vnd.jupyter.widget-view+json"]',
    charts: ".oc-plotly",
  };
  function drawCharts() {
    if (!window.Plotly) { return; }
    Array.prototype.forEach.call(document.querySelectorAll(".oc-plotly"), function (el) {
      var data = el.id && document.getElementById(el.id + "-data");
      if (!data || el.classList.contains("js-plotly-plot")) { return; }
      var f = JSON.parse(data.textContent);
      window.Plotly.newPlot(el, f.data, f.layout, { responsive: true, displaylogo: false, displayModeBar: false }).then(function () {
        if (window.performance && performance.mark) { performance.mark("oc-chart-drawn:" + el.id); }
        if (window.OpenCyber && window.OpenCyber.chartDrawn) { window.OpenCyber.chartDrawn(); }
      });
    });
  }
  function done() {
    if (--pending === 0) { document.documentElement.setAttribute("data-oc-lazy", "done"); }
  }
  var after = {};  // what to load once a group has loaded (the maps after the charts)
  function load(kind) {
    if (started[kind] || !groups[kind]) { return; }
    started[kind] = true;
    var urls = groups[kind].slice(), head = document.head;
    (function next() {
      var url = urls.shift();
      if (!url) {
        if (kind === "charts") { drawCharts(); }
        done();
        if (after[kind]) { after[kind](); }
        return;
      }
      var el;
      if (/\.css$/.test(url)) {
        el = document.createElement("link");
        el.rel = "stylesheet";
        el.href = url;
      } else {
        el = document.createElement("script");
        el.src = url;
      }
      el.onload = next;
      el.onerror = function () { console.error("Open Cyber: could not load " + url); done(); };
      head.appendChild(el);
    })();
  }
  // the charts first (they are higher on the page and smaller), then the maps: on a slow connection
  // the two downloads do not share the line
  function loadAll() {
    if (groups.charts && !started.charts && groups.maps) { after.charts = function () { load("maps"); }; load("charts"); return; }
    Object.keys(groups).forEach(load);
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("script.oc-lazy"), function (s) {
      var spec = JSON.parse(s.textContent);
      Object.keys(spec).forEach(function (kind) {
        if (!groups[kind]) { groups[kind] = []; pending++; }
        spec[kind].forEach(function (u) { if (groups[kind].indexOf(u) < 0) { groups[kind].push(u); } });
      });
    });
    if (!pending) { return; }
    if (window.IntersectionObserver) {
      var io = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) { if (e.isIntersecting) { load(e.target.getAttribute("data-oc-lazy-kind")); io.unobserve(e.target); } });
      }, { rootMargin: "150% 0px" });
      Object.keys(TARGETS).forEach(function (kind) {
        if (!groups[kind]) { return; }
        Array.prototype.forEach.call(document.querySelectorAll(TARGETS[kind]), function (el) {
          var box = el.closest(".jupyter-widgets, .oc-chart") || el.parentElement;
          box.setAttribute("data-oc-lazy-kind", kind);
          io.observe(box);
        });
      });
    }
    // the charts as soon as the page has loaded (they are small beside the maps, and near the top);
    // the maps when the reader comes within a screen and a half of them (above), or asks (loadAll)
    (window.requestIdleCallback || function (f) { return setTimeout(f, 200); })(function () { load("charts"); }, { timeout: 1000 });
  }
  window.OpenCyber = window.OpenCyber || {};
  window.OpenCyber.loadAll = loadAll;
  if (document.readyState === "complete") { start(); } else { window.addEventListener("load", start); }
  window.addEventListener("beforeprint", function () { load("charts"); });  // the maps are not printed
})();

/* Printing: open every collapsed table, and draw each chart at the width of the paper, not of the
   window (a chart drawn for a 1366 px window would be cut on A4). Printing is seen both by
   "beforeprint" and by the print media query (which an emulated print, as in the tests, also
   changes); the charts are drawn for the screen again afterwards. Each chart's SVG also gets a
   viewBox, so that site.css can scale it to the paper if the paper is narrower still. */
(function () {
  "use strict";
  var PRINT_WIDTH = 680;  // px at 96 dpi: A4 (718 px) and US Letter (740 px) inside the usual margins
  var printing = false;
  function charts() { return Array.prototype.slice.call(document.querySelectorAll(".oc-plotly.js-plotly-plot")); }
  function viewBoxes(el) {
    Array.prototype.forEach.call(el.querySelectorAll("svg.main-svg"), function (svg) {
      var w = svg.getAttribute("width"), h = svg.getAttribute("height");
      if (w && h) { svg.setAttribute("viewBox", "0 0 " + w + " " + h); }
    });
  }
  function toPaper() {
    if (!printing) {
      printing = true;
      Array.prototype.forEach.call(document.querySelectorAll("details.oc-details"), function (d) { d.open = true; });
    }
    if (!window.Plotly) { return; }
    charts().forEach(function (el) {
      if (el.hasAttribute("data-oc-printed")) { return; }
      var width = Math.min(el.clientWidth || PRINT_WIDTH, PRINT_WIDTH);
      el.setAttribute("data-oc-printed", String(width));
      window.Plotly.relayout(el, { width: width }).then(function () { viewBoxes(el); });
      viewBoxes(el);
    });
  }
  function toScreen() {
    if (!printing) { return; }
    printing = false;
    if (!window.Plotly) { return; }
    charts().forEach(function (el) {
      el.removeAttribute("data-oc-printed");
      window.Plotly.relayout(el, { width: null, autosize: true }).then(function () { window.Plotly.Plots.resize(el); });
    });
  }
  window.addEventListener("beforeprint", toPaper);
  window.addEventListener("afterprint", toScreen);
  if (window.matchMedia) {
    var media = window.matchMedia("print");
    var changed = function (e) { if (e.matches) { toPaper(); } else { toScreen(); } };
    if (media.addEventListener) { media.addEventListener("change", changed); } else if (media.addListener) { media.addListener(changed); }
  }
  window.OpenCyber = window.OpenCyber || {};
  // a chart drawn while the page is being printed (its script came late) is drawn for the paper too
  window.OpenCyber.chartDrawn = function () { if (printing) { toPaper(); } };
})();

/* A table's scroll region is a tab stop only while it scrolls sideways (so that a keyboard can
   scroll it); a table that fits the screen adds no tab stop. Without JavaScript every region keeps
   its tab stop. */
(function () {
  "use strict";
  function update() {
    Array.prototype.forEach.call(document.querySelectorAll(".oc-table-wrap[role=region]"), function (w) {
      if (!w.getClientRects().length) { return; }  // in a closed <details>: measured when opened
      if (w.scrollWidth > w.clientWidth + 1) { w.setAttribute("tabindex", "0"); } else { w.removeAttribute("tabindex"); }
    });
  }
  var timer = null;
  function later() { clearTimeout(timer); timer = setTimeout(update, 100); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", update); } else { update(); }
  window.addEventListener("load", update);
  window.addEventListener("resize", later);
  document.addEventListener("toggle", later, true);
})();
