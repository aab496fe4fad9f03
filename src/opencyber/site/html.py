"""What the site does to each rendered page's HTML, the same for both renderers: the CDN scripts replaced by the site's own copies, the maps' state moved to their own file, one title, tables that scroll on a phone, the footer and the edition's dates."""

from __future__ import annotations

import json
import re
from pathlib import Path

from opencyber.site.assets import Assets, lazy_scripts_html
from opencyber.site.pages import _esc

# Quarto (and any renderer that follows Jupyter's defaults) loads the widgets' scripts from a CDN;
# the site serves its own copies (the same as the nbconvert template's), so that only tiles leave it.
_CDN_SCRIPT = re.compile(
    r'[ \t]*<script\b[^>]*\bsrc="https://cdn\.jsdelivr\.net/npm/((?:@[^"/@]+/)?[^"/@]+)@[^"]*"[^>]*>\s*</script>\n?'
)


_DEFINE_JQUERY = re.compile(
    r"[ \t]*<script[^>]*>\s*define\('jquery',\s*\[\],\s*function\(\)\s*\{\s*return window\.jQuery;\s*\}\)\s*</script>\n?"
)


_OPENCYBER_JS = re.compile(r'[ \t]*<script\b[^>]*\bsrc="(?:\./)?assets/opencyber\.js"[^>]*>\s*</script>\n?')


class CdnScriptError(ValueError):
    pass


def localise_scripts(html: str, assets: Assets) -> str:
    """Replace a page's CDN script tags by the site's own copies.

    With the site's widget bundle, require.js and jQuery are dropped and the widgets manager becomes
    the list of the bundle's files that ``assets/opencyber.js`` loads after the text. Without it,
    jQuery is dropped (nothing on the pages needs it: the nbconvert pages do without); require.js is
    followed by the ``require.config`` that loads jupyter-leaflet from ``assets/`` and by
    ``assets/opencyber.js`` (which hooks into require.js, so it must come after it, and before the
    widget manager); the widgets manager is ``assets/html-manager/embed-amd.js``. A CDN script the
    site has no copy of is an error (the page would not work offline). A page without CDN scripts
    is returned unchanged.
    """
    found = _CDN_SCRIPT.findall(html)
    if not found:
        return html
    unknown = [p for p in found if p not in ("jquery", "requirejs", "@jupyter-widgets/html-manager")]
    if unknown:
        raise CdnScriptError(f"a script from the CDN that the site has no copy of: {unknown[0]}")
    html = _DEFINE_JQUERY.sub("", html)
    if not assets.require_js:  # the site's widget bundle, loaded after the text by assets/opencyber.js
        ours = '<script src="assets/opencyber.js"></script>\n' * (not _OPENCYBER_JS.search(html))

        def bundle(m: re.Match) -> str:
            if m.group(1) == "@jupyter-widgets/html-manager":
                return ours + lazy_scripts_html("maps", assets.widgets) + "\n"
            return ""

        return _CDN_SCRIPT.sub(bundle, html)
    if "requirejs" in found:
        html = _OPENCYBER_JS.sub("", html)

    def local(m: re.Match) -> str:
        package = m.group(1)
        if package == "jquery":
            return ""
        if package == "requirejs":
            return (
                f'<script src="{assets.require_js}"></script>\n'
                f"<script>require.config({{paths: {json.dumps(assets.amd_paths)}}});</script>\n"
                '<script src="assets/opencyber.js"></script>\n'
            )
        return f'<script src="{assets.widget_renderer}"></script>\n'

    return _CDN_SCRIPT.sub(local, html)


_STATE_SCRIPT = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">\s*(.*?)\s*</script>', re.S)


_GEOMETRY_STORE = re.compile(r'\n?<script type="application/json" id="oc-geometries">(.*?)</script>', re.S)


_LAZY_MAPS = re.compile(r'(<script type="application/json" class="oc-lazy">\{"maps": \[)(.*?\]\}</script>)')


MAPS_DIR = "maps"


def externalise_map_state(html: str, name: str, assets_dir: Path) -> str:
    """Keep a page's maps apart from its text: the widget state and the shared geometries (most of
    an edition page's bytes) go to ``assets/maps/<name>.js``, which is loaded with the maps' scripts
    (first in the page's lazy list), when the reader comes near a map; the page keeps an empty state
    tag for ``assets/opencyber.js`` to fill (``OpenCyber.mapState``). A script file, not JSON, so
    that a site opened from files works too. A page without maps, or whose maps load the usual way
    (no lazy list: the site's widget bundle was not built), is returned unchanged."""
    state, lazy = _STATE_SCRIPT.search(html), _LAZY_MAPS.search(html)
    if state is None or lazy is None:
        return html
    store = _GEOMETRY_STORE.search(html)
    url = f"assets/{MAPS_DIR}/{name}.js"
    target = Path(assets_dir) / MAPS_DIR / f"{name}.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        f"window.OpenCyber.mapState({state.group(1)},{store.group(1) if store else '{}'});\n", encoding="utf-8"
    )
    html = (
        html[: state.start()]
        + '<script type="application/vnd.jupyter.widget-state+json"></script>'
        + html[state.end() :]
    )
    if store is not None:
        html = _GEOMETRY_STORE.sub("", html, count=1)
    return _LAZY_MAPS.sub(lambda m: f"{m.group(1)}{json.dumps(url)}, {m.group(2)}", html, count=1)


_TITLE = re.compile(r"<title>.*?</title>", re.S)


def html_title(title: str) -> str:
    """A page's one ``<title>``: its title, then the site's name."""
    from opencyber.site.identity import site_title

    return f"{title} | {site_title()}"


_PLAIN_TABLE = re.compile(r"<table(?![^>]*\boc-table\b)([^>]*)>(.*?)</table>", re.S)


def wrap_plain_tables(html: str) -> str:
    """Put each table written in Markdown (a narrative page's) in a labelled, focusable region that
    scrolls sideways on a small screen, as the notebooks' tables are (tables.table_html)."""

    def wrap(m: re.Match) -> str:
        return (
            '<div class="oc-table-wrap" role="region" tabindex="0" aria-label="Table (scrolls sideways on a small screen)">'
            f"<table{m.group(1)}>{m.group(2)}</table></div>"
        )

    return _PLAIN_TABLE.sub(wrap, html)


_FIRST_H1_END = re.compile(r"</h1>", re.I)


_FOOTER = re.compile(r'<footer class="oc-footer">.*?</footer>', re.S)


_BODY_END = re.compile(r"</body>", re.I)


def add_publication(html: str, footer: str, dates: str = "") -> str:
    """The site's footer on every page (the built-in template's is replaced; a page without one, as
    Quarto's, gets it before ``</body>``) and, on an edition page, its dates under the page's title."""
    block = f'<footer class="oc-footer">{footer}</footer>'
    if _FOOTER.search(html):
        html = _FOOTER.sub(lambda m: block, html, count=1)
    else:
        html = _BODY_END.sub(lambda m: block + "\n</body>", html, count=1)
    if dates:
        html = _FIRST_H1_END.sub(lambda m: "</h1>" + dates, html, count=1)
    return html


def set_title(html: str, title: str) -> str:
    """Give the page the site's ``<title>`` (the renderers' own conventions differ)."""
    return _TITLE.sub(lambda m: f"<title>{_esc(html_title(title))}</title>", html, count=1)


_SEARCH_FORM = re.compile(r'\n?<form class="oc-search".*?</form>', re.S)
_BANNER = re.compile(r'\n?<p class="oc-banner" role="note">.*?</p>', re.S)
_QUARTO_BRAND_BOX = re.compile(r'<div class="navbar-brand-container[^"]*">.*?</div>', re.S)


def skip_link_html(target: str = "#main") -> str:
    """The first link of every page, to the page's content past the header (WCAG 2.4.1):
    templates/skip-link.html, to ``target`` (the built-in renderer's ``#main``, or Quarto's content)."""
    from pathlib import Path

    link = (Path(__file__).parent / "templates" / "skip-link.html").read_text(encoding="utf-8").strip()
    return link.replace('href="#main"', f'href="{target}"', 1)


_BODY_START = re.compile(r"<body[^>]*>")
_QUARTO_BRAND = re.compile(r'<a class="navbar-brand"[^>]*>.*?</a>', re.S)
_QUARTO_HEADER_END = re.compile(r'(<header id="quarto-header".*?</header>)', re.S)


def quarto_header(html: str) -> str:
    """On a page that Quarto rendered, what the built-in renderer's pages have where they have it:
    the skip link first, the site's tagline beside its name, the search box right after the name
    (in the page's order too, so that it is the keyboard's third stop, before the navigation), the
    banner across the page under the header. A page of the built-in renderer is returned as it is."""
    from opencyber.site.identity import site_tagline

    header = _QUARTO_HEADER_END.search(html)
    brand_box = _QUARTO_BRAND_BOX.search(html)
    if header is None or brand_box is None or not header.start() < brand_box.start() < header.end():
        return html
    search = _SEARCH_FORM.search(html)
    banner = _BANNER.search(html)
    moved = [m for m in (search, banner) if m is not None and m.start() > header.end()]
    for m in sorted(moved, key=lambda m: m.start(), reverse=True):
        html = html[: m.start()] + html[m.end() :]
    end = header.end()  # the removals were all after it
    if banner is not None and banner in moved:
        html = html[:end] + banner.group(0) + html[end:]
    if search is not None and search in moved:
        at = brand_box.end()
        html = html[:at] + "\n" + search.group(0).lstrip("\n") + html[at:]
    body = _BODY_START.search(html)
    if body is not None and 'class="oc-skip"' not in html:  # the first stop of the keyboard, as on ours
        skip = "\n" + skip_link_html("#quarto-document-content")
        html = html[: body.end()] + skip + html[body.end() :]
    brand = _QUARTO_BRAND.search(html)
    if brand is not None and 'class="oc-tagline"' not in html:  # the built-in renderer's header has it too
        html = html[: brand.end()] + f' <span class="oc-tagline">{_esc(site_tagline())}</span>' + html[brand.end() :]
    return html
