/* Open Cyber organisation finder (finder.html): searches assets/data/finder_nhs.json in the browser
   with the query typed in the site's search box (the header's #oc-q; finder.html?q=... from another
   page); a query that could be a code is also looked up in the full exports' code index
   (assets/data/finder_codes_NNN.json, one small file per group of codes, fetched when needed); the
   names of the full exports (finder_all.json) are searched only when the reader asks for it. When
   nothing matches exactly, close spellings are shown (a second, tolerant pass). A permanent link
   finder.html#org=<code> shows one organisation's history.
   The search rules mirror opencyber.finder.search_key / matches / code_bucket (tested there). */
(function () {
  "use strict";
  var SYNONYMS = [
    [/\bnhs foundation trust\b/g, "nhs ft"],
    [/\bfoundation trust\b/g, "ft"],
    [/\bclinical commissioning group\b/g, "ccg"],
    [/\bintegrated care board\b/g, "icb"],
    [/\bcommissioning support unit\b/g, "csu"],
    [/\bhospitals\b/g, "hospital"]
  ];
  var MAX_ROWS = 100;
  var nhs = null, all = null, allLoading = null;
  var sortKey = "name", sortAsc = true;
  var $ = function (id) { return document.getElementById(id); };

  function key(text) {
    var s = String(text).toLowerCase().replace(/&/g, " and ").replace(/['\u2019?]/g, "");
    s = s.replace(/[^a-z0-9]+/g, " ").trim().replace(/\s+/g, " ");
    SYNONYMS.forEach(function (p) { s = s.replace(p[0], p[1]); });
    return s;
  }
  function bare(q) { return String(q).replace(/[^A-Za-z0-9]/g, "").toUpperCase(); }
  // Damerau-Levenshtein distance (optimal string alignment), or limit + 1 once it must exceed limit
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) { return limit + 1; }
    var prev2 = null, prev = [], i, j;
    for (j = 0; j <= b.length; j++) { prev.push(j); }
    for (i = 1; i <= a.length; i++) {
      var cur = [i], low = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) { v = Math.min(v, prev2[j - 2] + 1); }
        cur.push(v);
        low = Math.min(low, v);
      }
      if (low > limit) { return limit + 1; }
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }
  function typoLimit(w) { return w.length < 4 ? 0 : w.length < 8 ? 1 : 2; }
  function close(w, words) {
    var limit = typoLimit(w);
    if (!limit) { return false; }
    return words.some(function (x) {
      if (Math.abs(x.length - w.length) > limit && x.length <= w.length) { return false; }
      return distance(w, x, limit) <= limit || distance(w, x.slice(0, w.length), limit) <= limit;
    });
  }
  function matches(k, code, q, tolerant) {
    var qk = key(q), b = bare(q);
    if (!qk) { return false; }
    if (b && code.toUpperCase().indexOf(b) === 0) { return true; }
    if (!tolerant) { return qk.split(" ").every(function (w) { return k.indexOf(w) !== -1; }); }
    var words = k.replace(/\|/g, " ").split(" ").filter(Boolean);
    return qk.split(" ").every(function (w) { return k.indexOf(w) !== -1 || close(w, words); });
  }
  // the code index: which file holds the codes that start like this one (opencyber.finder.code_bucket)
  var BUCKETS = 256;
  function bucket(code) {
    var h = 5381, s = code.toUpperCase().slice(0, 3);
    for (var i = 0; i < s.length; i++) { h = ((h * 33) + s.charCodeAt(i)) >>> 0; }
    return h % BUCKETS;
  }
  function pad(n) { return ("00" + n).slice(-3); }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (a) {
      if (a === "text") { e.textContent = attrs[a]; } else { e.setAttribute(a, attrs[a]); }
    });
    (children || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function load(name, global) {
    if (location.protocol === "file:") {  // fetch() cannot read files: the same data as a script
      return new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = "assets/data/" + name + ".js";
        s.onload = function () { resolve(window[global]); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return fetch("assets/data/" + name + ".json").then(function (r) {
      if (!r.ok) { throw new Error(r.status + " " + r.url); }
      return r.json();
    });
  }

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  function longDate(iso) {  // 2022-09-09 -> 9 September 2022
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? parseInt(m[3], 10) + " " + MONTHS[parseInt(m[2], 10) - 1] + " " + m[1] : iso;
  }
  function latest(rec) {
    for (var i = 0; i < nhs.editions.length; i++) {
      var e = rec.e[nhs.editions[i].id];
      if (e) { return e; }
    }
    return {};
  }
  function statusText(e) {
    if (!e) { return "not in this edition"; }
    if (!e["in"]) { return "out of scope"; }
    return e.st || "no status";
  }

  function fillSelect(select, values) {
    values.forEach(function (v) { select.appendChild(el("option", { value: v, text: v })); });
  }
  function setupFilters() {
    var sectors = {}, areas = {}, statuses = {};
    nhs.orgs.forEach(function (r) {
      Object.keys(r.e).forEach(function (id) {
        var e = r.e[id];
        sectors[e.sec] = 1;
        if (e.an) { areas[e.an] = 1; }
        statuses[statusText(e)] = 1;
      });
    });
    fillSelect($("oc-f-sector"), Object.keys(sectors).sort());
    fillSelect($("oc-f-area"), Object.keys(areas).sort());
    fillSelect($("oc-f-status"), Object.keys(statuses).sort());
    nhs.editions.forEach(function (ed) { $("oc-f-edition").appendChild(el("option", { value: ed.id, text: ed.label })); });
  }

  function nhsResults(q, f, tolerant) {
    return nhs.orgs.filter(function (r) {
      if (q && !matches(r.k, r.c, q, tolerant)) { return false; }
      var e = f.edition ? r.e[f.edition] : null;
      var eds = f.edition ? (e ? [e] : []) : Object.keys(r.e).map(function (id) { return r.e[id]; });
      if (f.sector && !eds.some(function (x) { return x.sec === f.sector; })) { return false; }
      if (f.area && !eds.some(function (x) { return x.an === f.area; })) { return false; }
      if (f.status && !eds.some(function (x) { return statusText(x) === f.status; })) { return false; }
      if (f.edition && !e) { return false; }
      return true;
    });
  }
  function allResults(q) {
    var out = [];
    if (!all || !q) { return out; }
    all.exports.forEach(function (ex) {
      ex.rows.forEach(function (row) {
        if (!row.k) { row.k = key(row[1]); }
        if (matches(row.k, row[0], q) && !(nhsByCode[row[0]])) { out.push({ ex: ex, row: row }); }
      });
    });
    return out;
  }
  var nhsByCode = {};
  // codes of the full exports, from the code index (one small file per group of codes)
  var codeFiles = {}, codeLoading = {};
  function looksLikeCode(q) { return /^[A-Za-z0-9]{3,}$/.test(q.trim()); }
  function codeResults(q) {
    var b = bare(q), file = codeFiles[bucket(b)], out = [];
    if (!file) { return out; }
    file.rows.forEach(function (row) {
      if (row[0].toUpperCase().indexOf(b) === 0 && !nhsByCode[row[0].toUpperCase()]) {
        out.push({ ex: { label: file.exports[row[4]][0], snapshot: file.exports[row[4]][1] }, row: row });
      }
    });
    return out;
  }
  function loadCodes(q, then) {
    var n = bucket(bare(q));
    if (codeFiles[n] || codeLoading[n]) { return; }
    codeLoading[n] = load("finder_codes_" + pad(n), "OC_FINDER_CODES_" + pad(n)).then(function (d) {
      codeFiles[n] = d; then();
    }, function () { codeFiles[n] = { exports: [], rows: [] }; then(); });
  }
  function query() { var q = $("oc-q"); return q ? q.value.trim() : ""; }

  function sortRows(rows) {
    var get = {
      code: function (r) { return r.c; },
      name: function (r) { return r.n; },
      sector: function (r) { return latest(r).sec || ""; },
      area: function (r) { return latest(r).an || ""; }
    }[sortKey];
    if (!get) {  // an edition's status
      get = function (r) { return statusText(r.e[sortKey]); };
    }
    rows.sort(function (a, b) {
      var x = get(a), y = get(b), c = x.localeCompare(y) || a.c.localeCompare(b.c);
      return sortAsc ? c : -c;
    });
    return rows;
  }
  function header(label, k) {
    var th = el("th", { scope: "col" });
    if (sortKey === k) { th.setAttribute("aria-sort", sortAsc ? "ascending" : "descending"); }
    var b = el("button", { type: "button", "class": "oc-sort", text: label });
    b.addEventListener("click", function () {
      if (sortKey === k) { sortAsc = !sortAsc; } else { sortKey = k; sortAsc = true; }
      search(true);
    });
    th.appendChild(b);
    return th;
  }
  function orgLink(code, text) { return el("a", { href: "#org=" + encodeURIComponent(code), text: text || code }); }

  function filters() {
    return { sector: $("oc-f-sector").value, area: $("oc-f-area").value, status: $("oc-f-status").value, edition: $("oc-f-edition").value };
  }
  function search(keepFocus) {
    var q = query(), f = filters();
    var any = q || f.sector || f.area || f.status || f.edition;
    var box = $("oc-results");
    box.textContent = "";
    if (!any) { $("oc-status").textContent = "Type a code or a name in the search box at the top of the page, or choose a filter."; return; }
    var rows = sortRows(nhsResults(q, f, false)), tolerant = false;
    if (!rows.length && q) { rows = sortRows(nhsResults(q, f, true)); tolerant = rows.length > 0; }
    var byCode = [];
    if (q && looksLikeCode(q)) {
      if (codeFiles[bucket(bare(q))]) { byCode = codeResults(q); } else { loadCodes(q, function () { search(); }); }
    }
    var wantAll = $("oc-f-all").checked;
    if (wantAll && q && !all) {
      $("oc-status").textContent = "Loading the organisations of the full export…";
      if (!allLoading) {
        allLoading = load("finder_all", "OC_FINDER_ALL").then(function (d) { all = d; search(); }, function () {
          $("oc-status").textContent = "The full export could not be loaded.";
        });
      }
    }
    var seen = {};
    byCode.forEach(function (o) { seen[o.row[0] + "|" + o.ex.snapshot] = 1; });
    var others = byCode.concat((wantAll ? allResults(q) : []).filter(function (o) { return !seen[o.row[0] + "|" + o.ex.snapshot]; }));
    var shown = rows.slice(0, MAX_ROWS);
    if (shown.length) {
      var table = el("table", { "class": "oc-table oc-finder-table" });
      table.appendChild(el("caption", { text: "NHS organisations found (" + rows.length + ")" }));
      var hr = el("tr", {}, [header("Code", "code"), header("Name", "name"), header("Sector (latest)", "sector"), header("Area (latest)", "area")]);
      nhs.editions.forEach(function (ed) { hr.appendChild(header(ed.label + " status", ed.id)); });
      table.appendChild(el("thead", {}, [hr]));
      var body = el("tbody");
      shown.forEach(function (r) {
        var l = latest(r);
        var tr = el("tr", {}, [el("td", {}, [orgLink(r.c)]), el("td", {}, [orgLink(r.c, r.n)]), el("td", { text: l.sec || "" }), el("td", { text: l.an || "" })]);
        nhs.editions.forEach(function (ed) { tr.appendChild(el("td", { text: statusText(r.e[ed.id]) })); });
        body.appendChild(tr);
      });
      table.appendChild(body);
      box.appendChild(el("div", { "class": "oc-scroll", role: "region", tabindex: "0", "aria-label": "NHS organisations found" }, [table]));
    }
    if (others.length) {
      var t2 = el("table", { "class": "oc-table oc-finder-table" });
      t2.appendChild(el("caption", { text: "Other organisations of the full export (" + others.length + ")" }));
      t2.appendChild(el("thead", {}, [el("tr", {}, ["Code", "Name", "Sector", "Status", "Export"].map(function (h) { return el("th", { scope: "col", text: h }); }))]));
      var b2 = el("tbody");
      others.slice(0, MAX_ROWS).forEach(function (o) {
        b2.appendChild(el("tr", {}, [el("td", {}, [orgLink(o.row[0])]), el("td", { text: o.row[1] }), el("td", { text: o.row[2] }),
          el("td", { text: o.row[3] }), el("td", { text: longDate(o.ex.snapshot) })]));
      });
      t2.appendChild(b2);
      box.appendChild(el("div", { "class": "oc-scroll", role: "region", tabindex: "0", "aria-label": "Other organisations found" }, [t2]));
    }
    var msg = rows.length + " NHS organisation" + (rows.length === 1 ? "" : "s") + " found";
    if (tolerant) { msg = "No exact match for \u201c" + q + "\u201d: " + rows.length + " NHS organisation" + (rows.length === 1 ? "" : "s") + " with a close spelling"; }
    if (rows.length > MAX_ROWS) { msg += " (the first " + MAX_ROWS + " shown: refine the search)"; }
    if (others.length || (wantAll && all)) { msg += "; " + others.length + " other organisation" + (others.length === 1 ? "" : "s") + " of the full export" + (others.length > MAX_ROWS ? " (the first " + MAX_ROWS + " shown)" : ""); }
    msg += ".";
    $("oc-status").textContent = msg;
  }

  function detail(code) {
    var box = $("oc-org");
    box.textContent = "";
    if (!code) { box.hidden = true; return; }
    box.hidden = false;
    var r = nhsByCode[code.toUpperCase()];
    if (!r) {
      if (!codeFiles[bucket(code)]) {
        box.appendChild(el("p", { text: "Looking for " + code + " in the full export…" }));
        loadCodes(code, function () { detail(code); });
        return;
      }
      var found = codeResults(code).filter(function (o) { return o.row[0].toUpperCase() === code.toUpperCase(); });
      var h = el("h2", { id: "oc-org-title", tabindex: "-1", text: found.length ? found[0].row[1] + " (" + found[0].row[0] + ")" : "No organisation has the code " + code });
      box.appendChild(h);
      found.forEach(function (o) {
        box.appendChild(el("p", { text: "In the full DSPT export of " + longDate(o.ex.snapshot) + ": sector " + o.row[2] + ", status " + (o.row[3] || "blank") +
          ". It is not one of the NHS organisations the report scores, so it has no history across editions here." }));
      });
      h.focus();
      return;
    }
    var title = el("h2", { id: "oc-org-title", tabindex: "-1", text: r.n + " (" + r.c + ")" });
    box.appendChild(title);
    if (r.aka && r.aka.length) { box.appendChild(el("p", { text: "Also named: " + r.aka.join("; ") + "." })); }
    var t = el("table", { "class": "oc-table" });
    t.appendChild(el("caption", { text: "Status of " + r.c + " in every edition" }));
    t.appendChild(el("thead", {}, [el("tr", {}, ["Edition", "Sector", "Status as published", "Counted as", "Area", "In scope"].map(function (x) { return el("th", { scope: "col", text: x }); }))]));
    var body = el("tbody");
    nhs.editions.forEach(function (ed) {
      var e = r.e[ed.id];
      if (!e) {
        body.appendChild(el("tr", {}, [el("th", { scope: "row", text: ed.label }), el("td", { colspan: "5", text: "Not among the organisations of this edition." })]));
        return;
      }
      body.appendChild(el("tr", {}, [el("th", { scope: "row" }, [el("a", { href: ed.id + ".html", text: ed.label })]), el("td", { text: e.sec }),
        el("td", { text: e.raw || "no row in the export" }), el("td", { text: e["in"] ? (e.st || "") : "not scored" }),
        el("td", { text: e.an ? e.an + " (" + ed.area + " " + e.a + ")" : "none" }),
        el("td", { text: (e["in"] ? "yes" : "no") + (e.why ? ": " + e.why : "") })]));
    });
    t.appendChild(body);
    box.appendChild(el("div", { "class": "oc-scroll", role: "region", tabindex: "0", "aria-label": "History of " + r.c }, [t]));
    [["to", "Taken over by (successors)", "taken it over"], ["from", "Took over (predecessors)", "been taken over by it"]].forEach(function (p) {
      var list = r[p[0]] || [];
      box.appendChild(el("h3", { text: p[1] }));
      if (!list.length) {
        box.appendChild(el("p", { text: "None known. Which organisation took over which is in the data of some editions only, so other organisations may have " + p[2] + "." }));
        return;
      }
      var ul = el("ul");
      list.forEach(function (s) {
        var o = nhsByCode[s.c];
        ul.appendChild(el("li", {}, [orgLink(s.c, (o ? o.n + " " : "") + "(" + s.c + ")"), " (source: " + s.via + ")"]));
      });
      box.appendChild(ul);
    });
    box.appendChild(el("p", {}, [el("a", { href: "finder.html#org=" + encodeURIComponent(r.c), text: "Permanent link to this organisation" })]));
    title.focus();
  }
  function fromHash() {
    var m = /(?:^#|&)org=([^&]+)/.exec(location.hash);
    detail(m ? decodeURIComponent(m[1]) : "");
  }

  function start() {
    var form = $("oc-finder");
    if (!form) { return; }
    load("finder_nhs", "OC_FINDER_NHS").then(function (d) {
      nhs = d;
      nhs.orgs.forEach(function (r) { nhsByCode[r.c.toUpperCase()] = r; });
      setupFilters();
      form.hidden = false;
      $("oc-loading").hidden = true;
      var timer = null, q = $("oc-q"), site = q && q.form;
      function later() { clearTimeout(timer); timer = setTimeout(search, 150); }
      form.addEventListener("change", function () { search(); });
      form.addEventListener("submit", function (ev) { ev.preventDefault(); search(); });
      if (q) { q.addEventListener("input", later); }
      if (site) { site.addEventListener("submit", function (ev) { ev.preventDefault(); search(); }); }
      var given = /[?&]q=([^&#]*)/.exec(location.search);  // a search from another page's box
      if (q && given && !q.value) { q.value = decodeURIComponent(given[1].replace(/\+/g, " ")); }
      window.addEventListener("hashchange", fromHash);
      fromHash();
      if (query()) { search(); }
    }, function () { $("oc-loading").textContent = "The finder's data could not be loaded."; });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
