// The text a reader reads on a page: every text node of <body> but scripts, styles, hidden text,
// the maps' own drawing, anything marked for analysts (.oc-analysts) and the sections under a
// heading "For analysts ..." (up to the next h1 or h2). Returns [text, text without the cells of
// names, addresses and codes] (a figure inside an organisation's name is its name, not a number).
() => {
  const all = [], numbers = [];
  const skip = (el) => el.closest("script, style, noscript, template, .oc-analysts, .oc-visually-hidden, svg, .leaflet-container");
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  let analysts = false, node;
  while ((node = walker.nextNode())) {
    if (node.nodeType === 1) {
      if (/^H[12]$/.test(node.tagName) && node.closest("main")) { analysts = /^\s*For analysts/i.test(node.textContent); }
      continue;
    }
    if (analysts || !node.parentElement || skip(node.parentElement)) { continue; }
    const t = node.textContent.trim();
    if (!t) { continue; }
    all.push(t);
    if (!node.parentElement.closest("td:not(.oc-num)")) { numbers.push(t); }
  }
  return [all.join(" "), numbers.join(" ")];
}
