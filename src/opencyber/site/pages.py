"""The pages of the site, prepared once for either renderer: the edition pages (the executed notebooks) and the narrative pages, their titles, navigation, banners, links between editions and the fragments the site adds to them."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from opencyber import __version__
from opencyber.errors import RenderError
from opencyber.inputs.registry import Edition
from opencyber.report import publication
from opencyber.report.outputs import MAP_CHECK_MIME, PLOTLY_MIME
from opencyber.settings import PROJECT_ROOT
from opencyber.site.geometry import (
    WIDGET_STATE,
    delta_geometries,
    share_repeated_geometries,
)
from opencyber.stages import ACROSS_DIR as ACROSS
from opencyber.stages import STAGES


@dataclass
class Page:
    name: str  # output file stem: index, 2022-23, 2022-23-curation
    title: str
    source: Path  # an executed notebook (.ipynb) or a Markdown file (.md)


def edition_pages(edition: Edition, pages_dir: Path) -> list[Page]:
    """The pages of an edition, one per stage: the report's (the edition's own page), then the others."""
    return [
        Page(
            f"{edition.id}{s.page_suffix}",
            s.title.format(label=edition.label),
            pages_dir / f"{edition.id}{s.page_suffix}.ipynb",
        )
        for s in sorted(STAGES, key=lambda s: s.page_suffix != "")
    ]


#: narrative pages: (page name, title, navigation text, the function of :mod:`opencyber.report.pages` that
#: writes its Markdown from (editions, build_dir)); the pages module (and pandas) is imported only
#: when the pages are written, not for a build that finds the site unchanged
NARRATIVE_PAGES = (
    ("index", "Home", "Home", "home_markdown"),
    ("finder", "Find an organisation", "Find an organisation", "finder_markdown"),
    ("trends", "Trends across editions", "Trends", "trends_markdown"),
    ("sectors", "All sectors of the full DSPT export", "All sectors", "sectors_markdown"),
    ("methodology", "Methodology", "Methodology", "methodology_markdown"),
    ("data", "Data and downloads", "Data", "data_markdown"),
    ("accessibility", "Accessibility statement", "Accessibility", "accessibility_markdown"),
)


def narrative_markdown(maker: str, editions: list[Edition], build_dir: Path) -> str:
    """A narrative page's Markdown, written by ``pages.<maker>``."""
    from opencyber.report import pages

    make = getattr(pages, maker)
    return make() if maker == "accessibility_markdown" else make(editions, build_dir)


#: what the narrative pages read besides the build's outputs: the data dictionary (methodology,
#: downloads), the assumptions and caveats (methodology), the inputs' description (downloads) and the
#: publisher (accessibility, every page's footer)
NARRATIVE_READS = (
    PROJECT_ROOT / "docs" / "data-dictionary.md",
    PROJECT_ROOT / "docs" / "assumptions-and-caveats.md",
    PROJECT_ROOT / "data" / "README.md",
    publication.SITE_FILE,
)


def _narrative_inputs(editions: list[Edition], build_dir: Path) -> str:
    """A digest of everything the narrative pages read: each shown edition's outputs and the outputs
    across editions (every file, by path and bytes; not the build's digest files, which change when a
    notebook's source does), and :data:`NARRATIVE_READS`."""
    h = hashlib.sha256()
    folders = [build_dir / ed.id for ed in editions] + [build_dir / ACROSS]
    files = [f for d in folders for f in sorted(d.rglob("*")) if f.is_file() and not f.name.startswith(".")]
    for f in [*files, *NARRATIVE_READS]:
        h.update(str(f).encode() + b"\0" + (f.read_bytes() if f.is_file() else b"<missing>") + b"\0")
    return h.hexdigest()


def narrative_page(
    maker: str, editions: list[Edition], build_dir: Path, inputs: str
) -> tuple[str, nbformat.NotebookNode]:
    """A narrative page's Markdown and the notebook the renderers get (its widgets embedded), from the
    build's cache when the outputs it reads are those it was made from (``inputs``: their digest,
    :func:`_narrative_inputs`): an edit of an edition's report notebook, which leaves them as they
    were, does not make the pages again (nor import pandas, plotly and the maps for them)."""
    from dataclasses import asdict

    from opencyber import cache

    def make() -> tuple[str, nbformat.NotebookNode]:
        text = narrative_markdown(maker, editions, build_dir)
        return text, _markdown_notebook(text, build_dir)

    key = [maker, str(build_dir), [asdict(e) for e in editions], inputs]
    return cache.stored("narrative", key, make)


def navigation(editions: list[Edition], current: str) -> list[dict]:
    nav = [{"text": "Home", "href": "index.html", "current": current == "index", "children": []}]
    for ed in editions:
        children = [
            {"text": "How chosen", "href": f"{ed.id}-curation.html", "current": current == f"{ed.id}-curation"},
            {"text": "How scored", "href": f"{ed.id}-scoring.html", "current": current == f"{ed.id}-scoring"},
        ]
        nav.append({"text": ed.label, "href": f"{ed.id}.html", "current": current == ed.id, "children": children})
    for name, _, text, _ in NARRATIVE_PAGES[1:]:
        nav.append({"text": text, "href": f"{name}.html", "current": current == name, "children": []})
    return nav


#: where a narrative page's Markdown asks for a widget (pages.PAGE_WIDGETS names the builders)
_WIDGET_MARK = re.compile(r"^<!-- oc-widget:([a-z0-9-]+) -->$", re.M)


def _markdown_notebook(text: str, build_dir: Path | None = None) -> nbformat.NotebookNode:
    """A narrative page as a notebook: its Markdown, and at each ``<!-- oc-widget:NAME -->`` line the
    widget that ``pages.PAGE_WIDGETS[NAME]`` builds from ``build_dir``, embedded as a notebook
    stores it (an output and the widget state), so that the renderers draw it like an edition's map."""
    from opencyber.report import pages

    parts = _WIDGET_MARK.split(text)
    cells, state = [nbformat.v4.new_markdown_cell(parts[0])], {}
    for i in range(1, len(parts), 2):
        name, rest = parts[i], parts[i + 1]
        builder = pages.PAGE_WIDGETS.get(name)
        if builder is None:
            raise RenderError(f"a page asks for widget {name!r}, which pages.PAGE_WIDGETS does not know")
        if build_dir is None:
            raise RenderError(f"a page asks for widget {name!r}, which needs the build's outputs")
        output, widget_state = builder(build_dir)
        code = nbformat.v4.new_code_cell(f"# widget {name}", outputs=[output])
        cells += [code, nbformat.v4.new_markdown_cell(rest)]
        state.update(widget_state)
    nb = nbformat.v4.new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):
        cell["id"] = "home" if i == 0 else f"part-{i}"
    if state:
        nb.metadata["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": state}}
    return nb


def drop_test_outputs(nb):
    """Remove what the regression tests read but readers should not see (the map checks)."""
    for cell in nb.cells:
        if cell.get("outputs"):
            cell["outputs"] = [o for o in cell["outputs"] if set(o.get("data", {})) != {MAP_CHECK_MIME}]
    return nb


def edition_links(editions: list[Edition]) -> dict[str, list[dict]]:
    """For each edition page: links to the previous (older) and the next (newer) edition on the site."""
    links = {}
    for i, ed in enumerate(editions):  # newest first
        around = []
        if i + 1 < len(editions):
            around.append(
                {
                    "rel": "prev",
                    "text": f"Previous edition: {editions[i + 1].label}",
                    "href": f"{editions[i + 1].id}.html",
                }
            )
        if i > 0:
            around.append(
                {"rel": "next", "text": f"Next edition: {editions[i - 1].label}", "href": f"{editions[i - 1].id}.html"}
            )
        links[ed.id] = around
    return links


@dataclass
class PreparedPage:
    """One page of the site, ready for a renderer: the notebook without the map checks and with its
    repeated geometries shared, its title, the navigation, and the HTML fragments the site puts on
    it (``banner_html``, ``around_html``, ``geometries_html``: each empty or starting with a newline)."""

    name: str
    title: str
    nb: nbformat.NotebookNode
    nav: list[dict]
    has_chart: bool
    has_widgets: bool
    fragments: dict
    built_from: str


def _esc(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def search_html() -> str:
    """The site's search box (every page, in the header): it finds an organisation by name or code
    on the finder page, which reads ``?q=`` (a GOV.UK-style header search, the third tab stop)."""
    return (
        '\n<form class="oc-search" action="finder.html" method="get" role="search" aria-label="Find an NHS organisation">'
        '<label class="oc-visually-hidden" for="oc-q">Find an NHS organisation by name or ODS code</label>'
        '<input type="search" id="oc-q" name="q" autocomplete="off" spellcheck="false" placeholder="Name or ODS code">'
        '<button type="submit">Search</button></form>'
    )


def banner_html(banner: str) -> str:
    return f'\n<p class="oc-banner" role="note">{_esc(banner)}</p>' if banner else ""


def around_html(links: list[dict]) -> str:
    if not links:
        return ""
    items = "".join(
        f'\n  <li><a rel="{link["rel"]}" href="{link["href"]}">{_esc(link["text"])}</a></li>' for link in links
    )
    return f'\n<nav class="oc-around" aria-label="Other editions"><ul>{items}\n</ul></nav>'


def geometries_html(store: dict) -> str:
    """Geometries that several map layers draw, carried once (:func:`share_repeated_geometries`)."""
    if not store:
        return ""
    text = json.dumps(store, separators=(",", ":")).replace("/", "\\/")  # nbconvert's escape_html_script
    return f'\n<script type="application/json" id="oc-geometries">{text}</script>'


def site_pages(editions: list[Edition], pages_dir: Path) -> list[Page]:
    """Every page of the site, in order: the narrative pages, then each edition's three pages."""
    out = [Page(name, title, pages_dir / f"{name}.md") for name, title, _, _ in NARRATIVE_PAGES]
    for ed in editions:
        out += edition_pages(ed, pages_dir)
    return out


def prepare_pages(
    editions: list[Edition], build_dir: Path, banner: str = "", only: set[str] | None = None
) -> list[PreparedPage]:
    """Write the narrative pages' Markdown, then prepare every page of the site once, for any
    renderer. ``only``: prepare just the pages of these names (and write no Markdown)."""
    pages_dir = build_dir / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    makers = {name: maker for name, _, _, maker in NARRATIVE_PAGES if only is None or name in only}
    inputs = _narrative_inputs(editions, build_dir) if makers else ""  # the files they read, read once
    narrative = {}
    for name, maker in makers.items():
        text, narrative[name] = narrative_page(maker, editions, build_dir, inputs)
        if only is None:
            (pages_dir / f"{name}.md").write_text(text, encoding="utf-8")
    # an edition's banner (e.g. "fictional sample data") is on its pages; the site's pages carry them all
    edition_banner = {p.name: ed.banner for ed in editions for p in edition_pages(ed, pages_dir) if ed.banner}
    site_banner = " ".join([banner] * bool(banner) + list(dict.fromkeys(edition_banner.values())))
    around = edition_links(editions)
    prepared = []
    for page in site_pages(editions, pages_dir):
        if only is not None and page.name not in only:
            continue
        if page.name in narrative:
            nb = narrative[page.name]
        else:
            # the build's own executed notebook, validated when nbformat wrote it (reading it with
            # nbformat.read would validate it again: a fifth of the time this takes)
            nb = drop_test_outputs(nbformat.v4.reads_json(page.source.read_text(encoding="utf-8")))
        geometries = share_repeated_geometries(nb)
        delta_geometries(nb, geometries)
        has_chart = any(PLOTLY_MIME in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))
        page_banner = (
            " ".join(b for b in (banner, edition_banner.get(page.name)) if b)
            if page.name in edition_banner
            else site_banner
        )
        fragments = {
            "search_html": search_html(),
            "banner_html": banner_html(page_banner),
            "around_html": around_html(around.get(page.name, [])),
            "geometries_html": geometries_html(geometries),
        }
        prepared.append(
            PreparedPage(
                page.name,
                page.title,
                nb,
                navigation(editions, page.name),
                has_chart,
                "widgets" in nb.metadata,
                fragments,
                f"with Open Cyber {__version__}",
            )
        )
    return prepared
